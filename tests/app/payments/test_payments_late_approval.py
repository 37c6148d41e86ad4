"""A window that returns after its session closed is never confirmed: the gateway takes no
money, so there is nothing to void."""

from sqlalchemy import select

from app.models import Event, GatewayOperation, PaymentAttempt
from tests.app.checkout.checkout_helpers import open_window, submit_window
from tests.app.payments.gateway_doubles import hook_gateways

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}


def _never_confirm(_real, _request):
    raise AssertionError("a closed session's payment was sent to the gateway")


def test_return_after_cancel_is_never_confirmed(app, client, merchant, create_session, database):
    session_id = create_session()
    window = open_window(client, session_id, "card")
    cancelled = client.post(
        f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers()
    )
    assert cancelled.status_code == 200
    hook_gateways(app, confirm_payment=_never_confirm)
    response = submit_window(client, window, **APPROVE)
    assert response.status_code == 200
    assert "결제가 취소되었습니다" in response.get_data(as_text=True)
    data = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    body = data.get_json()["data"]
    assert (body["status"], body["paidAmount"], body["gateway"]) == ("cancelled", 0, None)
    with database.transaction() as db:
        attempt = db.scalars(
            select(PaymentAttempt).where(PaymentAttempt.session_id == session_id)
        ).one()
        events = list(db.scalars(select(Event.type).where(Event.session_id == session_id)))
        operations = db.scalars(
            select(GatewayOperation).where(GatewayOperation.session_id == session_id)
        ).all()
    assert attempt.status == "not_confirmed"
    assert events == ["payment.cancelled"]
    assert operations == []
