"""A payment approved after its session closed never completes it and is voided."""

from sqlalchemy import select

from app.models import Event, PaymentAttempt
from tests.app.checkout.checkout_helpers import open_window, submit_window

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}


def test_approval_after_cancel_is_voided(client, merchant, create_session, database):
    session_id = create_session()
    window = open_window(client, session_id, "card")
    cancelled = client.post(
        f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers()
    )
    assert cancelled.status_code == 200
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
    assert attempt.status == "voided"
    assert events == ["payment.cancelled"]
