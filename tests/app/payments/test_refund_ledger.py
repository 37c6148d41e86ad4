"""Refunds are on record before and after the gateway call: pending first (own commit), then
settled; the sweep settles what stayed pending, once; pending refunds count against the
refundable amount."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.gateways import GatewayDeclined, GatewayTimeout
from app.models import CheckoutSession, Event, Refund
from app.models.base import utcnow
from app.payments.gateway_calls import RETRY_PENDING_AFTER
from app.payments.refunds import retry_pending_refunds
from tests.app.checkout.checkout_helpers import pay
from tests.app.payments.gateway_doubles import (
    Gate,
    HookedGateway,
    after_answer,
    hook_gateways,
    raising,
)

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}


@pytest.fixture
def paid_session(client, create_session):
    session_id = create_session()
    assert pay(client, session_id, "card", choices=APPROVE).status_code == 303
    return session_id


def _refund(client, merchant, session_id, key=None, **body):
    headers = merchant.headers(**({"Idempotency-Key": key} if key else {}))
    return client.post(f"/api/checkout/session/{session_id}/refund", json=body, headers=headers)


def _ledger(database, session_id):
    with database.transaction() as db:
        session = db.get_one(CheckoutSession, session_id)
        refunds = db.scalars(select(Refund).where(Refund.session_id == session_id)).all()
        events = db.scalars(
            select(Event.type).where(
                Event.session_id == session_id, Event.type == "payment.refunded"
            )
        ).all()
        return (
            (session.status, session.refunded_amount),
            sorted((r.status, r.amount) for r in refunds),
            len(events),
        )


def _sweep(database, gateways, after=RETRY_PENDING_AFTER):
    later = utcnow() + after + timedelta(seconds=1)
    return retry_pending_refunds(database.session_factory, gateways, later)


def test_unknown_outcome_is_pending_and_the_sweep_settles_it_once(
    app, client, merchant, paid_session, database
):
    real = hook_gateways(app, refund=raising(GatewayTimeout()))
    response = _refund(client, merchant, paid_session, amount=10000)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"refundId", "status", "amount", "reason", "processedAt"}
    assert (body["status"], body["processedAt"]) == ("pending", None)
    assert _ledger(database, paid_session) == (("completed", 0), [("pending", 10000)], 0)
    shown = client.get(f"/api/checkout/session/{paid_session}", headers=merchant.headers())
    assert shown.get_json()["data"]["refundableAmount"] == 29000 - 10000
    _sweep(database, real, after=timedelta(0))  # still inside the grace period
    assert _ledger(database, paid_session) == (("completed", 0), [("pending", 10000)], 0)
    assert _sweep(database, real) >= 1
    assert _ledger(database, paid_session) == (
        ("partially_refunded", 10000),
        [("succeeded", 10000)],
        1,
    )
    _sweep(database, real)
    assert _ledger(database, paid_session)[2] == 1


def test_a_refused_refund_stays_visible_as_failed(app, client, merchant, paid_session, database):
    hook_gateways(app, refund=raising(GatewayDeclined("취소 불가", gateway_code="NOPE")))
    response = _refund(client, merchant, paid_session, amount=5000)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert (error["code"], error["details"]["gatewayCode"]) == ("gateway_declined", "NOPE")
    assert _ledger(database, paid_session) == (("completed", 0), [("failed", 5000)], 0)
    listed = client.get(f"/api/checkout/session/{paid_session}", headers=merchant.headers())
    data = listed.get_json()["data"]
    assert [(r["refundId"], r["status"]) for r in data["refunds"]] == [
        (error["details"]["refundId"], "failed")
    ]
    assert data["refundableAmount"] == 29000


def test_pending_refunds_count_against_the_refundable_amount(
    app, client, merchant, paid_session, database
):
    gate = Gate()
    hook_gateways(app, refund=gate.hook)
    first: dict[str, object] = {}

    def full_refund() -> None:
        response = _refund(app.test_client(), merchant, paid_session, reason="전액")
        first.update(status=response.status_code, body=response.get_json())

    thread = threading.Thread(target=full_refund)
    thread.start()
    try:
        assert gate.entered.wait(timeout=30)
        second = _refund(client, merchant, paid_session, amount=1000)
        assert second.status_code == 409
        assert second.get_json()["error"]["code"] == "refund_exceeds_refundable"
        assert second.get_json()["error"]["details"]["refundableAmount"] == 0
    finally:
        gate.release.set()
        thread.join(timeout=30)
    assert first["status"] == 201
    assert _ledger(database, paid_session) == (("refunded", 29000), [("succeeded", 29000)], 1)


def test_a_retried_request_finds_the_refund_its_first_try_recorded(
    app, client, merchant, paid_session, database
):
    real = hook_gateways(app, refund=after_answer(RuntimeError("worker lost")))
    died = _refund(client, merchant, paid_session, key="refund-1", amount=4000)
    assert died.status_code == 500
    assert _ledger(database, paid_session) == (("completed", 0), [("pending", 4000)], 0)
    app.extensions["kc.gateways"] = real
    retried = _refund(client, merchant, paid_session, key="refund-1", amount=4000)
    assert retried.status_code == 201, retried.get_json()
    assert retried.get_json()["status"] == "succeeded"
    assert _ledger(database, paid_session) == (
        ("partially_refunded", 4000),
        [("succeeded", 4000)],
        1,
    )


def test_overlapping_sweep_rounds_ask_the_gateway_once(
    app, client, merchant, paid_session, database
):
    """A round slowed by its gateway outlives the sweep lease and the next round starts:
    a refund one round is asking about is not asked again by the other (KCP and Inicis
    refuse a repeat, which would mark a refund that happened as failed)."""
    real = hook_gateways(app, refund=raising(GatewayTimeout()))
    assert _refund(client, merchant, paid_session, amount=7000).status_code == 201
    calls: list[object] = []
    gate = Gate()

    def first_blocks(real_refund, request):
        calls.append(request)
        return gate.hook(real_refund, request) if len(calls) == 1 else real_refund(request)

    def provider(name, mode):
        return HookedGateway(real(name, mode), {"refund": first_blocks})

    later = utcnow() + RETRY_PENDING_AFTER + timedelta(seconds=1)
    first = threading.Thread(
        target=retry_pending_refunds, args=(database.session_factory, provider, later)
    )
    first.start()
    try:
        assert gate.entered.wait(timeout=30)
        retry_pending_refunds(database.session_factory, provider, later + timedelta(minutes=1))
    finally:
        gate.release.set()
        first.join(timeout=30)
    assert len(calls) == 1
    assert _ledger(database, paid_session) == (
        ("partially_refunded", 7000),
        [("succeeded", 7000)],
        1,
    )
