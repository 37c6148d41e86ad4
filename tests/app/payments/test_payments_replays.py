"""A payment's return replayed on another attempt of a paid session is never confirmed
again (and never voided); nor is a card payment while a virtual account waits for its
deposit, so the gateway takes nothing."""

from urllib.parse import urlsplit

from sqlalchemy import select

from app.models import Event, PaymentAttempt
from tests.app.checkout.checkout_helpers import forms, open_window, path_of, submit_window

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}


def attempts(database, session_id):
    with database.transaction() as db:
        rows = db.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.session_id == session_id)
            .order_by(PaymentAttempt.created_at)
        )
        return {row.id: row.status for row in rows}


def session_data(client, merchant, session_id):
    return client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers()).get_json()[
        "data"
    ]


def test_return_replayed_on_a_second_attempt_changes_nothing(
    client, merchant, create_session, database
):
    session_id = create_session()
    first = open_window(client, session_id, "card")
    open_window(client, session_id, "card")  # a second tab: attempt 2
    form = forms(first.get_data(as_text=True))[0]
    back = client.post(path_of(form.action), data={**form.fields, **APPROVE})
    assert back.status_code in (302, 303)
    returned = client.get(path_of(back.headers["Location"]))
    assert returned.status_code == 303
    ids = attempts(database, session_id)
    paid_attempt = next(a for a, status in ids.items() if status == "approved")
    other = next(a for a in ids if a != paid_attempt)
    query = urlsplit(back.headers["Location"]).query
    replay = client.get(f"/checkout/{session_id}/return/{other}?{query}")
    assert replay.status_code == 303
    data = session_data(client, merchant, session_id)
    assert (data["status"], data["paidAmount"], data["refundedAmount"]) == ("completed", 29000, 0)
    assert attempts(database, session_id) == {paid_attempt: "approved", other: "not_confirmed"}
    with database.transaction() as db:
        types = list(db.scalars(select(Event.type).where(Event.session_id == session_id)))
    assert types == ["payment.completed"]


def test_card_payment_after_a_virtual_account_was_issued_is_not_confirmed(
    client, merchant, create_session, database
):
    session_id = create_session()
    card = open_window(client, session_id, "card")
    issued = submit_window(
        client, open_window(client, session_id, "virtual_account"), action="approve"
    )
    assert issued.status_code == 200
    account = session_data(client, merchant, session_id)["virtualAccount"]
    submit_window(client, card, **APPROVE)
    data = session_data(client, merchant, session_id)
    assert data["status"] == "processing"
    assert data["paymentMethod"] == "virtual_account"
    assert data["virtualAccount"] == account
    assert "not_confirmed" in attempts(database, session_id).values()
    deposit = client.post(
        f"/api/sandbox/virtual-accounts/{session_id}/deposit", json={}, headers=merchant.headers()
    )
    assert deposit.status_code == 200, deposit.get_json()
    assert session_data(client, merchant, session_id)["status"] == "completed"
