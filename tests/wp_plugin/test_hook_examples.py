"""The reference doc's three hook examples, used verbatim by the mu-plugin
(tests/wp_plugin/kc-test-hooks.php), each doing what the doc promises on the real store. The
completion example is counted once per paid order by the card and virtual-account
tests of both checkouts (through the custom_order_processing action it fires)."""

from __future__ import annotations

import html

from tests.app.checkout.checkout_helpers import open_page
from tests.wp_plugin.rig import Admin, Service, Store
from tests.wp_plugin.shopper import BlocksShopper, HostedPage, Shopper


def meta_of(store: Store, order_id: int) -> dict[str, object]:
    return {item["key"]: item["value"] for item in store.order(order_id)["meta_data"]}


def test_the_custom_field_is_optional_cleaned_saved_and_shown_in_admin(
    connected: Admin, store: Store
):
    shopper = Shopper(store)
    shopper.add_demo_product()
    assert 'name="custom_field"' in shopper.checkout_page()
    # 'required' => false: an order without it is placed, and nothing is stored.
    without = shopper.place("card")
    assert "_korea_checkout_field_custom_field" not in meta_of(store, without.order_id)

    shopper = Shopper(store)
    shopper.add_demo_product()
    answer = shopper.place_order("card", custom_field="<b>문 앞에</b> 놓아 주세요")
    assert answer["result"] == "success", answer
    order_id = int(answer["order_id"])
    assert meta_of(store, order_id)["_korea_checkout_field_custom_field"] == "문 앞에 놓아 주세요"
    screen = html.unescape(connected.order_screen(order_id))
    assert "<strong>Custom Field:</strong> 문 앞에 놓아 주세요" in screen


def test_the_custom_field_on_the_checkout_block_is_saved_and_shown_in_admin(
    connected: Admin, store: Store
):
    shopper = BlocksShopper(store)
    shopper.add_demo_product()
    placed = shopper.place_order(
        "card", additional_fields={"korea-checkout/custom_field": "경비실에 맡겨 주세요"}
    )
    assert placed.status_code == 200, placed.text
    order_id = int(placed.json()["order_id"])
    screen = html.unescape(connected.order_screen(order_id))
    assert "Custom Field" in screen
    assert "경비실에 맡겨 주세요" in screen


def test_the_css_vars_reach_the_hosted_page(connected: Admin, store: Store, service: Service):
    shopper = Shopper(store)
    shopper.add_demo_product()
    placed = shopper.place("card")
    page = open_page(HostedPage(service.url), placed.redirect).get_data(as_text=True)
    assert "--button-radius: 8px;" in page
    # The doc's '#your-brand-color' placeholder is no colour: the service drops it rather
    # than write it into the page's CSS.
    assert "your-brand-color" not in page
