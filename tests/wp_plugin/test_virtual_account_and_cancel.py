"""A virtual account waits on hold (account shown to the shopper) until the deposit pays it
or it expires (order cancelled, stock back); a shopper who cancels on the hosted page is
sent back to the checkout to try again."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from sqlalchemy import update

from app.db import Database
from app.models import CheckoutSession
from app.models.base import utcnow
from tests.app.checkout.checkout_helpers import page_token, pay
from tests.servers import wait_for
from tests.wp_plugin.rig import Admin, Service, Store
from tests.wp_plugin.shopper import Checkout, HostedPage, Shopper, shopper_on
from tests.wp_plugin.test_classic_checkout import session_of


def test_virtual_account_on_hold_then_deposit_pays_the_order_once(
    connected: Admin, store: Store, service: Service, checkout: Checkout
):
    shopper = shopper_on(checkout, store)
    shopper.add_demo_product()
    placed = shopper.place("virtual_account")
    order_id = placed.order_id
    session_id = session_of(placed.redirect)
    pay(HostedPage(service.url), placed.redirect, "virtual_account")
    wait_for(lambda: store.order(order_id)["status"] == "on-hold", 60, "order on hold")

    order = store.order(order_id)
    meta = {item["key"]: item["value"] for item in order["meta_data"]}
    account = meta["_korea_checkout_virtual_account"]
    received = shopper.follow(
        f"{store.url}/checkout/order-received/{order_id}/?key={order['order_key']}"
    )
    assert "korea-checkout-virtual-account" in received.text
    assert account["accountNumber"] in received.text
    assert "(KST)" in received.text

    deposit = requests.post(
        f"{service.url}/api/sandbox/virtual-accounts/{session_id}/deposit",
        json={},
        headers=service.merchant.headers(),
        timeout=30,
    )
    assert deposit.status_code == 200, deposit.text
    wait_for(lambda: store.order(order_id)["status"] == "processing", 60, "order paid")
    wait_for(
        lambda: any(json.loads(line)["order_id"] == order_id for line in store.hook_calls()),
        30,
        "the completion action",
    )
    calls = [json.loads(line)["order_id"] for line in store.hook_calls()]
    assert calls.count(order_id) == 1

    # A refund needs the customer's bank account; without it WooCommerce shows the error.
    refused = store.rest().post(f"orders/{order_id}/refunds", {"amount": "10000"})
    assert refused.status_code == 500
    assert "Virtual-account refunds go to the customer" in refused.json()["message"]
    account = {"bankCode": "004", "accountNumber": "123-456-789012", "holderName": "홍길동"}
    saved = store.rest().put(
        f"orders/{order_id}",
        {"meta_data": [{"key": "_korea_checkout_refund_account", "value": account}]},
    )
    assert saved.status_code == 200, saved.text
    refunded = store.rest().post(f"orders/{order_id}/refunds", {"amount": "10000"})
    assert refunded.status_code == 201, refunded.text
    status = requests.get(
        f"{service.url}/bridge/v1/orders/{order_id}", headers=service.merchant.headers(), timeout=30
    ).json()
    assert (status["status"], status["refundedAmount"]) == ("refunded", 10000)


def test_customer_cancel_returns_to_checkout_with_a_notice(
    connected: Admin, store: Store, service: Service, checkout: Checkout
):
    shopper = shopper_on(checkout, store)
    shopper.add_demo_product()
    placed = shopper.place("card")
    order_id = placed.order_id
    hosted = HostedPage(service.url)
    token = page_token(hosted, placed.redirect)
    session_id = session_of(placed.redirect)
    cancelled = hosted.post(f"/checkout/{session_id}/cancel", {"csrf_token": token})
    assert cancelled.status_code == 303
    landed = shopper.follow(cancelled.headers["Location"])
    assert urlsplit(landed.url).path == "/checkout/"
    assert "The payment was cancelled" in landed.text
    # Back on the checkout they used: the block's page, or the classic form.
    assert ("wp-block-woocommerce-checkout" in landed.text) == (checkout == "blocks")
    # The bridge's payment.cancelled may already have cancelled the order (its contract).
    assert store.order(order_id)["status"] in {"pending", "cancelled"}
    again = shopper.place("card")  # the cart is still there: pay again
    assert session_of(again.redirect) != session_id


def test_an_expired_virtual_account_cancels_the_order_and_restores_stock(
    connected: Admin, store: Store, service: Service
):
    product = int(store.env["WC_RIG_DEMO_PRODUCT_ID"])
    stocked = store.rest().put(f"products/{product}", {"manage_stock": True, "stock_quantity": 50})
    assert stocked.status_code == 200, stocked.text
    try:
        shopper = Shopper(store)
        shopper.add_demo_product()
        answer = shopper.place_order("virtual_account")
        order_id = int(answer["order_id"])
        pay(HostedPage(service.url), answer["redirect"], "virtual_account")
        wait_for(lambda: store.order(order_id)["status"] == "on-hold", 60, "order on hold")
        assert store.rest().get(f"products/{product}").json()["stock_quantity"] == 49

        database = Database(service.env["DATABASE_URL"])
        with database.transaction() as db:
            db.execute(
                update(CheckoutSession)
                .where(CheckoutSession.id == session_of(answer["redirect"]))
                .values(expires_at=utcnow() - timedelta(minutes=1))
            )
        database.dispose()
        wait_for(lambda: store.order(order_id)["status"] == "cancelled", 60, "order cancelled")
        assert store.rest().get(f"products/{product}").json()["stock_quantity"] == 50
        assert not [c for c in store.hook_calls() if json.loads(c)["order_id"] == order_id]
    finally:
        store.rest().put(f"products/{product}", {"manage_stock": False})
