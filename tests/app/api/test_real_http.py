"""Over real HTTP against gunicorn with several worker processes: concurrency and the
rate limit shared through Redis."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from app.db import Database
from tests.conftest import TEST_REDIS_URL, Merchant, make_merchant, session_body
from tests.servers import gunicorn_server

RATE_LIMIT = 30


@pytest.fixture
def server(database_url: str, redis_namespace: str, tmp_path: Path) -> Iterator[str]:
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "REDIS_NAMESPACE": f"{redis_namespace}:http{secrets.token_hex(3)}",
        "VAR_DIR": str(tmp_path),
        "RATE_LIMIT_TEST_PER_MINUTE": str(RATE_LIMIT),
        "KC_ENV": "test",
    }
    with gunicorn_server(env) as url:
        yield url


@pytest.fixture
def http_merchant(database_url: str) -> Iterator[Merchant]:
    database = Database(database_url)
    yield make_merchant(database)
    database.dispose()


def test_fifty_parallel_creates_with_one_key_make_one_session(server: str, http_merchant: Merchant):
    headers = http_merchant.headers("live", **{"Idempotency-Key": "parallel-create-1"})
    body = session_body()

    def create(_: int) -> requests.Response:
        return requests.post(
            f"{server}/api/checkout/create-session", json=body, headers=headers, timeout=30
        )

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(create, range(50)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    created = {r.json()["sessionId"] for r in responses if r.status_code == 201}
    assert len(created) == 1
    conflicts = [r.json()["error"]["code"] for r in responses if r.status_code == 409]
    assert set(conflicts) <= {"idempotency_key_in_use"}
    listed = requests.get(
        f"{server}/api/checkout/sessions", headers=http_merchant.headers("live"), timeout=10
    ).json()
    assert [s["sessionId"] for s in listed["data"]] == list(created)
    replay = create(0)
    assert replay.status_code == 201
    assert replay.json()["sessionId"] in created


def test_rate_limit_is_shared_across_worker_processes(server: str, http_merchant: Merchant):
    def call(_: int) -> requests.Response:
        # A new connection per request spreads requests over gunicorn's workers.
        return requests.get(
            f"{server}/api/checkout/sessions",
            headers={**http_merchant.headers(), "Connection": "close"},
            timeout=10,
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(call, range(2 * RATE_LIMIT + 1)))
    by_window: dict[int, list[int]] = defaultdict(list)
    for response in responses:
        assert response.headers["X-RateLimit-Limit"] == str(RATE_LIMIT)
        # Reset is derived from the key's TTL, so one window's responses differ by a second.
        reset = int(response.headers["X-RateLimit-Reset"])
        window = next((w for w in by_window if abs(w - reset) <= 2), reset)
        by_window[window].append(response.status_code)
    for statuses in by_window.values():
        assert statuses.count(200) <= RATE_LIMIT
        assert set(statuses) <= {200, 429}
    limited_windows = [s for s in by_window.values() if 429 in s]
    assert limited_windows, "61 requests within at most two windows must hit a limit of 30"
    assert all(s.count(200) == RATE_LIMIT for s in limited_windows), dict(by_window)
