"""The PyPI `woocommerce` client (OAuth 1.0a over http) against the double."""

from __future__ import annotations

import base64

import requests
import woocommerce

from tests.woocommerce_double import Permission, WooCommerceDouble
from tests.woocommerce_double.auth import sign
from tests.woocommerce_double_tests.clock import ManualClock


def _api(
    double: WooCommerceDouble, permission: Permission = Permission.READ_WRITE
) -> woocommerce.API:
    key = double.create_key(permission)
    return woocommerce.API(double.url, key.consumer_key, key.consumer_secret, version="wc/v3")


def test_bridge_flow_pay_note_refund(double: WooCommerceDouble, clock: ManualClock) -> None:
    api = _api(double)
    created = api.post("orders", {"line_items": [{"product_id": 17, "quantity": 2}]})
    assert created.status_code == 201
    order_id = created.json()["id"]
    assert created.json()["total"] == "58000"
    assert created.json()["needs_payment"] is True

    clock.tick()
    paid = api.put(f"orders/{order_id}", {"set_paid": True, "transaction_id": "toss_1"})
    assert paid.json()["status"] == "processing"
    assert paid.json()["date_paid"] is not None
    clock.tick()
    note = api.post(f"orders/{order_id}/notes", {"note": "승인", "customer_note": False})
    assert note.status_code == 201
    clock.tick()
    refund = api.post(f"orders/{order_id}/refunds", {"amount": "58000", "api_refund": False})
    assert refund.status_code == 201

    assert double.order(order_id)["status"] == "refunded"
    # Newest first, one second apart.
    assert double.note_texts(order_id) == [
        "Order status changed from Processing to Refunded.",
        "승인",
        "Order status changed from Pending payment to Processing.",
    ]
    assert [r.amount for r in double.refunds(order_id)] == [58000]
    logged = [e for e in double.request_log if e.method == "PUT"]
    assert logged[-1].auth_method == "oauth1"
    assert logged[-1].body == {"set_paid": True, "transaction_id": "toss_1"}


def test_set_paid_twice_changes_nothing_more(double: WooCommerceDouble) -> None:
    api = _api(double)
    order_id = api.post("orders", {"line_items": [{"product_id": 18, "quantity": 1}]}).json()["id"]
    api.put(f"orders/{order_id}", {"set_paid": True, "transaction_id": "t1"})
    again = api.put(f"orders/{order_id}", {"set_paid": True, "transaction_id": "t1"})
    assert again.json()["status"] == "processing"
    assert len(double.notes(order_id)) == 1


def test_read_only_key_can_read_but_not_write(double: WooCommerceDouble) -> None:
    order = double.seed_order({"line_items": [{"product_id": 17, "quantity": 1}]})
    api = _api(double, Permission.READ)
    assert api.get(f"orders/{order.id}").status_code == 200
    denied = api.put(f"orders/{order.id}", {"status": "completed"})
    assert denied.status_code == 401
    assert denied.json()["message"] == "The API key provided does not have write permissions."
    assert double.order(order.id)["status"] == "pending"


def test_write_only_key_cannot_read(double: WooCommerceDouble) -> None:
    api = _api(double, Permission.WRITE)
    response = api.get("orders")
    assert response.status_code == 401
    assert response.json()["message"] == "The API key provided does not have read permissions."


def test_replayed_nonce_is_rejected(double: WooCommerceDouble) -> None:
    key = double.create_key()
    url = f"{double.url}/wp-json/wc/v3/orders"
    params = {
        "oauth_consumer_key": key.consumer_key,
        "oauth_timestamp": str(int(double.now().timestamp())),
        "oauth_nonce": "abc123",
        "oauth_signature_method": "HMAC-SHA1",
    }
    params["oauth_signature"] = sign("GET", url, params, key.consumer_secret, "HMAC-SHA1")
    first = requests.get(url, params=params, timeout=5)
    second = requests.get(url, params=params, timeout=5)
    assert first.status_code == 200  # HMAC-SHA1 is accepted too
    assert second.status_code == 401
    assert second.json()["message"] == "Invalid nonce - nonce has already been used."


def test_stale_timestamp_is_rejected(double: WooCommerceDouble) -> None:
    key = double.create_key()
    url = f"{double.url}/wp-json/wc/v3/orders"
    params = {
        "oauth_consumer_key": key.consumer_key,
        "oauth_timestamp": str(int(double.now().timestamp()) - 3600),
        "oauth_nonce": "n1",
        "oauth_signature_method": "HMAC-SHA256",
    }
    params["oauth_signature"] = sign("GET", url, params, key.consumer_secret, "HMAC-SHA256")
    response = requests.get(url, params=params, timeout=5)
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid timestamp."


def test_missing_oauth_parameter_is_named(double: WooCommerceDouble) -> None:
    response = requests.get(
        f"{double.url}/wp-json/wc/v3/orders",
        params={"oauth_consumer_key": "ck_x", "oauth_nonce": "n"},
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json()["code"] == "woocommerce_rest_authentication_missing_parameter"
    assert "oauth_timestamp" in response.json()["message"]


def test_basic_auth_accepted_when_behind_https() -> None:
    with WooCommerceDouble(assume_https=True) as double:
        key = double.create_key()
        ok = requests.get(
            f"{double.url}/wp-json/wc/v3/orders",
            auth=(key.consumer_key, key.consumer_secret),
            timeout=5,
        )
        bad = requests.get(
            f"{double.url}/wp-json/wc/v3/orders", auth=(key.consumer_key, "cs_nope"), timeout=5
        )
    assert ok.status_code == 200
    assert bad.json()["message"] == "Consumer secret is invalid."


def test_forwarded_proto_only_when_trusted() -> None:
    with WooCommerceDouble(trust_forwarded_proto=True) as double:
        key = double.create_key()
        token = base64.b64encode(f"{key.consumer_key}:{key.consumer_secret}".encode()).decode()
        url = f"{double.url}/wp-json/wc/v3/orders"
        headers = {"Authorization": f"Basic {token}"}
        plain = requests.get(url, headers=headers, timeout=5)
        forwarded = requests.get(url, headers={**headers, "X-Forwarded-Proto": "https"}, timeout=5)
    assert plain.status_code == 401
    assert plain.json()["code"] == "woocommerce_rest_cannot_view"
    assert forwarded.status_code == 200


def test_woocommerce_client_pagination_params_sent_twice_are_fine(
    double: WooCommerceDouble,
) -> None:
    for _ in range(3):
        double.seed_order({"line_items": [{"product_id": 18, "quantity": 1}]})
    api = _api(double)
    response = api.get("orders", params={"per_page": 2, "page": 2})
    assert response.status_code == 200
    assert len(response.json()) == 1
    assert response.headers["X-WP-Total"] == "3"
    assert 'rel="prev"' in response.headers["Link"]


def test_notes_in_the_same_second_come_in_id_order(
    double: WooCommerceDouble, clock: ManualClock
) -> None:
    order = double.seed_order({"line_items": [{"product_id": 17, "quantity": 1}]})
    api = _api(double)
    api.post(f"orders/{order.id}/notes", {"note": "a"})
    api.post(f"orders/{order.id}/notes", {"note": "b"})
    clock.tick()
    api.post(f"orders/{order.id}/notes", {"note": "c"})
    listed = [n["note"] for n in api.get(f"orders/{order.id}/notes").json()]
    assert listed == ["c", "a", "b"]
