"""The bridge trusts only what it should: its own endpoint secret (not the shop's), keys
authenticated as `/api` does (a revoked key is refused everywhere), https for live stores,
and `import bridge` works on its own."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from app.db import Database
from app.models.base import utcnow
from app.payments import api_keys
from bridge.context import BridgeContext
from bridge.models import BridgeStore
from tests.bridge.conftest import ConnectedStore, post_connect
from tests.bridge.support import MemoryQueue, signed_event
from tests.conftest import Merchant
from tests.servers import ROOT
from tests.woocommerce_double import WooCommerceDouble


def paid_event(store: ConnectedStore) -> tuple[int, dict[str, Any]]:
    """An order paid at the core and the payment.completed event the core recorded."""
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id)
    return order_id, store.event(session_id, "payment.completed")


def post_signed(store: ConnectedStore, secret: str, event: dict[str, Any]) -> Any:
    body, headers, _ = signed_event(secret, event["event"], event["data"], event["id"])
    return store.client.post(f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers)


def shop_secret(store: ConnectedStore) -> str:
    answer = store.client.get(f"/api/shops/{store.shop_id}/webhook-secret", headers=store.headers())
    secret: str = answer.get_json()["data"]["secret"]
    return secret


def test_a_webhook_signed_with_the_shops_secret_is_refused(
    store: ConnectedStore, queue: MemoryQueue
) -> None:
    order_id, event = paid_event(store)
    # Correctly signed, but with the secret every key of the account can read.
    forged = post_signed(store, shop_secret(store), event)
    assert forged.status_code == 400
    assert forged.get_json()["error"]["code"] == "invalid_signature"
    assert not queue.queued
    accepted = post_signed(store, store.secret, event)
    assert accepted.status_code == 200, accepted.get_json()
    queue.drain()
    assert store.double.order(order_id)["status"] == "processing"


def test_rotating_the_shops_secret_changes_nothing_for_the_bridge(
    store: ConnectedStore, queue: MemoryQueue
) -> None:
    rotated = store.client.post(
        f"/api/shops/{store.shop_id}/webhook-secret/rotate", headers=store.headers()
    ).get_json()["data"]["secret"]
    _order_id, event = paid_event(store)
    assert post_signed(store, rotated, event).status_code == 400
    assert post_signed(store, store.secret, event).status_code == 200


def test_a_stale_stored_secret_is_refreshed_from_the_endpoint_once(
    store: ConnectedStore, queue: MemoryQueue, database: Database, bridge_ctx: BridgeContext
) -> None:
    stale = bridge_ctx.box.encrypt("whsec_" + "B" * 44)
    with database.transaction() as db:
        db.execute(
            update(BridgeStore)
            .where(BridgeStore.id == store.store_id)
            .values(
                encrypted_webhook_secret=stale,
                secret_refreshed_at=utcnow() - timedelta(minutes=5),
            )
        )
    _order_id, event = paid_event(store)
    accepted = post_signed(store, store.secret, event)
    assert accepted.status_code == 200, accepted.get_json()
    with database.transaction() as db:
        row = db.get_one(BridgeStore, store.store_id)
        assert bridge_ctx.box.decrypt(row.encrypted_webhook_secret) == store.secret


def bridge_calls(order_id: int) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every /bridge/v1 endpoint that takes the store's API key."""
    return [
        ("get", "/bridge/v1/stores/current", None),
        ("post", "/bridge/v1/stores/disconnect", None),
        ("post", "/bridge/v1/orders", {"order": {"id": order_id}}),
        ("get", f"/bridge/v1/orders/{order_id}", None),
        ("post", f"/bridge/v1/orders/{order_id}/refunds", {"wcRefundId": 1, "amount": 100}),
        ("post", f"/bridge/v1/orders/{order_id}/cancel", None),
        ("get", f"/bridge/v1/orders/{order_id}/timeline", None),
        ("post", "/bridge/v1/stores/connect", {"siteUrl": "https://shop.example.test"}),
    ]


def test_a_revoked_key_is_refused_on_every_bridge_endpoint(
    store: ConnectedStore, client: FlaskClient, merchant: Merchant, database: Database
) -> None:
    order_id = store.new_order()
    store.checkout(order_id)
    with database.transaction() as db:
        api_keys.revoke_key(db, merchant.test_key_id, utcnow())
    for method, path, body in bridge_calls(order_id):
        response = getattr(client, method)(path, json=body, headers=merchant.headers())
        assert response.status_code == 401, (path, response.get_json())
        error = response.get_json()["error"]
        assert (error["code"], error["details"]) == ("invalid_api_key", {"field": "x-api-key"})
    # Nothing was done on the store's behalf: it is still connected.
    with database.transaction() as db:
        assert db.get_one(BridgeStore, store.store_id).status == "connected"


def test_a_valid_key_without_a_store_is_404_and_an_unknown_key_401(
    client: FlaskClient, merchant: Merchant
) -> None:
    missing = client.get("/bridge/v1/stores/current", headers=merchant.headers())
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "store_not_connected"
    unknown = client.get("/bridge/v1/stores/current", headers={"x-api-key": "sk_test_" + "1" * 64})
    assert unknown.status_code == 401
    assert unknown.get_json()["error"]["code"] == "invalid_api_key"


def test_a_live_store_must_use_https(
    client: FlaskClient, merchant: Merchant, double: WooCommerceDouble
) -> None:
    assert double.url.startswith("http://")
    response = post_connect(client, merchant.headers("live"), double)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_site_url"
    assert error["details"] == {"field": "siteUrl", "reason": "https_required"}
    assert not double.request_log  # refused before the store was called


@pytest.mark.parametrize("module", ["bridge", "bridge.stores", "bridge.receiver"])
def test_a_bridge_module_imports_on_its_own(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
