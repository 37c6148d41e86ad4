"""Concurrent plugin calls against the real service under gunicorn with two sync workers:
each reaches the core in process, so none waits on a worker of its own server, and `/api`
answers meanwhile (an HTTP call to itself would hold both workers until they time out)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from app.db import Database
from tests.bridge.support import order_body
from tests.conftest import TEST_REDIS_URL, Merchant, make_merchant
from tests.servers import free_port, gunicorn_server
from tests.woocommerce_double import WooCommerceDouble

CONCURRENT_ORDERS = 6
# Well inside gunicorn's 30 s worker timeout and the 15 s a call to itself would wait.
DEADLINE_SECONDS = 10.0


@pytest.fixture
def service(
    fresh_database_url: str, redis_namespace: str, tmp_path: Path
) -> Iterator[tuple[str, Merchant, WooCommerceDouble]]:
    port = free_port()
    env = {
        "KC_ENV": "test",
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "REDIS_NAMESPACE": f"{redis_namespace}:dl{secrets.token_hex(3)}",
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "VAR_DIR": str(tmp_path),
        # The default: the core is this service.
        "CORE_API_URL": "",
    }
    database = Database(fresh_database_url)
    merchant = make_merchant(database)
    with WooCommerceDouble() as double, gunicorn_server(env, workers=2, port=port) as url:
        double.seed_reference_catalog()
        key = double.create_key()
        connected = requests.post(
            f"{url}/bridge/v1/stores/connect",
            json={
                "siteUrl": double.url,
                "consumerKey": key.consumer_key,
                "consumerSecret": key.consumer_secret,
            },
            headers=merchant.headers(),
            timeout=30,
        )
        assert connected.status_code == 201, connected.text
        yield url, merchant, double
    database.dispose()


def test_concurrent_bridge_calls_finish_and_the_api_stays_reachable(
    service: tuple[str, Merchant, WooCommerceDouble],
) -> None:
    url, merchant, double = service
    orders = [double.seed_order(order_body([(17, 1)])).id for _ in range(CONCURRENT_ORDERS)]

    def checkout(order_id: int) -> requests.Response:
        return requests.post(
            f"{url}/bridge/v1/orders",
            json={
                "order": double.order(order_id),
                "returnUrl": "https://shop.example.test/return",
                "cancelUrl": "https://shop.example.test/cancel",
            },
            headers=merchant.headers(),
            timeout=DEADLINE_SECONDS,
        )

    def api_call(_: int) -> requests.Response:
        return requests.get(
            f"{url}/api/shops", headers=merchant.headers(), timeout=DEADLINE_SECONDS
        )

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONCURRENT_ORDERS + 2) as pool:
        checkouts = [pool.submit(checkout, order_id) for order_id in orders]
        api_calls = [pool.submit(api_call, n) for n in range(2)]
        answers: list[Any] = [future.result() for future in checkouts]
        api_answers = [future.result() for future in api_calls]
    elapsed = time.monotonic() - started
    assert [answer.status_code for answer in answers] == [201] * CONCURRENT_ORDERS, [
        answer.text for answer in answers
    ]
    assert len({answer.json()["sessionId"] for answer in answers}) == CONCURRENT_ORDERS
    assert [answer.status_code for answer in api_answers] == [200, 200]
    assert elapsed < DEADLINE_SECONDS
