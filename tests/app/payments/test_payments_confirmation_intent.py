"""A window's return is on record before the gateway confirms it: a worker that dies after
the gateway approved leaves an attempt the sweep confirms again (once); a session that
closes while the gateway answers gets the money back through a recorded void."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.gateways import GatewayTimeout
from app.models import CheckoutSession, Event, GatewayOperation, PaymentAttempt
from app.models.base import utcnow
from app.payments.gateway_calls import RETRY_PENDING_AFTER
from app.payments.payments import retry_confirmations
from app.payments.sessions import get_session
from app.payments.tenancy import Mode, Tenant
from tests.app.checkout.checkout_helpers import open_window, submit_window
from tests.app.payments.gateway_doubles import after_answer, hook_gateways, raising

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}


def _state(database, session_id):
    with database.transaction() as db:
        session = db.get_one(CheckoutSession, session_id)
        attempt = db.scalars(
            select(PaymentAttempt).where(PaymentAttempt.session_id == session_id)
        ).one()
        query = select(GatewayOperation.kind, GatewayOperation.status).where(
            GatewayOperation.session_id == session_id
        )
        operations = [tuple(row) for row in db.execute(query)]
        events = db.scalars(select(Event.type).where(Event.session_id == session_id)).all()
        return (session.status, session.paid_amount), attempt.status, operations, list(events)


def _sweep(database, gateways):
    later = utcnow() + RETRY_PENDING_AFTER + timedelta(seconds=1)
    retry_confirmations(database.session_factory, gateways, later)


def _pay_with(app, client, create_session, **hooks):
    session_id = create_session()
    window = open_window(client, session_id, "card")
    real = hook_gateways(app, **hooks)
    response = submit_window(client, window, **APPROVE)
    return session_id, response, real


def test_approval_lost_with_its_worker_is_confirmed_by_the_sweep_once(
    app, client, create_session, database
):
    session_id, response, real = _pay_with(
        app, client, create_session, confirm_payment=after_answer(RuntimeError("worker lost"))
    )
    assert response.status_code == 500
    assert _state(database, session_id) == (("processing", 0), "confirming", [], [])
    _sweep(database, real)
    _sweep(database, real)
    assert _state(database, session_id) == (
        ("completed", 29000),
        "approved",
        [],
        ["payment.completed"],
    )


def test_a_timed_out_confirmation_is_asked_again(app, client, create_session, database):
    session_id, _, real = _pay_with(
        app, client, create_session, confirm_payment=raising(GatewayTimeout())
    )
    assert _state(database, session_id)[:2] == (("processing", 0), "timed_out")
    _sweep(database, real)
    assert _state(database, session_id)[:2] == (("completed", 29000), "approved")


def test_session_closed_while_the_gateway_answered_gets_the_money_back(
    app, merchant, client, create_session, database
):
    tenant = Tenant(merchant.account_id, Mode.TEST)
    closed: list[str] = []

    def expire_then_confirm(real, request):
        with database.transaction() as db:
            later = utcnow() + timedelta(days=2)
            closed.append(get_session(db, tenant, request.order_id, later).status)
        return real(request)

    session_id, _, _ = _pay_with(app, client, create_session, confirm_payment=expire_then_confirm)
    assert closed == ["expired"]
    assert _state(database, session_id) == (
        ("expired", 0),
        "voided",
        [("void_payment", "succeeded")],
        ["session.expired"],
    )
