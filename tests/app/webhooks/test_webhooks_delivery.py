"""Delivery attempts over real HTTP to a local receiver: signatures, retries, dead, 410,
SSRF refusal, every attempt logged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.db import Database
from app.models import DeliveryAttempt, Event, EventDelivery, WebhookEndpoint
from app.models.base import utcnow
from app.webhooks.delivery import attempt_delivery
from app.webhooks.retry_policy import MAX_ATTEMPTS, NextStep
from app.webhooks.verify import verify_standard_webhook, verify_webhook
from tests.conftest import Merchant
from tests.webhook_receiver import Receiver, webhook_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as r:
        yield r


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def cancelled_session_delivery(
    client: FlaskClient,
    merchant: Merchant,
    create_session,
    database: Database,
    url: str,
    mode: str = "test",
) -> str:
    session_id = create_session(mode, webhookUrl=url)
    response = client.post(
        f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers(mode)
    )
    assert response.status_code == 200
    with database.transaction() as db:
        event = db.scalars(select(Event).where(Event.session_id == session_id)).one()
        return db.scalars(select(EventDelivery.id).where(EventDelivery.event_id == event.id)).one()


def deliver(app: Flask, delivery_id: str, clock: Clock):
    return attempt_delivery(
        app.extensions["kc.database"],
        app.extensions["kc.secret_box"],
        requests.Session(),
        delivery_id,
        clock=clock,
    )


def delivery_row(database: Database, delivery_id: str) -> EventDelivery:
    with database.transaction() as db:
        return db.get_one(EventDelivery, delivery_id)


def attempts(database: Database, delivery_id: str) -> list[DeliveryAttempt]:
    with database.transaction() as db:
        return list(
            db.scalars(
                select(DeliveryAttempt)
                .where(DeliveryAttempt.delivery_id == delivery_id)
                .order_by(DeliveryAttempt.attempt_number)
            )
        )


def webhook_secret(client: FlaskClient, merchant: Merchant, mode: str = "test") -> str:
    shops = client.get("/api/shops", headers=merchant.headers(mode)).get_json()["data"]
    default = next(shop for shop in shops if shop["is_default"])
    return client.get(
        f"/api/shops/{default['id']}/webhook-secret", headers=merchant.headers(mode)
    ).get_json()["data"]["secret"]


def test_signed_event_reaches_receiver_and_verifies(
    app: Flask,
    client: FlaskClient,
    merchant: Merchant,
    create_session,
    database: Database,
    receiver: Receiver,
):
    delivery_id = cancelled_session_delivery(
        client, merchant, create_session, database, receiver.url
    )
    clock = Clock()
    assert deliver(app, delivery_id, clock).step is NextStep.DELIVERED
    got = receiver.received[0]
    secret = webhook_secret(client, merchant)
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
    assert delivery_row(database, delivery_id).status == "succeeded"
    # A second run finds nothing to do: no duplicate send.
    assert deliver(app, delivery_id, clock) is None
    assert len(receiver.received) == 1


def test_down_then_500_then_200_delivers_once_with_every_attempt_logged(
    app: Flask,
    client: FlaskClient,
    merchant: Merchant,
    create_session,
    database: Database,
    receiver: Receiver,
):
    dead_port_url = "http://127.0.0.1:9/webhooks"  # discard port: connection refused
    delivery_id = cancelled_session_delivery(
        client, merchant, create_session, database, receiver.url
    )
    with database.transaction() as db:
        delivery = db.get_one(EventDelivery, delivery_id)
        db.get_one(WebhookEndpoint, delivery.endpoint_id).url = dead_port_url
    clock = Clock()
    assert deliver(app, delivery_id, clock).step is NextStep.RETRY
    row = delivery_row(database, delivery_id)
    # Not due yet: nothing happens before the back-off ends.
    assert deliver(app, delivery_id, clock) is None
    with database.transaction() as db:
        db.get_one(WebhookEndpoint, row.endpoint_id).url = receiver.url
    receiver.answer(500)
    clock.now = row.next_attempt_at
    assert deliver(app, delivery_id, clock).step is NextStep.RETRY
    clock.now = delivery_row(database, delivery_id).next_attempt_at
    assert deliver(app, delivery_id, clock).step is NextStep.DELIVERED
    assert [r.answered for r in receiver.received] == [500, 200]
    log = attempts(database, delivery_id)
    assert [a.attempt_number for a in log] == [1, 2, 3]
    assert log[0].status_code is None
    assert log[0].error == "ConnectionError"
    assert [a.status_code for a in log[1:]] == [500, 200]
    assert log[1].response_excerpt == "nope"
    assert all(a.duration_ms >= 0 for a in log)


def test_always_failing_receiver_ends_dead_after_the_schedule(
    app: Flask,
    client: FlaskClient,
    merchant: Merchant,
    create_session,
    database: Database,
    receiver: Receiver,
):
    receiver.default_status = 503
    delivery_id = cancelled_session_delivery(
        client, merchant, create_session, database, receiver.url
    )
    clock = Clock()
    start = clock.now
    steps = []
    while True:
        decision = deliver(app, delivery_id, clock)
        steps.append(decision.step)
        if decision.step is not NextStep.RETRY:
            break
        clock.now = delivery_row(database, delivery_id).next_attempt_at
    assert steps == [NextStep.RETRY] * (MAX_ATTEMPTS - 1) + [NextStep.DEAD]
    assert len(receiver.received) == MAX_ATTEMPTS
    assert timedelta(days=2) < clock.now - start < timedelta(days=4)
    assert delivery_row(database, delivery_id).status == "dead"
    assert len(attempts(database, delivery_id)) == MAX_ATTEMPTS


def test_retry_after_is_honoured(
    app: Flask,
    client: FlaskClient,
    merchant: Merchant,
    create_session,
    database: Database,
    receiver: Receiver,
):
    receiver.answer(429, headers={"Retry-After": "3600"})
    delivery_id = cancelled_session_delivery(
        client, merchant, create_session, database, receiver.url
    )
    clock = Clock()
    assert deliver(app, delivery_id, clock).step is NextStep.RETRY
    wait = delivery_row(database, delivery_id).next_attempt_at - clock.now
    assert timedelta(minutes=59) < wait <= timedelta(hours=1, seconds=1)


def test_gone_disables_endpoint_and_later_events(
    app: Flask,
    client: FlaskClient,
    merchant: Merchant,
    create_session,
    database: Database,
    receiver: Receiver,
):
    receiver.answer(410)
    delivery_id = cancelled_session_delivery(
        client, merchant, create_session, database, receiver.url
    )
    assert deliver(app, delivery_id, Clock()).step is NextStep.DISABLE_ENDPOINT
    assert delivery_row(database, delivery_id).status == "disabled"
    later = cancelled_session_delivery(client, merchant, create_session, database, receiver.url)
    assert delivery_row(database, later).status == "disabled"
    assert deliver(app, later, Clock()) is None
    assert len(receiver.received) == 1


def test_client_error_fails_without_retry(
    app: Flask,
    client: FlaskClient,
    merchant: Merchant,
    create_session,
    database: Database,
    receiver: Receiver,
):
    receiver.answer(400)
    delivery_id = cancelled_session_delivery(
        client, merchant, create_session, database, receiver.url
    )
    assert deliver(app, delivery_id, Clock()).step is NextStep.FAILED
    assert delivery_row(database, delivery_id).status == "failed"


def test_live_mode_refuses_loopback_targets(
    app: Flask,
    client: FlaskClient,
    merchant: Merchant,
    create_session,
    database: Database,
    receiver: Receiver,
):
    url = receiver.url.replace("http://", "https://")
    delivery_id = cancelled_session_delivery(
        client, merchant, create_session, database, url, mode="live"
    )
    assert deliver(app, delivery_id, Clock()).step is NextStep.FAILED
    log = attempts(database, delivery_id)
    assert log[0].error == "target refused: loopback_address"
    assert receiver.received == []


def test_rotation_signs_with_both_secrets(
    app: Flask,
    client: FlaskClient,
    merchant: Merchant,
    create_session,
    database: Database,
    receiver: Receiver,
):
    old = webhook_secret(client, merchant)
    shops = client.get("/api/shops", headers=merchant.headers()).get_json()["data"]
    rotated = client.post(
        f"/api/shops/{shops[0]['id']}/webhook-secret/rotate", headers=merchant.headers()
    ).get_json()["data"]
    new = rotated["secret"]
    assert new != old
    assert new.startswith("whsec_")
    delivery_id = cancelled_session_delivery(
        client, merchant, create_session, database, receiver.url
    )
    clock = Clock()
    deliver(app, delivery_id, clock)
    got = receiver.received[0]
    assert got.headers["X-Korea-Checkout-Signature"].count("v1=") == 2
    assert len(got.headers["Webhook-Signature"].split(" ")) == 2
    for secret in (old, new):
        verify_webhook(got.body, got.headers, secret, now=int(clock.now.timestamp()))
    # After the overlap only the new secret signs.
    later = Clock()
    later.now = clock.now + timedelta(hours=25)
    second = cancelled_session_delivery(client, merchant, create_session, database, receiver.url)
    with database.transaction() as db:
        db.get_one(EventDelivery, second).next_attempt_at = later.now
    deliver(app, second, later)
    assert receiver.received[1].headers["X-Korea-Checkout-Signature"].count("v1=") == 1


def test_no_target_means_no_delivery(
    client: FlaskClient, merchant: Merchant, create_session, database: Database
):
    session_id = create_session()
    client.post(f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers())
    with database.transaction() as db:
        event = db.scalars(select(Event).where(Event.session_id == session_id)).one()
        assert (
            db.scalars(select(EventDelivery).where(EventDelivery.event_id == event.id)).all() == []
        )


def test_shop_webhook_url_is_the_fallback_target(
    app: Flask,
    client: FlaskClient,
    merchant: Merchant,
    create_session,
    database: Database,
    receiver: Receiver,
):
    shop = client.post(
        "/api/shops",
        json={"name": "My Korean Store", "settings": {"webhook_url": receiver.url}},
        headers=merchant.headers(),
    ).get_json()
    session_id = create_session(shopId=shop["id"])
    client.post(f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers())
    events = client.get(
        "/api/events", query_string={"sessionId": session_id}, headers=merchant.headers()
    ).get_json()["data"]
    assert events[0]["deliveries"][0]["url"] == receiver.url
    deliver(app, events[0]["deliveries"][0]["id"], Clock())
    secret = client.get(
        f"/api/shops/{shop['id']}/webhook-secret", headers=merchant.headers()
    ).get_json()["data"]["secret"]
    body = json.loads(receiver.received[0].body)
    assert (
        verify_webhook(
            receiver.received[0].body,
            receiver.received[0].headers,
            secret,
            now=int(utcnow().timestamp()),
        )["id"]
        == body["id"]
    )
