"""Store connections: credentials checked against the store, encrypted, never shown."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from app.db import Database
from bridge.models import BridgeStore, SyncTask
from bridge.stores import key_hash
from tests.bridge.conftest import ConnectedStore, connect, post_connect
from tests.bridge.support import MemoryQueue, signed_event
from tests.conftest import Merchant
from tests.woocommerce_double import Permission, WooCommerceDouble


def test_connect_checks_encrypts_and_never_returns_the_keys(
    client: FlaskClient, merchant: Merchant, double: WooCommerceDouble, database: Database
) -> None:
    key = double.create_key()
    response = client.post(
        "/bridge/v1/stores/connect",
        json={
            "siteUrl": double.url,
            "consumerKey": key.consumer_key,
            "consumerSecret": key.consumer_secret,
        },
        headers=merchant.headers(),
    )
    assert response.status_code == 201
    text = response.get_data(as_text=True)
    assert key.consumer_secret not in text
    assert key.consumer_key not in text
    data = response.get_json()["data"]
    assert data["webhookUrl"].endswith(f"/bridge/v1/webhooks/{data['storeId']}")
    with database.transaction() as db:
        row = db.scalars(
            select(BridgeStore).where(BridgeStore.api_key_hash == key_hash(merchant.test_key))
        ).one()
    stored = " ".join(
        [row.encrypted_consumer_key, row.encrypted_consumer_secret, row.encrypted_api_key]
    )
    assert key.consumer_secret not in stored
    assert merchant.test_key not in stored
    probes = [(r.method, r.path) for r in double.request_log]
    assert ("GET", "/wp-json/wc/v3/orders") in probes
    assert ("PUT", "/wp-json/wc/v3/orders/0") in probes


def test_wrong_secret_and_read_only_key_are_refused(
    client: FlaskClient, merchant: Merchant, double: WooCommerceDouble, database: Database
) -> None:
    key = double.create_key()
    wrong = client.post(
        "/bridge/v1/stores/connect",
        json={"siteUrl": double.url, "consumerKey": key.consumer_key, "consumerSecret": "cs_x"},
        headers=merchant.headers(),
    )
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["code"] == "invalid_woocommerce_credentials"
    read_only = double.create_key(Permission.READ)
    refused = client.post(
        "/bridge/v1/stores/connect",
        json={
            "siteUrl": double.url,
            "consumerKey": read_only.consumer_key,
            "consumerSecret": read_only.consumer_secret,
        },
        headers=merchant.headers(),
    )
    assert refused.status_code == 400
    assert "write" in refused.get_json()["error"]["message"]
    with database.transaction() as db:
        mine = select(BridgeStore).where(BridgeStore.api_key_hash == key_hash(merchant.test_key))
        assert db.scalars(mine).first() is None


def test_unreachable_store_and_bad_api_key(
    client: FlaskClient, merchant: Merchant, double: WooCommerceDouble
) -> None:
    key = double.create_key()
    double.go_down()
    down = client.post(
        "/bridge/v1/stores/connect",
        json={
            "siteUrl": double.url,
            "consumerKey": key.consumer_key,
            "consumerSecret": key.consumer_secret,
        },
        headers=merchant.headers(),
    )
    assert down.status_code == 400
    assert down.get_json()["error"]["code"] == "store_unreachable"
    unknown = client.post(
        "/bridge/v1/stores/connect",
        json={"siteUrl": double.url, "consumerKey": "ck_1", "consumerSecret": "cs_1"},
        headers={"x-api-key": "sk_test_" + "0" * 64},
    )
    assert unknown.status_code == 401


def test_disconnect_then_reconnect_keeps_the_store(
    store: ConnectedStore, client: FlaskClient, merchant: Merchant, double: WooCommerceDouble
) -> None:
    gone = client.post("/bridge/v1/stores/disconnect", headers=merchant.headers())
    assert gone.status_code == 200
    assert gone.get_json()["data"]["status"] == "disconnected"
    assert client.get("/bridge/v1/stores/current", headers=merchant.headers()).status_code == 404
    again = connect(client, merchant, double)
    assert again["storeId"] == store.store_id
    assert again["status"] == "connected"


def test_syncs_wait_while_disconnected_and_resume_on_reconnect(
    store: ConnectedStore,
    client: FlaskClient,
    merchant: Merchant,
    double: WooCommerceDouble,
    queue: MemoryQueue,
    database: Database,
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id)
    paid = store.event(session_id, "payment.completed")
    body, headers, _ = signed_event(store.secret, paid["event"], paid["data"], paid["id"])
    received = client.post(f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers)
    assert received.status_code == 200
    assert (
        client.post("/bridge/v1/stores/disconnect", headers=merchant.headers()).status_code == 200
    )
    assert queue.drain() == ["parked"]
    assert double.order(order_id)["status"] == "pending"
    with database.transaction() as db:
        task = db.scalars(select(SyncTask).where(SyncTask.session_id == session_id)).one()
        assert (task.status, task.next_attempt_at) == ("pending", None)
    connect(client, merchant, double)
    assert queue.drain() == ["succeeded"]
    assert double.order(order_id)["status"] == "processing"


def test_one_store_per_shop(store: ConnectedStore, client: FlaskClient, merchant: Merchant) -> None:
    with WooCommerceDouble() as other:
        response = post_connect(client, merchant.headers(), other)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "shop_already_connected"


def test_another_merchants_key_sees_no_store(
    store: ConnectedStore, client: FlaskClient, other_merchant: Merchant
) -> None:
    order_id = store.new_order()
    response = client.get(f"/bridge/v1/orders/{order_id}", headers=other_merchant.headers())
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "store_not_connected"
