"""The hosted page end to end through every sandbox gateway, with Flask's test client."""

import pytest
from sqlalchemy import func, select

from app.models import Event, PaymentAttempt
from tests.app.checkout.checkout_helpers import (
    follow,
    forms,
    open_page,
    open_window,
    path_of,
    pay,
    start,
    submit_window,
)

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}


def _get(client, merchant, session_id):
    response = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    assert response.status_code == 200
    return response.get_json()["data"]


def _events(database, session_id):
    with database.transaction() as db:
        query = select(Event.type).where(Event.session_id == session_id).order_by(Event.created_at)
        return list(db.scalars(query))


def test_card_payment_completes_and_lands_on_return_url(client, merchant, create_session, database):
    session_id = create_session()
    response = pay(client, session_id, "card", choices=APPROVE)
    assert response.status_code == 303
    assert response.headers["Location"] == f"https://yourstore.com/success?sessionId={session_id}"
    data = _get(client, merchant, session_id)
    assert data["status"] == "completed"
    assert data["paymentMethod"] == "card"
    assert data["gateway"] == "toss"
    assert data["gatewayTransactionId"].startswith("toss_tx_")
    assert data["completedAt"].endswith("Z")
    assert data["paidAmount"] == 29000
    assert data["installmentMonths"] is None
    assert _events(database, session_id) == ["payment.completed"]


def test_installments_reach_the_gateway_and_the_session(client, merchant, create_session):
    body = {
        "items": [{"name": "노트북 파우치", "price": 60000, "quantity": 1}],
        "totalAmount": 60000,
    }
    session_id = create_session(**body)
    window = open_window(client, session_id, "card", installmentMonths="6")
    assert 'value="6" selected' in window.get_data(as_text=True)
    response = submit_window(client, window, **APPROVE, installment_months="6")
    assert response.status_code == 303
    data = _get(client, merchant, session_id)
    assert (data["status"], data["installmentMonths"]) == ("completed", 6)


def test_installments_are_refused_below_50000_won(client, create_session):
    session_id = create_session()
    response = start(client, session_id, "card", installmentMonths="3")
    assert response.status_code == 400
    assert "할부는 5만원 이상" in response.get_data(as_text=True)


@pytest.mark.parametrize("months", ["²", "-1", "x"])
def test_a_malformed_installment_choice_is_a_400_not_a_crash(client, create_session, months):
    # "²" passes str.isdigit() but not int().
    response = start(client, create_session(), "card", installmentMonths=months)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("method", "gateway"),
    [
        ("kakao_pay", "kcp"),
        ("naver_pay", "inicis"),
        ("samsung_pay", "inicis"),
        ("toss_pay", "toss"),
        ("transfer", "toss"),
    ],
)
def test_easy_pay_and_transfer_complete_through_their_gateway(
    client, merchant, create_session, method, gateway
):
    session_id = create_session()
    response = pay(client, session_id, method)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://yourstore.com/success?")
    data = _get(client, merchant, session_id)
    assert (data["status"], data["paymentMethod"], data["gateway"]) == (
        "completed",
        method,
        gateway,
    )
    assert data["gatewayTransactionId"].startswith(f"{gateway}_tx_")


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ("4330-0000-0000-0002", "잔액이 부족합니다"),
        ("4330-0000-0000-0003", "카드 정보가 올바르지 않습니다"),
        ("4330-0000-0000-0004", "분실·도난 신고된 카드"),
        ("4330-0000-0000-0006", "승인을 거절"),
        ("4330-0000-0000-0005", "지연되었습니다"),
    ],
)
def test_declines_show_a_clear_message_and_allow_a_retry(
    client, merchant, create_session, card, message
):
    session_id = create_session()
    response = pay(client, session_id, "card", choices={"card_number": card})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _get(client, merchant, session_id)["status"] == "processing"
    retry = pay(client, session_id, "card", choices=APPROVE)
    assert retry.status_code == 303
    assert _get(client, merchant, session_id)["status"] == "completed"


