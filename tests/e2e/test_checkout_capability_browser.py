"""In a real browser: only the shopper's link opens the page, the postcode script runs under
the page's Content-Security-Policy, and paying keeps the address the bridge set."""

from __future__ import annotations

import json

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import REPORT_VIOLATIONS, Server, csp_violations
from tests.e2e.e2e_helpers import screenshot

APPROVE_CARD = "4330-0000-0000-0001"
SEARCHED = {
    "zonecode": "04524",
    "address": "서울 중구 세종대로 110",
    "roadAddress": "서울 중구 세종대로 110",
    "jibunAddress": "서울 중구 태평로1가 31",
}
# What Kakao's script exposes (`kakao.Postcode`, its window answering `oncomplete`), served
# from the CDN address the page loads it from, so the page's policy is what lets it run.
POSTCODE_STUB = (
    "window.kakao = { Postcode: function (options) {"
    f" this.open = function () {{ options.oncomplete({json.dumps(SEARCHED)}); }}; }} }};"
)


def pay_by_card(page: Page, server: Server, session_id: str) -> None:
    page.locator("input[name=agree]").check()
    page.locator("#pay-button").click()
    expect(page.get_by_test_id("sandbox-window")).to_be_visible()
    page.fill("#card_number", APPROVE_CARD)
    page.locator("#window-approve").click()
    page.wait_for_url(f"{server.shop}/success?sessionId={session_id}")


def test_a_session_id_alone_opens_nothing(page: Page, browser: Browser, server: Server):
    session_id = server.create_session()
    page.goto(f"{server.url}/checkout/{session_id}", wait_until="domcontentloaded")
    expect(page.get_by_test_id("error-page")).to_contain_text("결제 링크를 확인할 수 없습니다")
    expect(page.locator("body")).not_to_contain_text("홍길동")
    expect(page.locator("#pay-form")).to_have_count(0)
    screenshot(page, "11-link-required")
    page.goto(server.link(session_id), wait_until="domcontentloaded")
    expect(page.get_by_test_id("customer-name")).to_have_text("홍길동")


def test_address_search_runs_under_the_policy(page: Page, server: Server):
    page.route(
        "https://t1.kakaocdn.net/mapjsapi/bundle/postcode/prod/postcode.v2.js",
        lambda route: route.fulfill(body=POSTCODE_STUB, content_type="application/javascript"),
    )
    session_id = server.create_session()
    page.goto(server.link(session_id), wait_until="load")
    page.locator("#address-search").click()
    expect(page.locator("#postalCode")).to_have_value("04524")
    expect(page.locator("#address")).to_have_value("서울 중구 세종대로 110")
    expect(page.locator("#address-unavailable")).to_be_hidden()
    page.fill("#detailAddress", "3층")
    screenshot(page, "12-address-searched")
    pay_by_card(page, server, session_id)
    assert server.session(session_id)["address"] == {
        "postalCode": "04524",
        "address": "서울 중구 세종대로 110",
        "roadAddress": "서울 중구 세종대로 110",
        "jibunAddress": "서울 중구 태평로1가 31",
        "detailAddress": "3층",
    }


def test_paying_keeps_the_address_the_bridge_set(page: Page, server: Server):
    session_id = server.create_session()
    bridge_address = {
        "postalCode": "06236",
        "address": "서울 테헤란로 123",
        "roadAddress": "테헤란로 123",
        "detailAddress": "4층 401호",
    }
    server.patch_address(session_id, bridge_address)
    page.goto(server.link(session_id), wait_until="domcontentloaded")
    expect(page.locator("#address")).to_have_value("테헤란로 123")
    pay_by_card(page, server, session_id)
    assert server.session(session_id)["address"] == {**bridge_address, "jibunAddress": None}


def test_an_injected_inline_script_is_refused_and_reported(browser: Browser, server: Server):
    context = browser.new_context()
    context.add_init_script(REPORT_VIOLATIONS)
    context.route("**/t1.kakaocdn.net/**", lambda route: route.abort())
    page = context.new_page()
    try:
        violations = csp_violations(page)
        page.goto(server.link(server.create_session()), wait_until="domcontentloaded")
        with page.expect_console_message(lambda message: "CSP violation" in message.text):
            page.evaluate(
                "() => { const s = document.createElement('script');"
                " s.textContent = 'window.injected = 1'; document.head.appendChild(s); }"
            )
        assert page.evaluate("() => window.injected") is None
        assert any("script-src" in text for text in violations)
    finally:
        context.close()
