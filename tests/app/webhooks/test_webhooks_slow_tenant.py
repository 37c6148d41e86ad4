"""With the real worker: while one tenant's receiver answers one byte per second, another
tenant's events are still delivered at once (a second webhooks worker takes them)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from tests.conftest import Merchant, make_merchant, make_settings, session_body
from tests.servers import start_worker, stop
from tests.trickle import trickle_peer
from tests.webhook_receiver import webhook_receiver

PROMPT_SECONDS = 5.0  # the slow receiver's attempt holds its worker for 10 s


@pytest.fixture
def env(fresh_database_url: str, private_redis: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": private_redis,
        "REDIS_NAMESPACE": f"slow{secrets.token_hex(3)}",
        "SECRET_KEY": secrets.token_hex(32),
        "VAR_DIR": str(tmp_path),
        "PUBLIC_BASE_URL": "https://checkout.example.test",
        "KC_ENV": "test",
    }


@pytest.fixture
def app(env: dict[str, str], tmp_path: Path) -> Iterator[Flask]:
    settings = make_settings(
        env["DATABASE_URL"],
        env["REDIS_NAMESPACE"],
        tmp_path,
        REDIS_URL=env["REDIS_URL"],
        SECRET_KEY=env["SECRET_KEY"],
    )
    application = create_app(settings)
    yield application
    application.extensions["kc.database"].dispose()


def cancelled_event(app: Flask, merchant: Merchant, url: str) -> None:
    """A payment.cancelled event of `merchant` for `url`; its commit wakes the workers."""
    client = app.test_client()
    created = client.post(
        "/api/checkout/create-session",
        json=session_body(webhookUrl=url),
        headers=merchant.headers(),
    )
    session_id = created.get_json()["sessionId"]
    cancelled = client.post(
        f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers()
    )
    assert cancelled.status_code == 200


def test_a_tenants_trickling_receiver_does_not_delay_another_tenants_events(
    app: Flask, env: dict[str, str]
):
    database = app.extensions["kc.database"]
    slow_tenant, other_tenant = make_merchant(database), make_merchant(database)
    with trickle_peer("status") as peer, webhook_receiver() as receiver:
        cancelled_event(app, slow_tenant, f"{peer.url}/hooks")
        worker = start_worker(env)
        try:
            peer.wait_for_requests(1, timeout=60)  # a worker is now held by the slow receiver
            started = time.monotonic()
            cancelled_event(app, other_tenant, receiver.url)
            receiver.wait_for(1, timeout=30)
            took = time.monotonic() - started
        finally:
            stop(worker)
    assert took < PROMPT_SECONDS