def test_decline_records_payment_failed_and_five_declines_fail_the_session(
    client, merchant, create_session, database
):
    session_id = create_session()
    for _ in range(5):
        pay(client, session_id, "card", choices={"card_number": "4330-0000-0000-0002"})
    assert _get(client, merchant, session_id)["status"] == "failed"
    assert _events(database, session_id) == ["payment.failed"] * 5
    page = client.get(f"/checkout/{session_id}").get_data(as_text=True)
    assert "결제에 실패했습니다" in page
    assert 'id="pay-form"' not in page


def test_closing_the_window_returns_to_the_page_without_a_decline(
    client, merchant, create_session, database
):
    session_id = create_session()
    response = pay(client, session_id, "kakao_pay", choices={"action": "cancel"})
    assert response.status_code == 200
    assert "결제창을 닫았습니다" in response.get_data(as_text=True)
    assert _get(client, merchant, session_id)["status"] == "processing"
    assert _events(database, session_id) == []


def test_customer_cancel_goes_to_cancel_url(client, merchant, create_session, database):
    session_id = create_session()
    html = open_page(client, session_id).get_data(as_text=True)
    cancel_form = next(form for form in forms(html) if form.action.endswith("/cancel"))
    response = client.post(path_of(cancel_form.action), data=cancel_form.fields)
    assert response.status_code == 303
    assert response.headers["Location"] == f"https://yourstore.com/cancel?sessionId={session_id}"
    assert _get(client, merchant, session_id)["status"] == "cancelled"
    assert _events(database, session_id) == ["payment.cancelled"]
    assert "결제가 취소되었습니다" in client.get(f"/checkout/{session_id}").get_data(as_text=True)


def _return_response(client, session_id, choices=APPROVE):
    """Run the window and stop before our return endpoint: (path, form data or None)."""
    window = open_window(client, session_id, "card")
    form = forms(window.get_data(as_text=True))[0]
    back = client.post(path_of(form.action), data={**form.fields, **choices})
    assert back.status_code == 303
    return path_of(back.headers["Location"])


def test_second_confirm_changes_nothing(client, merchant, create_session, database):
    session_id = create_session()
    return_path = _return_response(client, session_id)
    first = client.get(return_path)
    second = client.get(return_path)
    assert first.headers["Location"] == second.headers["Location"]
    data = _get(client, merchant, session_id)
    assert data["status"] == "completed"
    assert _events(database, session_id) == ["payment.completed"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "100"),
        ("amount", "%C2%B2"),  # "²": str.isdigit() but not int()
        ("paymentKey", "forged.key"),
        ("orderId", "cs_" + "0" * 32),
    ],
)
def test_tampered_return_never_completes(client, merchant, create_session, field, value):
    session_id = create_session()
    return_path = _return_response(client, session_id)
    tampered = return_path.replace(f"{field}=", f"{field}={value}&ignored=")
    response = client.get(tampered)
    assert response.status_code in (303, 400)
    assert _get(client, merchant, session_id)["status"] == "processing"


def test_return_for_an_unknown_attempt_is_rejected(client, create_session, database):
    session_id = create_session()
    return_path = _return_response(client, session_id)
    other = return_path.replace("/return/pa_", "/return/pa_0")
    response = client.get(other)
    assert response.status_code == 400
    assert "결제 결과를 확인할 수 없습니다" in response.get_data(as_text=True)
    with database.transaction() as db:
        count = db.scalar(select(func.count()).select_from(PaymentAttempt))
        assert count >= 1


def test_follow_helper_is_not_fooled_by_foreign_redirects(client, create_session):
    session_id = create_session()
    response = follow(client, start(client, session_id, "card"))
    assert response.status_code == 200
    assert 'data-testid="sandbox-window"' in response.get_data(as_text=True)
