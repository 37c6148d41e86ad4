"""The hosted page itself: language, escaping, CSRF, theme variables and status pages."""

from datetime import timedelta

from sqlalchemy import update

from app.models import CheckoutSession
from app.models.base import utcnow
from tests.app.checkout.checkout_helpers import open_page

POSTCODE = '<script src="https://t1.kakaocdn.net/mapjsapi/bundle/postcode/prod/postcode.v2.js"'


def _html(client, session_id, query="", **headers):
    open_page(client, session_id)
    response = client.get(f"/checkout/{session_id}{query}", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_korean_by_default_with_won_amounts_and_address_search(client, create_session):
    html = _html(client, create_session())
    assert '<html lang="ko">' in html
    assert "29,000원 결제하기" in html
    assert "총 결제금액" in html
    assert POSTCODE in html
    assert 'name="postalCode"' in html
    assert "readonly" not in html  # manual entry always possible
    for label in ("신용·체크카드", "가상계좌", "실시간 계좌이체", "카카오페이", "네이버페이"):
        assert label in html
    assert "토스페이" in html
    assert "삼성페이" in html
    assert 'id="installmentMonths"' not in html  # 29,000 won: no 할부


def test_installments_are_offered_from_50000_won(client, create_session):
    items = [{"name": "패딩", "price": 50000, "quantity": 1}]
    html = _html(client, create_session(items=items, totalAmount=50000))
    assert 'id="installmentMonths"' in html
    assert ">12개월<" in html
    assert ">1개월<" not in html


def test_english_by_query_or_accept_language(client, create_session):
    session_id = create_session()
    by_query = _html(client, session_id, "?lang=en")
    assert '<html lang="en">' in by_query
    assert "Pay ₩29,000" in by_query
    by_header = _html(client, session_id, **{"Accept-Language": "en-US,en;q=0.9"})
    assert "Pay ₩29,000" in by_header
    korean_wins = _html(client, session_id, **{"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert "29,000원 결제하기" in korean_wins


def test_customer_text_is_escaped(client, create_session):
    evil = "<script>alert(1)</script>"
    session_id = create_session(
        items=[{"name": evil, "price": 29000, "quantity": 1, "description": '"><img src=x>'}],
        customer={"name": "홍길동", "email": "a@example.com"},
        platformOrderId="<b>order</b>",
    )
    html = _html(client, session_id)
    assert evil not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x>" not in html
    assert "<b>order</b>" not in html


def test_theme_variables_from_metadata_are_validated(client, create_session):
    metadata = {
        "--primary-color": "#ff5a00",
        "--button-radius": "8px",
        "--text-color": "red;}body{display:none",
    }
    html = _html(client, create_session(metadata=metadata))
    assert "--primary-color: #ff5a00;" in html
    assert "--button-radius: 8px;" in html
    assert "display:none" not in html


def test_forms_without_the_csrf_token_are_refused(client, merchant, create_session):
    session_id = create_session()
    pay = client.post(f"/checkout/{session_id}/pay", data={"method": "card", "agree": "yes"})
    assert pay.status_code == 400
    assert "새로고침" in pay.get_data(as_text=True)
    cancel = client.post(f"/checkout/{session_id}/cancel", data={"csrf_token": "forged"})
    assert cancel.status_code == 400
    status = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    assert status.get_json()["data"]["status"] == "pending"


def test_a_token_from_another_browser_is_refused(app, client, create_session):
    session_id = create_session()
    html = _html(client, session_id)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    stranger = app.test_client()
    response = stranger.post(f"/checkout/{session_id}/cancel", data={"csrf_token": token})
    assert response.status_code == 400


def test_pay_requires_consent_and_a_valid_address(client, create_session):
    session_id = create_session()
    html = _html(client, session_id)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    no_consent = client.post(
        f"/checkout/{session_id}/pay", data={"csrf_token": token, "method": "card"}
    )
    assert no_consent.status_code == 400
    assert "결제 진행에 동의해 주세요" in no_consent.get_data(as_text=True)
    bad_postal = client.post(
        f"/checkout/{session_id}/pay",
        data={
            "csrf_token": token,
            "method": "card",
            "agree": "yes",
            "postalCode": "123",
            "address": "서울 강남구 테헤란로 123",
        },
    )
    assert bad_postal.status_code == 400
    body = bad_postal.get_data(as_text=True)
    assert "우편번호(5자리)" in body
    assert 'value="서울 강남구 테헤란로 123"' in body  # what the customer typed stays


def test_unknown_session_is_a_404_page(client):
    response = client.get("/checkout/cs_" + "0" * 32)
    assert response.status_code == 404
    assert "결제 링크를 확인할 수 없습니다" in response.get_data(as_text=True)
    assert client.get("/checkout/not-a-session").status_code == 404


def test_expired_session_shows_the_expired_page(client, merchant, create_session, database):
    session_id = create_session()
    with database.transaction() as db:
        db.execute(
            update(CheckoutSession)
            .where(CheckoutSession.id == session_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    html = _html(client, session_id)
    assert "결제 시간이 만료되었습니다" in html
    assert 'id="pay-form"' not in html
    status = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    assert status.get_json()["data"]["status"] == "expired"
