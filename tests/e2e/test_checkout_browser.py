"""A real browser pays with every kind of method through the hosted page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import update

from app.models import CheckoutSession
from app.models.base import utcnow
from tests.e2e.conftest import Server
from tests.e2e.e2e_helpers import screenshot

APPROVE_CARD = "4330-0000-0000-0001"


def open_checkout(page: Page, server: Server, session_id: str, query: str = "") -> None:
    """Open the shopper's link; the page trades its capability for a cookie and a clean URL."""
    page.goto(f"{server.link(session_id)}{query}", wait_until="domcontentloaded")
    expect(page.locator("#pay-form")).to_be_visible()
    assert page.url == f"{server.url}/checkout/{session_id}{query.replace('&', '?', 1)}"


def choose(page: Page, method: str) -> None:
    page.locator(f"label.method[data-method={method}]").click()


def press_pay(page: Page) -> None:
    page.locator("input[name=agree]").check()
    page.locator("#pay-button").click()
    expect(page.get_by_test_id("sandbox-window")).to_be_visible()


def test_card_payment_with_manual_address(page: Page, server: Server):
    session_id = server.create_session()
    open_checkout(page, server, session_id)
    expect(page.get_by_test_id("total")).to_have_text("29,000원")
    expect(page.locator("#pay-button")).to_have_text("29,000원 결제하기")
    expect(page.locator("#installment-field")).to_have_count(0)  # under 50,000 won
    screenshot(page, "01-checkout-page")
    page.locator("#address-search").click()
    expect(page.locator("#address-unavailable")).to_be_visible()
    page.fill("#postalCode", "06236")
    page.fill("#address", "서울 강남구 테헤란로 123")
    page.fill("#detailAddress", "4층 401호")
    press_pay(page)
    screenshot(page, "02-sandbox-card-window")
    page.fill("#card_number", APPROVE_CARD)
    page.locator("#window-approve").click()
    page.wait_for_url(f"{server.shop}/success?sessionId={session_id}")
    data = server.session(session_id)
    assert (data["status"], data["paymentMethod"], data["gateway"]) == ("completed", "card", "toss")
    assert str(data["gatewayTransactionId"]).startswith("toss_tx_")
    assert data["address"]["postalCode"] == "06236"
    assert data["address"]["detailAddress"] == "4층 401호"
    open_checkout_done(page, server, session_id)
    screenshot(page, "08-completed")


def open_checkout_done(page: Page, server: Server, session_id: str) -> None:
    page.goto(f"{server.url}/checkout/{session_id}", wait_until="domcontentloaded")
    expect(page.get_by_test_id("status-page")).to_be_visible()


def test_card_decline_shows_the_reason_and_retry_succeeds(page: Page, server: Server):
    session_id = server.create_session()
    open_checkout(page, server, session_id)
    press_pay(page)
    page.fill("#card_number", "4330-0000-0000-0002")
    page.locator("#window-approve").click()
    expect(page.get_by_test_id("error")).to_contain_text("잔액이 부족합니다")
    screenshot(page, "03-card-declined")
    assert server.session(session_id)["status"] == "processing"
    press_pay(page)
    page.fill("#card_number", APPROVE_CARD)
    page.locator("#window-approve").click()
    page.wait_for_url(f"{server.shop}/success?sessionId={session_id}")
    assert server.session(session_id)["status"] == "completed"


def test_card_with_installments(page: Page, server: Server):
    items = [{"name": "무선 청소기", "price": 120000, "quantity": 1}]
    session_id = server.create_session(items=items, totalAmount=120000)
    open_checkout(page, server, session_id)
    expect(page.locator("#installment-field")).to_be_visible()
    page.select_option("#installmentMonths", "6")
    choose(page, "kakao_pay")
    expect(page.locator("#installment-field")).to_be_hidden()
    choose(page, "card")
    page.select_option("#installmentMonths", "6")
    screenshot(page, "04-installments")
    press_pay(page)
    expect(page.locator("#installment_months")).to_have_value("6")
    page.fill("#card_number", APPROVE_CARD)
    page.locator("#window-approve").click()
    page.wait_for_url(f"{server.shop}/success?sessionId={session_id}")
    data = server.session(session_id)
    assert (data["status"], data["installmentMonths"], data["paidAmount"]) == (
        "completed",
        6,
        120000,
    )


