"""Idempotency-Key: replay the first response, refuse a reused key with another body."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.db import Database
from app.models import CheckoutSession
from tests.conftest import Merchant, session_body


def count_sessions(database: Database) -> int:
    with database.transaction() as session:
        return session.scalar(select(func.count()).select_from(CheckoutSession)) or 0


def test_replay_returns_first_response(client: FlaskClient, merchant: Merchant, database: Database):
    headers = merchant.headers(**{"Idempotency-Key": "order-123-attempt"})
    first = client.post("/api/checkout/create-session", json=session_body(), headers=headers)
    before = count_sessions(database)
    second = client.post("/api/checkout/create-session", json=session_body(), headers=headers)
    assert second.status_code == first.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count_sessions(database) == before


def test_same_key_other_body_is_409(client: FlaskClient, merchant: Merchant):
    headers = merchant.headers(**{"Idempotency-Key": "k-1"})
    client.post("/api/checkout/create-session", json=session_body(), headers=headers)
    other = client.post(
        "/api/checkout/create-session",
        json=session_body(platformOrderId="order_999"),
        headers=headers,
    )
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"


def test_errors_are_replayed_too(client: FlaskClient, merchant: Merchant):
    headers = merchant.headers(**{"Idempotency-Key": "bad-1"})
    body = session_body(totalAmount=1)
    first = client.post("/api/checkout/create-session", json=body, headers=headers)
    second = client.post("/api/checkout/create-session", json=body, headers=headers)
    assert first.status_code == second.status_code == 400
    assert second.get_json() == first.get_json()


def test_keys_are_per_account_and_mode(
    client: FlaskClient, merchant: Merchant, other_merchant: Merchant
):
    key = {"Idempotency-Key": "shared-key"}
    a = client.post(
        "/api/checkout/create-session", json=session_body(), headers=merchant.headers(**key)
    )
    b = client.post(
        "/api/checkout/create-session", json=session_body(), headers=other_merchant.headers(**key)
    )
    c = client.post(
        "/api/checkout/create-session", json=session_body(), headers=merchant.headers("live", **key)
    )
    ids = {a.get_json()["sessionId"], b.get_json()["sessionId"], c.get_json()["sessionId"]}
    assert len(ids) == 3


def test_cancel_is_idempotent_with_key(client: FlaskClient, merchant: Merchant, create_session):
    session_id = create_session()
    headers = merchant.headers(**{"Idempotency-Key": "cancel-1"})
    first = client.post(f"/api/checkout/session/{session_id}/cancel", headers=headers)
    second = client.post(f"/api/checkout/session/{session_id}/cancel", headers=headers)
    assert first.status_code == second.status_code == 200
    without_key = client.post(
        f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers()
    )
    assert without_key.status_code == 409


def test_overlong_key_is_rejected(client: FlaskClient, merchant: Merchant):
    response = client.post(
        "/api/checkout/create-session",
        json=session_body(),
        headers=merchant.headers(**{"Idempotency-Key": "k" * 256}),
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_idempotency_key"
