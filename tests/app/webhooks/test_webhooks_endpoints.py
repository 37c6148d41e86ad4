"""Webhook endpoints with their own secret: registration through the API, deliveries signed
with that secret (others keep the shop's), and a corrupt stored secret failing only its own
deliveries."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.api.responses import WebhookEndpointResponse
from app.db import Database
from app.models import (
    DeliveryAttempt,
    Event,
    EventDelivery,
    Shop,
    ShopWebhookSecret,
    WebhookEndpoint,
)
from app.webhooks.delivery import deliver_batch
from app.webhooks.verify import WebhookVerificationError, verify_webhook
from tests.conftest import Merchant, session_body
from tests.webhook_receiver import Received, Receiver, webhook_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


def register(client: FlaskClient, merchant: Merchant, url: str, mode: str = "test") -> Any:
    return client.post("/api/webhook-endpoints", json={"url": url}, headers=merchant.headers(mode))


def shop_secret(client: FlaskClient, merchant: Merchant) -> str:
    shops = client.get("/api/shops", headers=merchant.headers()).get_json()["data"]
    default = next(shop for shop in shops if shop["is_default"])
    answer = client.get(f"/api/shops/{default['id']}/webhook-secret", headers=merchant.headers())
    secret: str = answer.get_json()["data"]["secret"]
    return secret


def cancelled_delivery(
    client: FlaskClient, merchant: Merchant, database: Database, url: str
) -> tuple[str, str]:
    """(delivery id, session id) of a cancelled session's event for `url`."""
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
    with database.transaction() as db:
        event = db.scalars(select(Event).where(Event.session_id == session_id)).one()
        delivery = db.scalars(
            select(EventDelivery.id).where(EventDelivery.event_id == event.id)
        ).one()
    return delivery, session_id


def received_for(receiver: Receiver, session_id: str) -> Received:
    return next(
        r for r in receiver.received if json.loads(r.body)["data"]["sessionId"] == session_id
    )


def deliver(app: Flask, ids: list[str]) -> None:
    deliver_batch(
        app.extensions["kc.database"],
        app.extensions["kc.secret_box"],
        app.extensions["kc.http"],
        ids=ids,
    )


def test_registration_returns_one_secret_per_tenant_and_url(
    client: FlaskClient, merchant: Merchant, other_merchant: Merchant
) -> None:
    url = "https://receiver.example.test/hooks"
    first = register(client, merchant, url)
    assert first.status_code == 200, first.get_json()
    data = WebhookEndpointResponse.model_validate(first.get_json()).data.model_dump()
    assert data["url"] == url
    assert data["secret"].startswith("whsec_")
    assert data["secret"] != shop_secret(client, merchant)
    # Asking again (a receiver restarting) gives the same endpoint and secret.
    assert register(client, merchant, url).get_json()["data"] == data
    # Another account's endpoint for the same URL is its own, and so is each mode's.
    theirs = register(client, other_merchant, url).get_json()["data"]
    live = register(client, merchant, url, mode="live").get_json()["data"]
    assert len({data["id"], theirs["id"], live["id"]}) == 3
    assert len({data["secret"], theirs["secret"], live["secret"]}) == 3


def test_registration_needs_a_key_and_a_url_the_mode_accepts(
    client: FlaskClient, merchant: Merchant
) -> None:
    anonymous = client.post("/api/webhook-endpoints", json={"url": "https://r.example.test/h"})
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "invalid_api_key"
    for url in ("not a url", "ftp://r.example.test/h"):
        bad = register(client, merchant, url)
        assert bad.status_code == 400
        assert bad.get_json()["error"]["details"]["field"] == "url"
    insecure = register(client, merchant, "http://r.example.test/h", mode="live")
    assert insecure.status_code == 400
    assert insecure.get_json()["error"]["details"]["field"] == "url"


def test_a_registered_endpoint_is_signed_with_its_own_secret_others_with_the_shops(
    app: Flask, client: FlaskClient, merchant: Merchant, database: Database, receiver: Receiver
) -> None:
    own_url = f"{receiver.url}?own"
    own_secret = register(client, merchant, own_url).get_json()["data"]["secret"]
    own, own_session = cancelled_delivery(client, merchant, database, own_url)
    plain, plain_session = cancelled_delivery(client, merchant, database, receiver.url)
    deliver(app, [own, plain])
    receiver.wait_for(2)
    shops_secret = shop_secret(client, merchant)
    own_request = received_for(receiver, own_session)
    verify_webhook(own_request.body, own_request.headers, own_secret)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(own_request.body, own_request.headers, shops_secret)
    plain_request = received_for(receiver, plain_session)
    verify_webhook(plain_request.body, plain_request.headers, shops_secret)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(plain_request.body, plain_request.headers, own_secret)


def corrupt_endpoint_secret(db: Session, url: str, _account_id: str) -> None:
    db.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.url == url)
        .values(encrypted_secret="gAAAAA-not-a-token")
    )


def corrupt_shop_secret(db: Session, _url: str, account_id: str) -> None:
    shops = select(Shop.id).where(Shop.account_id == account_id)
    db.execute(
        update(ShopWebhookSecret)
        .where(ShopWebhookSecret.shop_id.in_(shops))
        .values(encrypted_secret="gAAAAA-not-a-token")
    )


@pytest.mark.parametrize("corrupt", [corrupt_endpoint_secret, corrupt_shop_secret])
def test_a_corrupt_stored_secret_fails_only_its_own_delivery(
    app: Flask,
    client: FlaskClient,
    merchant: Merchant,
    other_merchant: Merchant,
    database: Database,
    receiver: Receiver,
    corrupt: Callable[[Session, str, str], None],
) -> None:
    broken_url = f"{receiver.url}?a"
    if corrupt is corrupt_endpoint_secret:
        register(client, merchant, broken_url)
    broken, _ = cancelled_delivery(client, merchant, database, broken_url)
    healthy, _ = cancelled_delivery(client, other_merchant, database, receiver.url)
    shop_secret(client, merchant)  # the shop's secret exists before it is corrupted
    with database.transaction() as db:
        corrupt(db, broken_url, merchant.account_id)
    deliver(app, [broken, healthy])
    receiver.wait_for(1)
    with database.transaction() as db:
        broken_row = db.get_one(EventDelivery, broken)
        healthy_row = db.get_one(EventDelivery, healthy)
        attempts = list(
            db.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == broken))
        )
    assert healthy_row.status == "succeeded"
    assert len(receiver.received) == 1
    # Recorded as a failed attempt with its reason, and retried on the usual schedule.
    assert broken_row.status == "pending"
    assert broken_row.next_attempt_at is not None
    assert [(a.status_code, a.attempt_number) for a in attempts] == [(None, 1)]
    assert attempts[0].error is not None
    assert "signing secret" in attempts[0].error
