"""The Checkout block's path: the Store API places the order and the plugin pays it."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from tests.app.checkout.checkout_helpers import pay
from tests.servers import wait_for
from tests.wp_plugin.rig import Admin, Service, Store
from tests.wp_plugin.shopper import BlocksShopper, HostedPage, Shopper

KAKAO = {"action": "approve"}


def test_blocks_checkout_pays_with_kakao_pay_and_fires_the_hook_once(
    connected: Admin, store: Store, service: Service
):
    shopper = BlocksShopper(store)
    shopper.add_demo_product()
    placed = shopper.place_order(
        "kakao_pay", additional_fields={"korea-checkout/custom_field": "블록 메모"}
    )
    assert placed.status_code == 200, placed.text
    answer = placed.json()
    order_id = int(answer["order_id"])
    redirect = answer["payment_result"]["redirect_url"]
    assert redirect.startswith(f"{service.url}/checkout/cs_"), answer
    assert "method=kakao_pay" in redirect
    assert answer["additional_fields"]["korea-checkout/custom_field"] == "블록 메모"

    paid = pay(HostedPage(service.url), redirect, "kakao_pay", choices=KAKAO)
    assert paid.status_code == 303
    back = Shopper(store)
    back.http = shopper.http
    landed = back.follow(paid.headers["Location"])
    assert "/checkout/order-received/" in urlsplit(landed.url).path

    order = store.order(order_id)
    assert order["status"] == "processing"
    assert order["transaction_id"]
    meta = {item["key"]: item["value"] for item in order["meta_data"]}
    assert meta["_korea_checkout_payment_method"] == "kakao_pay"
    wait_for(
        lambda: any(json.loads(line)["order_id"] == order_id for line in store.hook_calls()),
        30,
        "the completion action",
    )
    calls = [json.loads(line) for line in store.hook_calls()]
    assert [c["order_id"] for c in calls].count(order_id) == 1


def test_blocks_checkout_refuses_a_non_korean_postcode(connected: Admin, store: Store):
    shopper = BlocksShopper(store)
    shopper.add_demo_product()
    placed = shopper.place_order("card", billing={"postcode": "123"})
    assert placed.status_code == 400, placed.text
    assert placed.json()["code"] == "billing_postcode_invalid"
