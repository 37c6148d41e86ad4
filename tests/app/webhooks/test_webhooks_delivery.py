"""Delivery attempts over real HTTP to a local receiver: signatures, retries, dead, 410,
SSRF refusal, every attempt logged."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.db import Database
from app.models import DeliveryAttempt, Event, EventDelivery, WebhookEndpoint
from app.models.base import utcnow
from app.webhooks.delivery import attempt_delivery
from app.webhooks.retry_policy import MAX_ATTEMPTS, Decision, NextStep
from app.webhooks.verify import verify_standard_webhook, verify_webhook
from tests.conftest import Merchant
from tests.webhook_receiver import Receiver, webhook_receiver


class Clock:
    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or utcnow()

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    """A merchant, its app and database, and a receiver to deliver to."""

    app: Flask
    client: FlaskClient
    merchant: Merchant
    create_session: Callable[..., str]
    database: Database
    receiver: Receiver

    def cancelled_delivery(self, url: str | None = None, mode: str = "test", **extra: str) -> str:
        session_id = self.create_session(mode, webhookUrl=url or self.receiver.url, **extra)
        response = self.client.post(
            f"/api/checkout/session/{session_id}/cancel", headers=self.merchant.headers(mode)
        )
        assert response.status_code == 200
        with self.database.transaction() as db:
            event = db.scalars(select(Event).where(Event.session_id == session_id)).one()
            return db.scalars(
                select(EventDelivery.id).where(EventDelivery.event_id == event.id)
            ).one()

    def deliver(self, delivery_id: str, clock: Clock) -> Decision | None:
        return attempt_delivery(
            self.app.extensions["kc.database"],
            self.app.extensions["kc.secret_box"],
            self.app.extensions["kc.http"],
            delivery_id,
            clock=clock,
        )

    def row(self, delivery_id: str) -> EventDelivery:
        with self.database.transaction() as db:
            return db.get_one(EventDelivery, delivery_id)

    def attempts(self, delivery_id: str) -> list[DeliveryAttempt]:
        with self.database.transaction() as db:
            return list(
                db.scalars(
                    select(DeliveryAttempt)
                    .where(DeliveryAttempt.delivery_id == delivery_id)
                    .order_by(DeliveryAttempt.attempt_number)
                )
            )

    def get(self, path: str) -> dict:
        return self.client.get(path, headers=self.merchant.headers()).get_json()

    def default_secret(self) -> str:
        shops = self.get("/api/shops")["data"]
        default = next(shop for shop in shops if shop["is_default"])
        return self.get(f"/api/shops/{default['id']}/webhook-secret")["data"]["secret"]


@pytest.fixture
def world(
    app: Flask, client: FlaskClient, merchant: Merchant, create_session, database: Database
) -> Iterator[World]:
    with webhook_receiver() as receiver:
        yield World(app, client, merchant, create_session, database, receiver)


def test_signed_event_reaches_receiver_and_verifies(world: World):
    delivery_id = world.cancelled_delivery()
    clock = Clock()
    assert world.deliver(delivery_id, clock).step is NextStep.DELIVERED
    got = world.receiver.received[0]
    secret = world.default_secret()
    event = verify_webhook(got.body, got.headers, secret, now=int(clock.now.timestamp()))
    assert (
        verify_standard_webhook(got.body, got.headers, secret, now=int(clock.now.timestamp()))
        == event["id"]
    )
    assert event["event"] == "payment.cancelled"
    assert set(event) == {"id", "event", "createdAt", "data"}
    assert event["data"]["platformOrderId"] == "order_123"
    assert event["data"]["customer"] == {"name": "홍길동", "email": "customer@example.com"}
    assert got.headers["X-Korea-Checkout-Event-Id"] == event["id"]
    assert world.row(delivery_id).status == "succeeded"
    # A second run finds nothing to do: no duplicate send.
    assert world.deliver(delivery_id, clock) is None
    assert len(world.receiver.received) == 1


def test_down_then_500_then_200_delivers_once_with_every_attempt_logged(world: World):
    delivery_id = world.cancelled_delivery()
    endpoint_id = world.row(delivery_id).endpoint_id
    with world.database.transaction() as db:
        # The discard port: nothing listens, the connection is refused.
        db.get_one(WebhookEndpoint, endpoint_id).url = "http://127.0.0.1:9/webhooks"
    clock = Clock()
    assert world.deliver(delivery_id, clock).step is NextStep.RETRY
    # Not due yet: nothing happens before the back-off ends.
    assert world.deliver(delivery_id, clock) is None
    with world.database.transaction() as db:
        db.get_one(WebhookEndpoint, endpoint_id).url = world.receiver.url
    world.receiver.answer(500)
    clock.now = world.row(delivery_id).next_attempt_at
    assert world.deliver(delivery_id, clock).step is NextStep.RETRY
    clock.now = world.row(delivery_id).next_attempt_at
    assert world.deliver(delivery_id, clock).step is NextStep.DELIVERED
    assert [r.answered for r in world.receiver.received] == [500, 200]
    log = world.attempts(delivery_id)
    assert [a.attempt_number for a in log] == [1, 2, 3]
    assert log[0].status_code is None
    assert log[0].error == "connection_error"
    assert [a.status_code for a in log[1:]] == [500, 200]
    assert log[1].response_excerpt == "nope"
    assert all(a.duration_ms >= 0 for a in log)


def test_always_failing_receiver_ends_dead_after_the_schedule(world: World):
    world.receiver.default_status = 503
    delivery_id = world.cancelled_delivery()
    clock = Clock()
    start = clock.now
    steps = []
    while True:
        decision = world.deliver(delivery_id, clock)
        steps.append(decision.step)
        if decision.step is not NextStep.RETRY:
            break
        clock.now = world.row(delivery_id).next_attempt_at
    assert steps == [NextStep.RETRY] * (MAX_ATTEMPTS - 1) + [NextStep.DEAD]
    assert len(world.receiver.received) == MAX_ATTEMPTS
    assert timedelta(days=2) < clock.now - start < timedelta(days=4)
    assert world.row(delivery_id).status == "dead"
    assert len(world.attempts(delivery_id)) == MAX_ATTEMPTS


def test_retry_after_is_honoured(world: World):
    world.receiver.answer(429, headers={"Retry-After": "3600"})
    delivery_id = world.cancelled_delivery()
    clock = Clock()
    assert world.deliver(delivery_id, clock).step is NextStep.RETRY
    wait = world.row(delivery_id).next_attempt_at - clock.now
    assert timedelta(minutes=59) < wait <= timedelta(hours=1, seconds=1)


@pytest.mark.parametrize(
    ("status", "step", "row_status"),
    [
        (410, NextStep.DISABLE_ENDPOINT, "disabled"),
        (400, NextStep.FAILED, "failed"),
        (301, NextStep.FAILED, "failed"),
    ],
)
def test_final_answers(world: World, status: int, step: NextStep, row_status: str):
    world.receiver.answer(status, headers={"Location": "https://elsewhere.example/"})
    delivery_id = world.cancelled_delivery()
    assert world.deliver(delivery_id, Clock()).step is step
    assert world.row(delivery_id).status == row_status


def test_gone_endpoint_gets_no_later_events(world: World):
    world.receiver.answer(410)
    world.deliver(world.cancelled_delivery(), Clock())
    later = world.cancelled_delivery()
    assert world.row(later).status == "disabled"
    assert world.deliver(later, Clock()) is None
    assert len(world.receiver.received) == 1


def test_live_mode_refuses_loopback_targets(world: World):
    url = world.receiver.url.replace("http://", "https://")
    delivery_id = world.cancelled_delivery(url, mode="live")
    assert world.deliver(delivery_id, Clock()).step is NextStep.FAILED
    assert world.attempts(delivery_id)[0].error == "target refused: loopback_address"
    assert world.receiver.received == []


def test_rotation_signs_with_both_secrets(world: World):
    old = world.default_secret()
    shop_id = world.get("/api/shops")["data"][0]["id"]
    new = world.client.post(
        f"/api/shops/{shop_id}/webhook-secret/rotate", headers=world.merchant.headers()
    ).get_json()["data"]["secret"]
    assert new != old
    assert new.startswith("whsec_")
    first = world.cancelled_delivery()
    clock = Clock()
    world.deliver(first, clock)
    got = world.receiver.received[0]
    assert got.headers["X-Korea-Checkout-Signature"].count("v1=") == 2
    assert len(got.headers["Webhook-Signature"].split(" ")) == 2
    for secret in (old, new):
        verify_webhook(got.body, got.headers, secret, now=int(clock.now.timestamp()))
    # After the overlap only the new secret signs.
    later = Clock(clock.now + timedelta(hours=25))
    second = world.cancelled_delivery()
    with world.database.transaction() as db:
        db.get_one(EventDelivery, second).next_attempt_at = later.now
    world.deliver(second, later)
    assert world.receiver.received[1].headers["X-Korea-Checkout-Signature"].count("v1=") == 1


def test_no_target_means_no_delivery(world: World):
    session_id = world.create_session()
    world.client.post(
        f"/api/checkout/session/{session_id}/cancel", headers=world.merchant.headers()
    )
    events = world.get(f"/api/events?sessionId={session_id}")["data"]
    assert events[0]["deliveries"] == []


def test_shop_webhook_url_is_the_fallback_target(world: World):
    shop = world.client.post(
        "/api/shops",
        json={"name": "My Korean Store", "settings": {"webhook_url": world.receiver.url}},
        headers=world.merchant.headers(),
    ).get_json()
    session_id = world.create_session(shopId=shop["id"])
    world.client.post(
        f"/api/checkout/session/{session_id}/cancel", headers=world.merchant.headers()
    )
    events = world.get(f"/api/events?sessionId={session_id}")["data"]
    assert events[0]["deliveries"][0]["url"] == world.receiver.url
    world.deliver(events[0]["deliveries"][0]["id"], Clock())
    secret = world.get(f"/api/shops/{shop['id']}/webhook-secret")["data"]["secret"]
    got = world.receiver.received[0]
    verified = verify_webhook(got.body, got.headers, secret, now=int(utcnow().timestamp()))
    assert verified["id"] == json.loads(got.body)["id"]


def test_retries_of_one_endpoint_cannot_fill_a_batch():
    from app.webhooks.delivery import MAX_RETRIES_PER_ENDPOINT, _fair_share

    rows = [EventDelivery(id=f"r{n}", endpoint_id="slow", attempts=2) for n in range(10)]
    rows += [EventDelivery(id=f"f{n}", endpoint_id="slow", attempts=0) for n in range(3)]
    rows += [EventDelivery(id=f"o{n}", endpoint_id="other", attempts=1) for n in range(2)]
    kept = [d.id for d in _fair_share(rows)]
    assert kept == [f"r{n}" for n in range(MAX_RETRIES_PER_ENDPOINT)] + [
        "f0",
        "f1",
        "f2",
        "o0",
        "o1",
    ]


def test_request_goes_to_the_address_the_guard_approved(world: World):
    """The name is resolved once, by the guard; the connection uses that address and the
    original Host header (no second lookup a DNS-rebinding answer could redirect)."""
    from app.webhooks.transport import PreparedRequest, send

    port = world.receiver.url.split(":")[2].split("/")[0]
    lookups: list[str] = []

    def resolver(host: str, _port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    prepared = PreparedRequest(
        delivery_id="whd_x",
        url=f"http://hooks.merchant.test:{port}/in",
        mode="test",
        body=b"{}",
        headers={"X-Probe": "1"},
        attempt_number=1,
    )
    outcome = send(world.app.extensions["kc.http"], prepared, resolver)
    assert outcome.status_code == 200
    assert lookups == ["hooks.merchant.test"]
    assert world.receiver.received[0].headers["Host"] == f"hooks.merchant.test:{port}"
    assert world.receiver.received[0].headers["X-Probe"] == "1"


def test_loopback_targets_can_be_switched_off(world: World):
    from app.webhooks.transport import PreparedRequest, send

    prepared = PreparedRequest(
        delivery_id="whd_x",
        url=world.receiver.url,
        mode="test",
        body=b"{}",
        headers={},
        attempt_number=1,
    )
    refused = send(world.app.extensions["kc.http"], prepared, None, allow_loopback=False)
    assert refused.refused is True
    assert refused.error == "target refused: loopback_address"
    assert world.receiver.received == []


def test_loopback_default_follows_the_environment(tmp_path):
    from app.settings import Settings

    def settings(**values: object) -> Settings:
        return Settings(VAR_DIR=str(tmp_path), **values)  # type: ignore[arg-type]

    assert settings(KC_ENV="development").allow_loopback_targets is True
    production = {
        "KC_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "DATABASE_URL": "sqlite://",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    assert settings(**production).allow_loopback_targets is False
    assert settings(**production, ALLOW_LOOPBACK_TARGETS=True).allow_loopback_targets is True
