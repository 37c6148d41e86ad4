"""Headers of the hosted page and the sandbox window: a strict CSP with a nonce per response,
no sniffing, no referrer leaving the site, and cookies fit for where the service runs."""

import re

import pytest

from app import create_app
from tests.app.checkout.checkout_helpers import forms, open_page, open_window, path_of
from tests.conftest import make_merchant, make_settings, session_body

POSTCODE_ORIGINS = "https://t1.kakaocdn.net https://t1.daumcdn.net"


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def _nonce(policy: dict[str, str]) -> str:
    found = re.search(r"'nonce-([\w-]+)'", policy["script-src"])
    assert found is not None
    return found.group(1)


def test_the_page_sends_a_strict_policy_with_a_fresh_nonce(client, create_session):
    session_id = create_session(metadata={"--primary-color": "#ff5a00"})
    first, second = open_page(client, session_id), client.get(f"/checkout/{session_id}")
    policy = _policy(first)
    nonce = _nonce(policy)
    assert nonce != _nonce(_policy(second))
    assert "unsafe-inline" not in first.headers["Content-Security-Policy"]
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == f"'self' 'nonce-{nonce}' {POSTCODE_ORIGINS}"
    assert policy["style-src"] == f"'self' 'nonce-{nonce}'"
    assert policy["frame-src"] == "https://postcode.map.kakao.com https://postcode.map.daum.net"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    # The cancel form lands on the shop; the pay form on the sandbox window (this service).
    assert policy["form-action"] == "'self' https://checkout.example.test https://yourstore.com"
    html = first.get_data(as_text=True)
    assert f'<style nonce="{nonce}">' in html
    assert (
        '<script src="https://t1.kakaocdn.net/mapjsapi/bundle/postcode/prod/postcode.v2.js" '
        f'nonce="{nonce}" async>'
    ) in html
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["Referrer-Policy"] == "same-origin"
    assert first.headers["Cache-Control"] == "no-store"


def test_pages_without_address_search_do_not_allow_its_scripts(
    app, client, merchant, create_session
):
    session_id = create_session()
    refused = app.test_client().get(f"/checkout/{session_id}")
    assert refused.status_code == 404
    cancelled = client.post(
        f"/api/checkout/session/{session_id}/cancel", headers=merchant.headers()
    )
    assert cancelled.status_code == 200
    status_page = open_page(client, session_id)
    assert "결제가 취소되었습니다" in status_page.get_data(as_text=True)
    for response in (refused, status_page):
        policy = _policy(response)
        assert "kakaocdn" not in policy["script-src"]
        assert policy["frame-src"] == "'none'"
        assert policy["form-action"] == "'self'"


def test_the_sandbox_window_may_only_post_back_to_us_and_the_shop(client, create_session):
    session_id = create_session(returnUrl="https://shop.example/thanks")
    redirect_page = client.post(
        f"/checkout/{session_id}/pay",
        data={
            "csrf_token": forms(open_page(client, session_id).get_data(as_text=True))[0].fields[
                "csrf_token"
            ],
            "method": "kakao_pay",
            "agree": "yes",
        },
    )
    assert (
        "form-action 'self' https://checkout.example.test"
        in (redirect_page.headers["Content-Security-Policy"])
    )
    window = open_window(client, session_id, "kakao_pay")
    policy = _policy(window)
    assert policy["form-action"] == "'self' https://shop.example"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in window.headers["Content-Security-Policy"]
    assert window.headers["X-Content-Type-Options"] == "nosniff"
    form = forms(window.get_data(as_text=True))[0]
    back = client.post(path_of(form.action), data={**form.fields, "action": "approve"})
    assert "https://shop.example" in back.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("environment", "secure"), [("test", True), ("development", False)])
def test_cookies_are_secure_outside_development(
    database_url, redis_namespace, tmp_path, environment, secure
):
    namespace = f"{redis_namespace}:{environment}"
    app = create_app(make_settings(database_url, namespace, tmp_path, KC_ENV=environment))
    try:
        merchant = make_merchant(app.extensions["kc.database"])
        client = app.test_client()
        created = client.post(
            "/api/checkout/create-session", json=session_body(), headers=merchant.headers()
        )
        granted = client.get(path_of(created.get_json()["checkoutUrl"]))
        page = client.get(path_of(granted.headers["Location"]))
        assert page.status_code == 200
        cookies = granted.headers.getlist("Set-Cookie") + page.headers.getlist("Set-Cookie")
        assert {cookie.split("=", 1)[0] for cookie in cookies} == {"kc_checkout", "session"}
        for cookie in cookies:
            assert ("; Secure" in cookie) is secure
            assert "; HttpOnly" in cookie
            assert "; SameSite=Lax" in cookie
    finally:
        app.extensions["kc.database"].dispose()
