"""Wall-clock deadlines on deliveries: a receiver answering one byte per second (real
sockets) costs one timed-out attempt, never a stalled batch or another tenant's events."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.db import Database
from app.models import Event, EventDelivery
from app.webhooks import delivery
from app.webhooks.delivery import TIMEOUT_OUTCOME, _record, attempt_delivery, deliver_batch
from app.webhooks.retry_policy import NextStep
from app.webhooks.transport import PreparedRequest, timed_out
from tests.app.webhooks.test_webhooks_delivery import Clock, World
from tests.conftest import Merchant, session_body
from tests.trickle import trickle_peer
from tests.webhook_receiver import webhook_receiver

DEADLINE = 1.5
# Thread wake-ups and the watchdog's latency on a loaded 2-core machine.
MARGIN = 0.75


@pytest.fixture
def world(
    app: Flask, client: FlaskClient, merchant: Merchant, create_session, database: Database
) -> Iterator[World]:
    with webhook_receiver() as receiver:
        yield World(app, client, merchant, create_session, database, receiver)


def cancelled_delivery_of(world: World, merchant: Merchant, url: str) -> str:
    """A payment.cancelled delivery of `merchant` (any tenant) to `url`."""
    response = world.client.post(
        "/api/checkout/create-session",
        json=session_body(webhookUrl=url),
        headers=merchant.headers(),
    )
    session_id = response.get_json()["sessionId"]
    world.client.post(f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers())
    with world.database.transaction() as db:
        event = db.scalars(select(Event).where(Event.session_id == session_id)).one()
        return db.scalars(select(EventDelivery.id).where(EventDelivery.event_id == event.id)).one()


def batch(world: World, ids: list[str], **options: object) -> dict:
    extensions = world.app.extensions
    return deliver_batch(
        extensions["kc.database"],
        extensions["kc.secret_box"],
        extensions["kc.http"],
        ids=ids,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("trickle", ["status", "body"])
def test_a_trickling_receiver_costs_one_timed_out_attempt(world: World, trickle: str):
    with trickle_peer(trickle) as peer:
        delivery_id = world.cancelled_delivery(f"{peer.url}/hooks")
        started = time.monotonic()
        decision = attempt_delivery(
            world.app.extensions["kc.database"],
            world.app.extensions["kc.secret_box"],
            world.app.extensions["kc.http"],
            delivery_id,
            clock=Clock(),
            timeout=DEADLINE,
        )
        took = time.monotonic() - started
    assert DEADLINE - 0.1 <= took < DEADLINE + MARGIN
    assert decision is not None
    assert decision.step is NextStep.RETRY
    (attempt,) = world.attempts(delivery_id)
    assert (attempt.outcome, attempt.error) == (TIMEOUT_OUTCOME, "timeout")
    assert attempt.status_code is None
    assert attempt.duration_ms < (DEADLINE + MARGIN) * 1000
    row = world.row(delivery_id)
    assert (row.status, row.lease_until, row.last_error) == ("pending", None, "timeout")
    assert row.next_attempt_at is not None


def test_one_tenants_trickling_receiver_does_not_hold_another_tenants_batch(
    world: World, other_merchant: Merchant
):
    with trickle_peer("status") as peer:
        slow = cancelled_delivery_of(world, world.merchant, f"{peer.url}/hooks")
        fast = [cancelled_delivery_of(world, other_merchant, world.receiver.url) for _ in range(3)]
        started = time.monotonic()
        decisions = batch(world, [slow, *fast], timeout=DEADLINE)
        took = time.monotonic() - started
    assert took < DEADLINE + MARGIN
    assert {i: decisions[i].step for i in fast} == dict.fromkeys(fast, NextStep.DELIVERED)
    assert len(world.receiver.received) == 3
    assert decisions[slow].step is NextStep.RETRY
    assert world.attempts(slow)[0].outcome == TIMEOUT_OUTCOME


def test_a_batch_returns_at_its_deadline_even_when_an_attempt_is_stuck_outside_the_socket(
    world: World,
):
    """A name lookup hangs (no socket for the watchdog to shut): the batch still returns at
    its deadline, records the stuck attempt as timed out and abandons its thread."""
    port = int(world.receiver.url.split(":")[2].split("/")[0])
    release = threading.Event()

    def resolver(host: str, _port: int) -> list[str]:
        if host == "stuck.merchant.test":
            release.wait(30)
        return ["127.0.0.1"]

    stuck = world.cancelled_delivery(f"http://stuck.merchant.test:{port}/in")
    fast = world.cancelled_delivery(f"http://fast.merchant.test:{port}/in")
    lease = timedelta(seconds=2)
    started = time.monotonic()
    try:
        decisions = batch(world, [stuck, fast], lease=lease, resolver=resolver, timeout=1.0)
        took = time.monotonic() - started
    finally:
        release.set()
    batch_deadline = lease.total_seconds() * delivery.BATCH_SHARE_OF_LEASE
    assert batch_deadline - 0.1 <= took < batch_deadline + MARGIN
    assert decisions[fast].step is NextStep.DELIVERED
    assert decisions[stuck].step is NextStep.RETRY
    assert world.attempts(stuck)[0].outcome == TIMEOUT_OUTCOME
    assert world.row(stuck).lease_until is None


def test_requests_that_no_longer_fit_before_the_batch_deadline_are_released_unattempted(
    world: World, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(delivery, "MAX_PARALLEL_REQUESTS", 1)
    with trickle_peer("status") as peer:
        first = world.cancelled_delivery(f"{peer.url}/hooks")
        second = world.cancelled_delivery(f"{peer.url}/hooks")
        # Batch deadline 1.6 s: after the first's 1.2 s, less than half a deadline is left.
        decisions = batch(world, [first, second], lease=timedelta(seconds=2), timeout=1.2)
    assert list(decisions) == [first]
    row = world.row(second)
    assert (row.status, row.attempts, row.lease_until) == ("pending", 0, None)
    assert world.attempts(second) == []


def test_an_outcome_is_not_recorded_once_the_lease_is_lost(world: World):
    """A batch that outlived its lease (another worker holds the row now) records nothing:
    each attempt is applied once, by whoever holds the lease."""
    delivery_id = world.cancelled_delivery()
    now = Clock().now
    ours, theirs = now + timedelta(seconds=30), now + timedelta(seconds=45)
    with world.database.transaction() as db:
        db.get_one(EventDelivery, delivery_id).lease_until = theirs
    prepared = PreparedRequest(delivery_id, world.receiver.url, "test", b"{}", {}, 1)
    with world.database.transaction() as db:
        assert _record(db, [(prepared, timed_out(10))], ours, now, now) == {}
    row = world.row(delivery_id)
    assert (row.status, row.attempts, row.lease_until) == ("pending", 0, theirs)
    assert world.attempts(delivery_id) == []


def test_a_receiver_with_many_events_does_not_crowd_out_other_receivers(
    world: World, other_merchant: Merchant, monkeypatch: pytest.MonkeyPatch
):
    """Two requests at a time, and the batch's deadline leaves room for about one round of
    slow ones: the other tenant's request goes out first, not behind the trickling three."""
    monkeypatch.setattr(delivery, "MAX_PARALLEL_REQUESTS", 2)
    with trickle_peer("status") as peer:
        slow = [cancelled_delivery_of(world, world.merchant, f"{peer.url}/hooks") for _ in range(3)]
        fast = cancelled_delivery_of(world, other_merchant, world.receiver.url)
        decisions = batch(world, [*slow, fast], lease=timedelta(seconds=2), timeout=1.2)
    assert decisions[fast].step is NextStep.DELIVERED
    assert slow[2] not in decisions  # the last one had no time left: released for later
