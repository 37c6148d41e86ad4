"""Only the shopper's link opens the hosted page: a session id alone reads and changes nothing."""

from sqlalchemy import select

from app.models import Event
from tests.app.checkout.checkout_helpers import (
    forms,
    open_page,
    open_window,
    page_token,
    pay,
    shopper_link,
)

PERSONAL = ("홍길동", "customer@example.com", "+82-10-1234-5678")
BRIDGE_ADDRESS = {
    "postalCode": "06236",
    "address": "서울 강남구 테헤란로 123",
    "roadAddress": "테헤란로 123",
    "detailAddress": "4층 401호",
}


def _session(client, merchant, session_id):
    response = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    return response.get_json()["data"]


def _event_types(database, session_id):
    with database.transaction() as db:
        query = select(Event.type).where(Event.session_id == session_id).order_by(Event.created_at)
        return list(db.scalars(query))


def _stranger_token(app, create_session):
    """A stranger's own browser, with a valid CSRF token from a session of their own."""
    stranger = app.test_client()
    return stranger, page_token(stranger, create_session())


def test_the_shoppers_link_becomes_a_cookie_and_a_clean_url(client, create_session):
    session_id = create_session()
    link = shopper_link(client, session_id)
    assert link.startswith(f"/checkout/{session_id}?t=")
    granted = client.get(f"{link}&lang=en")
    assert granted.status_code == 303
    assert granted.headers["Location"] == f"/checkout/{session_id}?lang=en"
    cookie = granted.headers["Set-Cookie"]
    assert f"Path=/checkout/{session_id}" in cookie
    for flag in ("HttpOnly", "SameSite=Lax", "Secure"):
        assert flag in cookie
    page = client.get(f"/checkout/{session_id}")
    assert page.status_code == 200
    assert all(value in page.get_data(as_text=True) for value in PERSONAL)


def test_a_session_id_alone_shows_nothing_personal(app, create_session):
    session_id = create_session()
    stranger = app.test_client()
    for path in (f"/checkout/{session_id}", f"/checkout/{session_id}?t=forged"):
        response = stranger.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "결제 링크를 확인할 수 없습니다" in body
        assert not any(value in body for value in PERSONAL)
        assert "kc_checkout" not in str(response.headers.getlist("Set-Cookie"))
    unknown = stranger.get("/checkout/cs_" + "0" * 32)
    assert unknown.get_data(as_text=True) == stranger.get(f"/checkout/{session_id}").get_data(
        as_text=True
    )


def test_one_sessions_capability_does_not_open_another(client, create_session):
    first, second = create_session(), create_session()
    token = shopper_link(client, first).split("t=", 1)[1]
    client.set_cookie("kc_checkout", token, path=f"/checkout/{second}")
    assert client.get(f"/checkout/{second}").status_code == 404
    assert client.get(f"/checkout/{second}?t={token}").status_code == 404


def test_a_stranger_cannot_pay_cancel_or_change_the_address(
    app, client, merchant, create_session, database
):
    session_id = create_session()
    stranger, token = _stranger_token(app, create_session)
    attempts = {
        "pay": {"method": "card", "agree": "yes", "postalCode": "99999", "address": "가짜로 1"},
        "cancel": {},
    }
    for action, fields in attempts.items():
        response = stranger.post(
            f"/checkout/{session_id}/{action}", data={"csrf_token": token, **fields}
        )
        assert response.status_code == 404, action
    returned = stranger.get(f"/checkout/{session_id}/return/pa_{'0' * 32}?paymentKey=x")
    assert returned.status_code == 404
    data = _session(client, merchant, session_id)
    assert (data["status"], data["address"]) == ("pending", None)
    assert _event_types(database, session_id) == []


def test_the_shoppers_link_pays_end_to_end(client, merchant, create_session):
    session_id = create_session()
    approve = {"card_number": "4330-0000-0000-0001", "action": "approve"}
    response = pay(client, session_id, "card", choices=approve)
    assert response.status_code == 303
    assert response.headers["Location"] == f"https://yourstore.com/success?sessionId={session_id}"
    assert _session(client, merchant, session_id)["status"] == "completed"
    done = client.get(f"/checkout/{session_id}").get_data(as_text=True)
    assert "결제가 완료되었습니다" in done


def test_customer_cannot_cancel_a_session_awaiting_its_deposit(
    client, merchant, create_session, database
):
    session_id = create_session()
    token = page_token(client, session_id)
    assert pay(client, session_id, "virtual_account").status_code == 200
    page = client.get(f"/checkout/{session_id}").get_data(as_text=True)
    assert 'id="cancel-button"' not in page
    refused = client.post(f"/checkout/{session_id}/cancel", data={"csrf_token": token})
    assert refused.status_code == 409
    assert _session(client, merchant, session_id)["status"] == "processing"
    assert _event_types(database, session_id) == ["virtual_account.issued"]


