"""Virtual accounts: issued in the window, paid through the sandbox deposit endpoint."""

from sqlalchemy import select

from app.models import Event, VirtualAccountDeposit
from tests.app.checkout.checkout_helpers import pay


def _issue(client, create_session):
    session_id = create_session()
    response = pay(client, session_id, "virtual_account")
    assert response.status_code == 200
    return session_id, response.get_data(as_text=True)


def _deposit(client, merchant, session_id, mode="test", **body):
    return client.post(
        f"/api/sandbox/virtual-accounts/{session_id}/deposit",
        json=body,
        headers=merchant.headers(mode),
    )


def _session(client, merchant, session_id):
    response = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    return response.get_json()["data"]


def _event_types(database, session_id):
    with database.transaction() as db:
        query = select(Event.type).where(Event.session_id == session_id).order_by(Event.created_at)
        return list(db.scalars(query))


def test_issue_shows_the_account_and_keeps_the_session_processing(
    client, merchant, create_session, database
):
    session_id, html = _issue(client, create_session)
    data = _session(client, merchant, session_id)
    account = data["virtualAccount"]
    assert data["status"] == "processing"
    assert data["paymentMethod"] == "virtual_account"
    assert account["bank"] == "KB국민은행"
    assert account["holder"]
    assert account["dueDate"].endswith("Z")
    assert account["accountNumber"] in html
    assert "29,000원" in html
    assert "가상계좌가 발급되었습니다" in html
    assert _event_types(database, session_id) == ["virtual_account.issued"]
    # The page keeps showing the account, not a second payment form.
    again = client.get(f"/checkout/{session_id}").get_data(as_text=True)
    assert account["accountNumber"] in again
    assert 'id="pay-form"' not in again


def test_deposit_of_the_total_completes_the_session(client, merchant, create_session, database):
    session_id, _ = _issue(client, create_session)
    response = _deposit(client, merchant, session_id)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert (data["status"], data["paidAmount"]) == ("completed", 29000)
    assert data["completedAt"]
    assert _event_types(database, session_id) == ["virtual_account.issued", "payment.completed"]


def test_wrong_amount_is_rejected_recorded_and_never_completes(
    client, merchant, create_session, database
):
    session_id, _ = _issue(client, create_session)
    response = _deposit(client, merchant, session_id, amount=28000)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "deposit_rejected"
    assert error["details"]["failureCode"] == "amount_mismatch"
    assert _session(client, merchant, session_id)["status"] == "processing"
    with database.transaction() as db:
        deposits = list(db.scalars(select(VirtualAccountDeposit)))
        recorded = [(d.amount, d.accepted) for d in deposits if d.session_id == session_id]
    assert recorded == [(28000, False)]
    assert _deposit(client, merchant, session_id).status_code == 200


def test_deposit_needs_a_sandbox_key_and_an_issued_account(client, merchant, create_session):
    session_id, _ = _issue(client, create_session)
    live = _deposit(client, merchant, session_id, mode="live")
    assert live.status_code == 400
    assert live.get_json()["error"]["code"] == "sandbox_only"
    unpaid = create_session()
    response = _deposit(client, merchant, unpaid)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "no_pending_deposit"


def test_other_merchants_cannot_deposit(client, other_merchant, create_session):
    session_id, _ = _issue(client, create_session)
    response = _deposit(client, other_merchant, session_id)
    assert response.status_code == 404
