"""An approval the session cannot take (another currency or amount) is declined and voided
through a void recorded before the gateway call: settled after it, swept while pending,
kept as failed when the gateway refuses."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, text

from app.gateways import GatewayTimeout
from app.models import CheckoutSession, Event, GatewayOperation, PaymentAttempt
from app.models.base import utcnow
from app.payments.gateway_calls import RETRY_PENDING_AFTER
from app.payments.operations import retry_pending_operations
from tests.app.checkout.checkout_helpers import pay
from tests.app.payments.gateway_doubles import HookedGateway, hook_gateways, raising

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}


def _in_dollars(real, request):
    return replace(real(request), currency="USD")


def _one_more_thousand(real, request):
    result = real(request)
    return replace(result, amount=result.amount + 1000)


def _state(database, session_id):
    with database.transaction() as db:
        session = db.get_one(CheckoutSession, session_id)
        attempt = db.scalars(
            select(PaymentAttempt).where(PaymentAttempt.session_id == session_id)
        ).one()
        operations = db.scalars(
            select(GatewayOperation).where(GatewayOperation.session_id == session_id)
        ).all()
        events = db.scalars(select(Event.type).where(Event.session_id == session_id)).all()
        return (
            (session.status, session.paid_amount),
            (attempt.status, attempt.failure_code),
            [(op.kind, op.status, op.amount, op.attempt_id == attempt.id) for op in operations],
            list(events),
        )


def test_approval_in_another_currency_is_declined_and_voided(app, client, create_session, database):
    hook_gateways(app, confirm_payment=_in_dollars)
    session_id = create_session()
    pay(client, session_id, "card", choices=APPROVE)
    assert _state(database, session_id) == (
        ("processing", 0),
        ("failed", "amount_mismatch"),
        [("void_payment", "succeeded", 29000, True)],
        ["payment.failed"],
    )


def test_a_void_the_gateway_refuses_stays_visible_as_failed(app, client, create_session, database):
    # The sandbox refuses to void 30,000 won of a 29,000 won payment.
    hook_gateways(app, confirm_payment=_one_more_thousand)
    session_id = create_session()
    pay(client, session_id, "card", choices=APPROVE)
    state = _state(database, session_id)
    assert state[1] == ("failed", "amount_mismatch")
    assert state[2] == [("void_payment", "failed", 30000, True)]
    with database.transaction() as db:
        operation = db.scalars(
            select(GatewayOperation).where(GatewayOperation.session_id == session_id)
        ).one()
        assert operation.failure_code == "unknown_transaction"
        assert operation.settled_at is not None


def test_a_void_without_an_answer_is_pending_until_the_sweep_settles_it(
    app, client, create_session, database
):
    real = hook_gateways(app, confirm_payment=_in_dollars, refund=raising(GatewayTimeout()))
    session_id = create_session()
    pay(client, session_id, "card", choices=APPROVE)
    assert _state(database, session_id)[2] == [("void_payment", "pending", 29000, True)]
    later = utcnow() + RETRY_PENDING_AFTER + timedelta(seconds=1)
    assert retry_pending_operations(database.session_factory, real, later) >= 1
    assert _state(database, session_id)[2] == [("void_payment", "succeeded", 29000, True)]


def _no_transaction_open(database) -> bool:
    """No connection holds a transaction (on SQLite: the write lock every one of ours takes)."""
    if database.is_sqlite:
        probe = sqlite3.connect(database.engine.url.database, timeout=0.2, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            probe.close()
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state LIKE 'idle in transaction%'"
    )
    with database.engine.connect() as connection:
        return connection.scalar(query) == 0


def test_the_sweep_holds_no_transaction_while_the_gateway_voids(
    app, client, create_session, database
):
    real = hook_gateways(app, confirm_payment=_in_dollars, refund=raising(GatewayTimeout()))
    session_id = create_session()
    pay(client, session_id, "card", choices=APPROVE)
    assert _no_transaction_open(database)
    seen: list[bool] = []

    def void(real_refund, request):
        seen.append(_no_transaction_open(database))
        return real_refund(request)

    def provider(name, mode):
        return HookedGateway(real(name, mode), {"refund": void})

    later = utcnow() + RETRY_PENDING_AFTER + timedelta(seconds=1)
    assert retry_pending_operations(database.session_factory, provider, later) >= 1
    assert seen == [True]
    assert _state(database, session_id)[2] == [("void_payment", "succeeded", 29000, True)]
