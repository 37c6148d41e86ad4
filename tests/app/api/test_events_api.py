"""Events API: list, get (with the attempt log), redeliver; tenants never see each other's."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from app.db import Database
from app.models.base import utcnow
from app.payments.sessions import expire_overdue_sessions
from tests.conftest import Merchant


def cancel(client: FlaskClient, merchant: Merchant, session_id: str) -> None:
    assert (
        client.post(
            f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers()
        ).status_code
        == 200
    )


def test_events_list_paginates_and_filters(
    client: FlaskClient, merchant: Merchant, create_session, database: Database
):
    ids = [create_session(webhookUrl="https://merchant.example/hook") for _ in range(3)]
    for session_id in ids:
        cancel(client, merchant, session_id)
    expiring = create_session(expiresIn=60)
    with database.transaction() as db:
        expire_overdue_sessions(db, utcnow() + timedelta(minutes=5))
    page = client.get(
        "/api/events", query_string={"limit": 2}, headers=merchant.headers()
    ).get_json()
    assert page["hasMore"] is True
    assert len(page["data"]) == 2
    rest = client.get(
        "/api/events", query_string={"cursor": page["nextCursor"]}, headers=merchant.headers()
    ).get_json()
    all_events = page["data"] + rest["data"]
    assert [e["event"] for e in all_events] == ["session.expired"] + ["payment.cancelled"] * 3
    assert all_events[0]["data"]["sessionId"] == expiring
    assert all_events[0]["deliveries"] == []
    assert all_events[1]["deliveries"][0]["url"] == "https://merchant.example/hook"
    assert all_events[1]["deliveries"][0]["status"] == "pending"
    filtered = client.get(
        "/api/events", query_string={"event": "session.expired"}, headers=merchant.headers()
    ).get_json()["data"]
    assert [e["sessionId"] for e in filtered] == [expiring]


def test_get_event_and_isolation(
    client: FlaskClient, merchant: Merchant, other_merchant: Merchant, create_session
):
    session_id = create_session()
    cancel(client, merchant, session_id)
    event = client.get("/api/events", headers=merchant.headers()).get_json()["data"][0]
    got = client.get(f"/api/events/{event['id']}", headers=merchant.headers())
    assert got.status_code == 200
    assert got.get_json()["data"]["id"] == event["id"]
    assert got.get_json()["data"]["createdAt"].endswith("Z")
    for headers in (other_merchant.headers(), merchant.headers("live")):
        hidden = client.get(f"/api/events/{event['id']}", headers=headers)
        assert hidden.status_code == 404
        assert hidden.get_json()["error"]["code"] == "event_not_found"
    assert client.get("/api/events", headers=other_merchant.headers()).get_json()["data"] == []


def test_redeliver_starts_a_fresh_schedule(
    app: Flask, client: FlaskClient, merchant: Merchant, create_session, database: Database
):
    from app.models import EventDelivery

    session_id = create_session(webhookUrl="https://merchant.example/hook")
    cancel(client, merchant, session_id)
    event = client.get("/api/events", headers=merchant.headers()).get_json()["data"][0]
    delivery_id = event["deliveries"][0]["id"]
    with database.transaction() as db:
        row = db.get_one(EventDelivery, delivery_id)
        row.status, row.attempts, row.next_attempt_at = "dead", 10, None
    response = client.post(f"/api/events/{event['id']}/redeliver", headers=merchant.headers())
    assert response.status_code == 202
    delivery = response.get_json()["data"]["deliveries"][0]
    assert delivery["status"] == "pending"
    assert delivery["attempts"] == 0
    assert delivery["nextAttemptAt"] is not None


def test_redeliver_unknown_event_is_404(client: FlaskClient, merchant: Merchant):
    response = client.post("/api/events/evt_nope/redeliver", headers=merchant.headers())
    assert response.status_code == 404


def test_expiry_emits_one_event_and_one_delivery(
    client: FlaskClient, merchant: Merchant, create_session, database: Database
):
    session_id = create_session(expiresIn=60, webhookUrl="https://merchant.example/hook")
    later = utcnow() + timedelta(minutes=2)
    with database.transaction() as db:
        expire_overdue_sessions(db, later)
    with database.transaction() as db:
        expire_overdue_sessions(db, later + timedelta(minutes=1))
    client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    events = client.get(
        "/api/events", query_string={"sessionId": session_id}, headers=merchant.headers()
    ).get_json()["data"]
    assert [e["event"] for e in events] == ["session.expired"]
    assert len(events[0]["deliveries"]) == 1
    assert events[0]["data"]["expiredAt"] is not None


def test_event_bodies_match_the_published_schema(
    client: FlaskClient, merchant: Merchant, create_session
):
    from app.api.responses import EventListResponse, EventResponse

    session_id = create_session(webhookUrl="https://merchant.example/hook")
    cancel(client, merchant, session_id)
    listed = EventListResponse.model_validate(
        client.get("/api/events", headers=merchant.headers()).get_json()
    )
    one = EventResponse.model_validate(
        client.get(f"/api/events/{listed.data[0].id}", headers=merchant.headers()).get_json()
    )
    assert one.data.deliveries[0].attemptLog == []
