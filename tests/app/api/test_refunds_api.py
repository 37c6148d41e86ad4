"""POST /api/checkout/session/{id}/refund as documented; never more than was paid."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.api.responses import SessionResponse
from app.models import Event
from tests.app.checkout.checkout_helpers import pay

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}


@pytest.fixture
def paid_session(client, create_session):
    session_id = create_session()
    assert pay(client, session_id, "card", choices=APPROVE).status_code == 303
    return session_id


def _refund(client, merchant, session_id, **body):
    return client.post(
        f"/api/checkout/session/{session_id}/refund", json=body, headers=merchant.headers()
    )


def _session(client, merchant, session_id):
    response = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    return SessionResponse.model_validate(response.get_json()).data


def test_partial_refund_as_documented(client, merchant, paid_session, database):
    response = _refund(
        client, merchant, paid_session, amount=10000, reason="고객 요청 환불", notify_customer=True
    )
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"refundId", "status", "amount", "reason", "processedAt"}
    assert body["refundId"].startswith("ref_")
    assert (body["status"], body["amount"]) == ("succeeded", 10000)
    assert body["reason"] == "고객 요청 환불"
    assert body["processedAt"].endswith("Z")
    data = _session(client, merchant, paid_session)
    assert data.status == "partially_refunded"
    assert (data.refundedAmount, data.refundableAmount) == (10000, 19000)
    assert [refund.refundId for refund in data.refunds] == [body["refundId"]]
    with database.transaction() as db:
        event = db.scalars(
            select(Event).where(Event.session_id == paid_session, Event.type == "payment.refunded")
        ).one()
        assert (event.data["refundedAmount"], event.data["remainingAmount"]) == (10000, 19000)


def test_refund_without_amount_refunds_the_rest(client, merchant, paid_session):
    assert _refund(client, merchant, paid_session, amount=9000).status_code == 201
    rest = _refund(client, merchant, paid_session, reason="전액 환불")
    assert rest.get_json()["amount"] == 20000
    data = _session(client, merchant, paid_session)
    assert (data.status, data.refundedAmount, len(data.refunds)) == ("refunded", 29000, 2)
    again = _refund(client, merchant, paid_session)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_state"


def test_refund_above_the_refundable_amount_is_refused(client, merchant, paid_session):
    response = _refund(client, merchant, paid_session, amount=29001)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "refund_exceeds_refundable"
    assert error["details"]["refundableAmount"] == 29000
    assert _session(client, merchant, paid_session).status == "completed"


def test_stale_expected_refundable_amount_is_a_conflict(client, merchant, paid_session):
    _refund(client, merchant, paid_session, amount=1000)
    stale = _refund(client, merchant, paid_session, amount=1000, expectedRefundableAmount=29000)
    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "refundable_amount_changed"
    fresh = _refund(client, merchant, paid_session, amount=1000, expectedRefundableAmount=28000)
    assert fresh.status_code == 201


@pytest.mark.parametrize(
    "body",
    [{"amount": 0}, {"amount": -5}, {"amount": 10.5}, {"amount": "1000"}, {"unknown": 1}],
)
def test_bad_bodies_are_400(client, merchant, paid_session, body):
    response = _refund(client, merchant, paid_session, **body)
    assert response.status_code == 400


def test_unpaid_session_cannot_be_refunded(client, merchant, create_session):
    response = _refund(client, merchant, create_session(), amount=1000)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"


def test_live_key_cannot_refund_a_test_session(client, merchant, paid_session):
    response = client.post(
        f"/api/checkout/session/{paid_session}/refund", json={}, headers=merchant.headers("live")
    )
    assert response.status_code == 404


def test_virtual_account_refund_needs_the_customers_account(client, merchant, create_session):
    session_id = create_session()
    pay(client, session_id, "virtual_account")
    deposit = client.post(
        f"/api/sandbox/virtual-accounts/{session_id}/deposit", json={}, headers=merchant.headers()
    )
    assert deposit.status_code == 200
    missing = _refund(client, merchant, session_id)
    assert missing.status_code == 400
    assert missing.get_json()["error"]["code"] == "refund_account_required"
    account = {"bankCode": "088", "accountNumber": "110-123-456789", "holderName": "홍길동"}
    done = _refund(client, merchant, session_id, refundAccount=account)
    assert done.status_code == 201
    assert _session(client, merchant, session_id).status == "refunded"


def test_fifty_concurrent_refunds_never_exceed_the_paid_amount(app, client, merchant, paid_session):
    def refund(_: int) -> int:
        response = app.test_client().post(
            f"/api/checkout/session/{paid_session}/refund",
            json={"amount": 1000, "reason": "동시 환불"},
            headers=merchant.headers(),
        )
        assert response.status_code in (201, 409), response.get_json()
        return response.get_json()["amount"] if response.status_code == 201 else 0

    with ThreadPoolExecutor(max_workers=50) as pool:
        refunded = list(pool.map(refund, range(50)))
    data = _session(client, merchant, paid_session)
    assert sum(refunded) == 29000
    assert refunded.count(1000) == 29
    assert data.refundedAmount == sum(refund.amount for refund in data.refunds) == 29000
    assert data.status == "refunded"
