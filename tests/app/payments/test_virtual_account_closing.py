"""A session gets one virtual account; one that ends without the deposit has its account
closed at the gateway (scheduled at issue, armed and settled by the sweep, once); one that
was paid keeps nothing to close."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.models import GatewayOperation, PaymentAttempt
from app.models.base import utcnow
from app.payments.money_sweeps import sweep_pending_money
from app.payments.sessions import get_session
from app.payments.tenancy import Mode, Tenant
from tests.app.checkout.checkout_helpers import open_window, pay, submit_window
from tests.app.payments.gateway_doubles import hook_gateways


class CloseLog:
    def __init__(self) -> None:
        self.requests: list = []

    def hook(self, real, request):
        self.requests.append(request)
        return real(request)

    def for_session(self, session_id):
        return [r.idempotency_key for r in self.requests if r.order_id == session_id]


def _operations(database, session_id):
    with database.transaction() as db:
        rows = db.scalars(
            select(GatewayOperation).where(GatewayOperation.session_id == session_id)
        ).all()
        return [(op.id, op.kind, op.status) for op in rows]


def _sweep(app, database, when):
    sweep_pending_money(database.session_factory, app.extensions["kc.gateways"], when)


def test_account_of_an_expired_session_is_closed_once(
    app, client, merchant, create_session, database
):
    closes = CloseLog()
    hook_gateways(app, close_virtual_account=closes.hook)
    session_id = create_session()
    assert pay(client, session_id, "virtual_account").status_code == 200
    [(operation_id, kind, status)] = _operations(database, session_id)
    assert (kind, status) == ("close_account", "scheduled")
    _sweep(app, database, utcnow())
    assert closes.for_session(session_id) == []  # still waiting for its deposit
    after_due = utcnow() + timedelta(days=5)
    with database.transaction() as db:
        tenant = Tenant(merchant.account_id, Mode.TEST)
        assert get_session(db, tenant, session_id, after_due).status == "expired"
    _sweep(app, database, after_due)
    _sweep(app, database, after_due + timedelta(hours=1))
    assert closes.for_session(session_id) == [operation_id]
    assert _operations(database, session_id) == [(operation_id, "close_account", "succeeded")]


def test_a_paid_account_needs_no_closing(app, client, merchant, create_session, database):
    closes = CloseLog()
    hook_gateways(app, close_virtual_account=closes.hook)
    session_id = create_session()
    pay(client, session_id, "virtual_account")
    deposit = client.post(
        f"/api/sandbox/virtual-accounts/{session_id}/deposit", json={}, headers=merchant.headers()
    )
    assert deposit.status_code == 200, deposit.get_json()
    _sweep(app, database, utcnow())
    assert closes.for_session(session_id) == []
    [(_, kind, status)] = _operations(database, session_id)
    assert (kind, status) == ("close_account", "skipped")


def test_a_second_account_is_never_issued(app, client, merchant, create_session, database):
    session_id = create_session()
    first = open_window(client, session_id, "virtual_account")
    second = open_window(client, session_id, "virtual_account")
    submit_window(client, first, action="approve")
    account = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    submit_window(client, second, action="approve")
    again = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    assert (
        again.get_json()["data"]["virtualAccount"] == account.get_json()["data"]["virtualAccount"]
    )
    with database.transaction() as db:
        statuses = sorted(
            db.scalars(select(PaymentAttempt.status).where(PaymentAttempt.session_id == session_id))
        )
    assert statuses == ["not_confirmed", "waiting_for_deposit"]
    assert [kind for _, kind, _ in _operations(database, session_id)] == ["close_account"]
