"""Order -> session: exact totals for the recorded order shapes, idempotency per order."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.bridge.conftest import ConnectedStore

SHAPES = {
    "single": {"line_items": [{"product_id": 17, "quantity": 1}]},
    "multi": {"line_items": [{"product_id": 17, "quantity": 2}, {"product_id": 18, "quantity": 3}]},
    "shipping": {
        "line_items": [{"product_id": 18, "quantity": 1}],
        "shipping_lines": [{"method_id": "flat_rate", "method_title": "택배", "total": "3000"}],
    },
    "fee": {
        "line_items": [{"product_id": 17, "quantity": 1}],
        "fee_lines": [{"name": "포장비", "total": "1000"}],
    },
    "percent": {
        "line_items": [{"product_id": 18, "quantity": 3}],
        "coupon_lines": [{"code": "welcome10"}],
    },
    "fixed_uneven": {
        "line_items": [{"product_id": 18, "quantity": 3}, {"product_id": 19, "quantity": 4}],
        "coupon_lines": [{"code": "fixed5000"}],
    },
    "both_coupons": {
        "line_items": [{"product_id": 17, "quantity": 2}, {"product_id": 18, "quantity": 3}],
        "coupon_lines": [{"code": "welcome10"}, {"code": "fixed5000"}],
    },
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_session_total_equals_order_total(
    store: ConnectedStore, client: FlaskClient, shape: str
) -> None:
    order_id = store.double.seed_order({**SHAPES[shape], "billing": {"email": "a@example.com"}})
    order = store.double.order(order_id.id)
    answer = store.checkout(order_id.id)
    session = client.get(
        f"/api/checkout/session/{answer['sessionId']}", headers=store.headers()
    ).get_json()["data"]
    assert session["totalAmount"] == int(order["total"])
    assert session["platform"] == "woocommerce"
    assert session["platformOrderId"] == str(order_id.id)
    assert f"/checkout/{answer['sessionId']}?t=" in answer["checkoutUrl"]


def test_korean_billing_becomes_customer_and_address(
    store: ConnectedStore, client: FlaskClient
) -> None:
    order_id = store.new_order()
    answer = store.checkout(order_id)
    session = client.get(
        f"/api/checkout/session/{answer['sessionId']}", headers=store.headers()
    ).get_json()["data"]
    assert session["customer"]["name"] == "홍길동"
    assert session["customer"]["phone"] == "+82-10-1234-5678"
    assert session["address"]["postalCode"] == "06236"
    assert session["webhookUrl"].endswith(f"/bridge/v1/webhooks/{store.store_id}")
    assert session["shopId"] == store.shop_id


def test_same_unpaid_order_gets_the_same_session(store: ConnectedStore) -> None:
    order_id = store.new_order()
    first = store.checkout(order_id)
    second = store.checkout(order_id)
    assert second["sessionId"] == first["sessionId"]
    assert second["reused"] is True


def test_changed_total_gets_a_new_session_and_cancels_the_old(
    store: ConnectedStore, client: FlaskClient
) -> None:
    order_id = store.new_order()
    first = store.checkout(order_id)
    order = store.double.order(order_id)
    order["total"] = str(int(order["total"]) + 1000)
    order["fee_lines"] = [{"name": "포장비", "total": "1000", "total_tax": "0"}]
    response = client.post(
        "/bridge/v1/orders",
        json={"order": order, "returnUrl": "https://s.test/r", "cancelUrl": "https://s.test/c"},
        headers=store.headers(),
    )
    assert response.status_code == 201
    second = response.get_json()
    assert second["sessionId"] != first["sessionId"]
    old = client.get(
        f"/api/checkout/session/{first['sessionId']}", headers=store.headers()
    ).get_json()["data"]
    assert old["status"] == "cancelled"


def test_other_items_at_the_same_total_get_a_new_session(
    store: ConnectedStore, client: FlaskClient
) -> None:
    # The shopper swapped the product for another of the same price: a reused session would
    # show and charge the old item, and its payment would only put the order on hold.
    order_id = store.new_order()
    first = store.checkout(order_id)
    order = store.double.order(order_id)
    order["line_items"][0]["product_id"] = int(order["line_items"][0]["product_id"]) + 1000
    response = client.post(
        "/bridge/v1/orders",
        json={"order": order, "returnUrl": "https://s.test/r", "cancelUrl": "https://s.test/c"},
        headers=store.headers(),
    )
    assert response.status_code == 201, response.get_json()
    second = response.get_json()
    assert second["sessionId"] != first["sessionId"]
    old = client.get(
        f"/api/checkout/session/{first['sessionId']}", headers=store.headers()
    ).get_json()["data"]
    assert old["status"] == "cancelled"


def test_ended_session_gets_replaced(store: ConnectedStore, client: FlaskClient) -> None:
    order_id = store.new_order()
    first = store.checkout(order_id)
    cancelled = client.post(f"/bridge/v1/orders/{order_id}/cancel", headers=store.headers())
    assert cancelled.get_json()["status"] == "cancelled"
    second = store.checkout(order_id)
    assert second["sessionId"] != first["sessionId"]
    assert second["reused"] is False


def test_order_that_cannot_be_paid_is_refused(store: ConnectedStore, client: FlaskClient) -> None:
    order_id = store.new_order()
    order = store.double.order(order_id)
    for change, code in (
        ({"currency": "USD"}, "unsupported_currency"),
        ({"status": "processing"}, "order_not_payable"),
        ({"billing": {}}, "missing_email"),
        ({"total": "0"}, "nothing_to_pay"),
    ):
        response = client.post(
            "/bridge/v1/orders",
            json={
                **order,
                **change,
                "returnUrl": "https://s.test/r",
                "cancelUrl": "https://s.test/c",
            },
            headers=store.headers(),
        )
        assert response.status_code == 400, change
        assert response.get_json()["error"]["code"] == code
