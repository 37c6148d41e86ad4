"""The plugin in a real WordPress 6.8.8 + WooCommerce 10.0.2, against the real service; the
shopper scenarios run on the classic checkout and on the Checkout block (`checkout`)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import requests

from tests.app.checkout.checkout_helpers import pay
from tests.conftest import Merchant
from tests.servers import wait_for
from tests.wp_plugin.rig import Admin, Service, Store
from tests.wp_plugin.shopper import Checkout, HostedPage, Shopper, shopper_on

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}
DECLINE = "4330-0000-0000-0002"  # the sandbox's "insufficient funds" card


def session_of(checkout_url: str) -> str:
    match = re.search(r"/checkout/(cs_[A-Za-z0-9_]+)", checkout_url)
    assert match, checkout_url
    return match.group(1)


def masked(merchant: Merchant) -> str:
    return merchant.test_key[:8] + "…" + merchant.test_key[-4:]


def test_settings_page_connects_the_store_and_never_shows_the_key(
    connected: Admin, service: Service
):
    page = connected.settings_page()
    state = re.search(r'id="korea-checkout-state">\s*(.*?)\s*</td>', page, flags=re.S)
    assert state is not None
    assert state.group(1).startswith("Connected (bst_"), state.group(1)
    assert "Sandbox (test payments)" in page
    assert service.merchant.test_key not in page
    assert masked(service.merchant) in page


def paid_order(store: Store, service: Service, checkout: Checkout = "classic") -> tuple[int, str]:
    """An order paid by card on the hosted page; the shopper came back."""
    shopper = shopper_on(checkout, store)
    shopper.add_demo_product()
    placed = shopper.place("card")
    assert placed.redirect.startswith(f"{service.url}/checkout/cs_")
    assert store.order(placed.order_id)["status"] == "pending"
    paid = pay(HostedPage(service.url), placed.redirect, "card", choices=APPROVE)
    assert paid.status_code == 303
    back = shopper.follow(paid.headers["Location"])
    assert back.status_code == 200
    assert "/checkout/order-received/" in urlsplit(back.url).path
    return placed.order_id, session_of(placed.redirect)


def test_card_payment_marks_the_order_paid_and_fires_the_hook_once(
    connected: Admin, store: Store, service: Service, checkout: Checkout
):
    order_id, session_id = paid_order(store, service, checkout)

    order = store.order(order_id)
    assert order["status"] == "processing"
    assert order["transaction_id"].startswith("toss_tx_")
    # The bridge's push arrives too (its note), and the action still ran once.
    wait_for(
        lambda: any(
            n["note"].startswith("[Korea Checkout]")
            for n in store.rest().get(f"orders/{order_id}/notes").json()
        ),
        60,
        "the bridge's payment note",
    )
    calls = [json.loads(line) for line in store.hook_calls()]
    mine = [call for call in calls if call["order_id"] == order_id]
    assert len(mine) == 1, calls
    data = mine[0]["payment_data"]
    assert data["session_id"] == session_id
    assert data["transaction_id"] == order["transaction_id"]
    assert data["amount"] == 10000
    assert store.plugin_log_lines() == []


def test_refunds_from_the_order_screen_reach_the_session(
    connected: Admin, store: Store, service: Service, checkout: Checkout
):
    order_id, session_id = paid_order(store, service, checkout)

    def session() -> dict[str, Any]:
        response = requests.get(
            f"{service.url}/api/checkout/session/{session_id}",
            headers=service.merchant.headers(),
            timeout=30,
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    partial = connected.refund(order_id, 3000, "부분 환불")
    assert partial["success"] is True, partial
    seen = session()
    assert (seen["status"], seen["refundedAmount"]) == ("partially_refunded", 3000)
    assert [(r["amount"], r["reason"]) for r in seen["refunds"]] == [(3000, "부분 환불")]

    rest = connected.refund(order_id, 7000)
    assert rest["success"] is True, rest
    seen = session()
    assert (seen["status"], seen["refundedAmount"]) == ("refunded", 10000)
    assert sorted(r["amount"] for r in seen["refunds"]) == [3000, 7000]
    assert store.order(order_id)["status"] == "refunded"
    assert len(store.rest().get(f"orders/{order_id}/refunds").json()) == 2


def test_a_bridge_error_leaves_the_order_retryable(
    connected: Admin, store: Store, service: Service
):
    shopper = Shopper(store)
    shopper.add_demo_product()
    refused = shopper.place_order("samsung_pay")  # not offered by this store
    assert refused["result"] == "failure"
    answer = shopper.place_order("card")
    assert answer["result"] == "success", answer
    again = shopper.place_order("card")  # a second click or tab: the same session
    assert again["result"] == "success", again
    assert session_of(again["redirect"]) == session_of(answer["redirect"])
    assert again["order_id"] == answer["order_id"]


def test_korean_postcode_and_phone_are_validated(connected: Admin, store: Store):
    shopper = Shopper(store)
    shopper.add_demo_product()
    wrong = shopper.place_order("card", billing_postcode="1234", billing_phone="12345")
    assert wrong["result"] == "failure"
    assert "5-digit Korean postcode" in wrong["messages"]
    assert "Korean phone number" in wrong["messages"]


def test_a_declined_card_then_a_retry_pays_the_order(
    connected: Admin, store: Store, service: Service, checkout: Checkout
):
    shopper = shopper_on(checkout, store)
    shopper.add_demo_product()
    placed = shopper.place("card")
    hosted = HostedPage(service.url)
    declined = pay(hosted, placed.redirect, "card", choices={**APPROVE, "card_number": DECLINE})
    assert declined.status_code == 200  # back on the hosted page with the reason
    assert store.order(placed.order_id)["status"] == "pending"
    paid = pay(hosted, placed.redirect, "card", choices=APPROVE)
    assert paid.status_code == 303
    shopper.follow(paid.headers["Location"])
    assert store.order(placed.order_id)["status"] == "processing"