def test_virtual_account_issue_and_sandbox_deposit(page: Page, server: Server):
    session_id = server.create_session()
    open_checkout(page, server, session_id)
    choose(page, "virtual_account")
    press_pay(page)
    page.locator("#window-approve").click()
    expect(page.get_by_test_id("virtual-account")).to_be_visible()
    expect(page.get_by_test_id("va-amount")).to_have_text("29,000원")
    screenshot(page, "05-virtual-account")
    data = server.session(session_id)
    assert data["status"] == "processing"
    number = page.get_by_test_id("va-number").inner_text()
    assert number == data["virtualAccount"]["accountNumber"]
    wrong = server.post(f"/api/sandbox/virtual-accounts/{session_id}/deposit", {"amount": 1000})
    assert wrong.status_code == 409
    assert server.session(session_id)["status"] == "processing"
    paid = server.post(f"/api/sandbox/virtual-accounts/{session_id}/deposit", {})
    assert paid.status_code == 200
    assert server.session(session_id)["status"] == "completed"
    open_checkout_done(page, server, session_id)
    expect(page.get_by_test_id("status-page")).to_contain_text("결제가 완료되었습니다")


def test_kakao_pay(page: Page, server: Server):
    session_id = server.create_session()
    open_checkout(page, server, session_id)
    choose(page, "kakao_pay")
    press_pay(page)
    expect(page.get_by_test_id("sandbox-window")).to_have_attribute("data-gateway", "kcp")
    screenshot(page, "06-kakaopay-window")
    page.locator("#window-approve").click()
    page.wait_for_url(f"{server.shop}/success?sessionId={session_id}")
    data = server.session(session_id)
    assert (data["status"], data["paymentMethod"], data["gateway"]) == (
        "completed",
        "kakao_pay",
        "kcp",
    )


def test_customer_cancel(page: Page, server: Server):
    session_id = server.create_session()
    open_checkout(page, server, session_id)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#cancel-button").click()
    page.wait_for_url(f"{server.shop}/cancel?sessionId={session_id}")
    assert server.session(session_id)["status"] == "cancelled"
    open_checkout_done(page, server, session_id)
    expect(page.get_by_test_id("status-page")).to_contain_text("결제가 취소되었습니다")
    screenshot(page, "09-cancelled")


def test_expired_session_shows_a_clear_page(page: Page, server: Server):
    session_id = server.create_session()
    with server.database.transaction() as db:
        db.execute(
            update(CheckoutSession)
            .where(CheckoutSession.id == session_id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    page.goto(server.link(session_id), wait_until="domcontentloaded")
    expect(page.get_by_test_id("status-page")).to_contain_text("결제 시간이 만료되었습니다")
    expect(page.locator("#pay-form")).to_have_count(0)
    screenshot(page, "07-expired")
    assert server.session(session_id)["status"] == "expired"


def test_english_page(page: Page, server: Server):
    session_id = server.create_session()
    open_checkout(page, server, session_id, "&lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#pay-button")).to_have_text("Pay ₩29,000")
    expect(page.get_by_text("Payment method")).to_be_visible()
    screenshot(page, "10-english")
    choose(page, "naver_pay")
    press_pay(page)
    expect(page.locator("#window-approve")).to_have_text("Pay with NaverPay")
    page.locator("#window-approve").click()
    page.wait_for_url(f"{server.shop}/success?sessionId={session_id}")
    assert server.session(session_id)["gateway"] == "inicis"