def test_a_declined_session_freezes_its_address_on_the_page(client, merchant, create_session):
    session_id = create_session()
    pay(client, session_id, "card", choices={"card_number": "4330-0000-0000-0002"})
    assert _session(client, merchant, session_id)["status"] == "processing"
    page = client.get(f"/checkout/{session_id}").get_data(as_text=True)
    assert 'data-testid="address-locked"' in page
    assert 'name="postalCode"' not in page
    assert 'id="cancel-button"' not in page
    token = forms(page)[0].fields["csrf_token"]
    changed = client.post(
        f"/checkout/{session_id}/pay",
        data={
            "csrf_token": token,
            "method": "card",
            "agree": "yes",
            "postalCode": "04524",
            "address": "서울 중구 세종대로 110",
        },
    )
    assert changed.status_code == 409
    assert _session(client, merchant, session_id)["address"] is None


def _shown_fields(client, session_id):
    """The page's address fields as a browser submits them untouched."""
    html = open_page(client, session_id).get_data(as_text=True)
    shown = {}
    for name in ("postalCode", "address", "detailAddress"):
        shown[name] = html.split(f'name="{name}"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    token = forms(html)[0].fields["csrf_token"]
    return token, {**shown, "roadAddress": "", "jibunAddress": ""}


def test_paying_keeps_the_address_the_bridge_set(client, merchant, create_session, database):
    session_id = create_session()
    set_by_bridge = client.patch(f"/api/checkout/session/{session_id}/address", json=BRIDGE_ADDRESS)
    assert set_by_bridge.status_code == 200
    stored = _session(client, merchant, session_id)["address"]
    token, shown = _shown_fields(client, session_id)
    assert shown["address"] == "테헤란로 123"
    body = {"csrf_token": token, "method": "card", "agree": "yes", **shown}
    started = client.post(f"/checkout/{session_id}/pay", data=body)
    assert started.status_code == 200
    assert _session(client, merchant, session_id)["address"] == stored
    assert _event_types(database, session_id) == ["session.address_updated"]


def test_a_new_detail_line_keeps_the_rest_of_the_address(
    client, merchant, create_session, database
):
    session_id = create_session()
    client.patch(f"/api/checkout/session/{session_id}/address", json=BRIDGE_ADDRESS)
    token, shown = _shown_fields(client, session_id)
    body = {"csrf_token": token, "method": "card", "agree": "yes", **shown}
    client.post(f"/checkout/{session_id}/pay", data={**body, "detailAddress": "5층"})
    address = _session(client, merchant, session_id)["address"]
    assert address == {**BRIDGE_ADDRESS, "jibunAddress": None, "detailAddress": "5층"}
    assert _event_types(database, session_id) == ["session.address_updated"] * 2


def test_a_searched_address_replaces_the_old_one(client, merchant, create_session):
    session_id = create_session()
    client.patch(f"/api/checkout/session/{session_id}/address", json=BRIDGE_ADDRESS)
    token, _ = _shown_fields(client, session_id)
    searched = {
        "postalCode": "04524",
        "address": "서울 중구 세종대로 110",
        "roadAddress": "서울 중구 세종대로 110",
        "jibunAddress": "서울 중구 태평로1가 31",
        "detailAddress": "",
    }
    body = {"csrf_token": token, "method": "card", "agree": "yes", **searched}
    assert client.post(f"/checkout/{session_id}/pay", data=body).status_code == 200
    address = _session(client, merchant, session_id)["address"]
    assert address == {**searched, "detailAddress": None}


def test_the_return_link_carries_the_capability(app, client, create_session):
    """KCP and Inicis post back from their own site: no SameSite=Lax cookie comes along."""
    session_id = create_session()
    window = open_window(client, session_id, "kakao_pay")
    token = shopper_link(client, session_id).split("t=", 1)[1]
    fields = forms(window.get_data(as_text=True))[0].fields
    assert any(
        f"/checkout/{session_id}/return/pa_" in v and f"t={token}" in v for v in fields.values()
    )
    fresh = app.test_client()  # no cookie: only the return URL's own capability
    unknown_attempt = f"/checkout/{session_id}/return/pa_{'0' * 32}"
    assert fresh.get(unknown_attempt).status_code == 404
    # With the link's capability it reaches the payment check, which knows no such attempt.
    assert fresh.get(f"{unknown_attempt}?t={token}").status_code == 400
