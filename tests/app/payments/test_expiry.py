"""Expiry: a read of an overdue session reports `expired`; the sweep expires the rest;
`session.expired` is recorded exactly once per session."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from app.db import Database
from app.jobs import sweep_expired_sessions
from app.models import CheckoutSession, Event
from app.models.base import utcnow
from app.payments.sessions import expire_overdue_sessions, get_session
from app.payments.tenancy import Mode, Tenant
from tests.conftest import Merchant


def expired_events(database: Database, session_id: str) -> list[Event]:
    with database.transaction() as session:
        return list(
            session.scalars(
                select(Event).where(Event.session_id == session_id, Event.type == "session.expired")
            )
        )


def test_read_of_overdue_session_reports_expired_once(
    database: Database, merchant: Merchant, create_session
):
    session_id = create_session(expiresIn=60)
    tenant = Tenant(merchant.account_id, Mode.TEST)
    later = utcnow() + timedelta(seconds=61)
    with database.transaction() as db:
        assert get_session(db, tenant, session_id, later).status == "expired"
    with database.transaction() as db:
        session = get_session(db, tenant, session_id, later + timedelta(hours=1))
        assert session.status == "expired"
        assert session.expired_at == later
    assert len(expired_events(database, session_id)) == 1


def test_sweep_expires_overdue_and_leaves_others(database: Database, create_session):
    overdue = create_session(expiresIn=60)
    fresh = create_session()
    later = utcnow() + timedelta(minutes=2)
    with database.transaction() as db:
        count = expire_overdue_sessions(db, later)
    assert count >= 1
    with database.transaction() as db:
        assert db.get(CheckoutSession, overdue).status == "expired"
        assert db.get(CheckoutSession, fresh).status == "pending"
        assert expire_overdue_sessions(db, later) == 0
    assert len(expired_events(database, overdue)) == 1


def test_sweep_job_leaves_nothing_overdue_now(database: Database, create_session):
    create_session()
    sweep_expired_sessions(database)
    with database.transaction() as db:
        overdue = db.scalars(
            select(CheckoutSession).where(
                CheckoutSession.status.in_(["pending", "processing"]),
                CheckoutSession.expires_at <= utcnow(),
            )
        ).all()
    assert overdue == []


def test_expired_session_refuses_changes(
    client: FlaskClient, merchant: Merchant, database: Database, create_session
):
    session_id = create_session(expiresIn=60)
    with database.transaction() as db:
        expire_overdue_sessions(db, utcnow() + timedelta(minutes=5))
    got = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    assert got.get_json()["data"]["status"] == "expired"
    patch = client.patch(
        f"/api/checkout/session/{session_id}",
        json={"metadata": {"a": "b"}},
        headers=merchant.headers(),
    )
    assert patch.status_code == 409
    cancel = client.post(f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers())
    assert cancel.status_code == 409
    assert cancel.get_json()["error"]["code"] == "invalid_state"
