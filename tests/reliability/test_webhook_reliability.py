"""Nothing lost: a worker killed with SIGKILL mid-delivery, and Redis emptied with
deliveries pending, both end with every event delivered. Real worker processes, a private
Redis (so FLUSHALL touches nobody else's keys) and a database of the test's own."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.models import Event, EventDelivery
from tests.conftest import Merchant, make_merchant, make_settings, session_body
from tests.servers import kill_group, start_worker, stop, wait_for
from tests.webhook_receiver import Receiver, webhook_receiver

EVENTS = 5


@pytest.fixture
def env(fresh_database_url: str, private_redis: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": private_redis,
        "REDIS_NAMESPACE": f"rel{secrets.token_hex(3)}",
        "SECRET_KEY": secrets.token_hex(32),
        "SWEEP_INTERVAL_SECONDS": "1",
        "WEBHOOK_LEASE_SECONDS": "3",
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
        SWEEP_INTERVAL_SECONDS=1,
        WEBHOOK_LEASE_SECONDS=3,
    )
    application = create_app(settings)
    yield application
    application.extensions["kc.database"].dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as r:
        yield r


def make_events(app: Flask, merchant: Merchant, url: str) -> None:
    client = app.test_client()
    for n in range(EVENTS):
        created = client.post(
            "/api/checkout/create-session",
            json=session_body(platformOrderId=f"rel-{n}", webhookUrl=url),
            headers=merchant.headers(),
        )
        session_id = created.get_json()["sessionId"]
        cancelled = client.post(
            f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers()
        )
        assert cancelled.status_code == 200


def all_delivered(app: Flask, merchant: Merchant) -> bool:
    with app.extensions["kc.database"].transaction() as db:
        statuses = db.scalars(
            select(EventDelivery.status)
            .join(Event, Event.id == EventDelivery.event_id)
            .where(Event.account_id == merchant.account_id)
        ).all()
    return len(statuses) == EVENTS and all(s == "succeeded" for s in statuses)


def test_worker_killed_mid_delivery_loses_nothing(
    app: Flask, env: dict[str, str], receiver: Receiver
):
    merchant = make_merchant(app.extensions["kc.database"])
    receiver.hold = threading.Event()
    make_events(app, merchant, receiver.url)
    first = start_worker(env)
    try:
        receiver.wait_for_arrival()
        kill_group(first)
    finally:
        stop(first)
    receiver.hold.set()
    second = start_worker(env)
    try:
        wait_for(lambda: all_delivered(app, merchant), 60, "every delivery succeeded")
    finally:
        stop(second)
    assert len({r.body for r in receiver.received if r.answered == 200}) == EVENTS


def test_flushed_redis_loses_nothing(app: Flask, env: dict[str, str], receiver: Receiver):
    merchant = make_merchant(app.extensions["kc.database"])
    make_events(app, merchant, receiver.url)
    client = redis.Redis.from_url(env["REDIS_URL"])
    assert client.dbsize() > 0  # the wake-up jobs were queued ...
    client.flushall()  # ... and are gone
    worker = start_worker(env)
    try:
        wait_for(lambda: all_delivered(app, merchant), 60, "every delivery succeeded")
    finally:
        stop(worker)
    assert len({r.body for r in receiver.received}) == EVENTS
