"""Bridge fixtures: the WooCommerce double over real HTTP, the core in process (the bridge's
embedded core client), a connected store and an in-memory stand-in for the queue."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.settings import Settings
from bridge.context import BridgeContext
from tests.app.checkout.checkout_helpers import pay
from tests.bridge.support import APPROVE, MemoryQueue, core_event, order_body
from tests.conftest import Merchant, make_settings
from tests.woocommerce_double import WooCommerceDouble


@pytest.fixture
def settings(database_url: str, redis_namespace: str, tmp_path: Path) -> Settings:
    """As the shared one, with sync retries 100x faster (the schedule's shape is unchanged)."""
    namespace = f"{redis_namespace}:{secrets.token_hex(4)}"
    # The core delivers these sessions' webhooks to a closed local port: they fail at once
    # instead of leaving slow deliveries to an unresolvable host for later tests' workers.
    return make_settings(
        database_url,
        namespace,
        tmp_path,
        BRIDGE_RETRY_SCALE=0.01,
        BRIDGE_PUBLIC_URL="http://127.0.0.1:9",
    )


@pytest.fixture
def double() -> Iterator[WooCommerceDouble]:
    with WooCommerceDouble() as running:
        running.seed_reference_catalog()
        yield running


@pytest.fixture
def bridge_ctx(app: Flask) -> BridgeContext:
    ctx: BridgeContext = app.extensions["bridge"]
    return ctx


@pytest.fixture
def queue(bridge_ctx: BridgeContext) -> MemoryQueue:
    memory = MemoryQueue(bridge_ctx)
    bridge_ctx.enqueue = memory
    return memory


@pytest.fixture
def client(app: Flask, bridge_ctx: BridgeContext, queue: MemoryQueue) -> FlaskClient:
    """The app's test client, with the bridge wired to the API in process and to `queue`."""
    return app.test_client()


@dataclass
class ConnectedStore:
    store_id: str
    shop_id: str
    secret: str
    merchant: Merchant
    double: WooCommerceDouble
    client: FlaskClient

    def headers(self) -> dict[str, str]:
        return self.merchant.headers()

    def new_order(self, products: list[tuple[int, int]] | None = None, **extra: Any) -> int:
        order = self.double.seed_order(order_body(products or [(17, 1)], **extra))
        return order.id

    def checkout(self, order_id: int) -> dict[str, Any]:
        response = self.client.post(
            "/bridge/v1/orders",
            json={
                "order": self.double.order(order_id),
                "returnUrl": "https://shop.example.test/return",
                "cancelUrl": "https://shop.example.test/cancel",
            },
            headers=self.headers(),
        )
        assert response.status_code in (200, 201), response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def pay(self, session_id: str, method: str = "card", **extra: str) -> Any:
        """Pay on the hosted page through the sandbox (the core's webhooks go nowhere: tests
        deliver them with `event`)."""
        choices = APPROVE if method == "card" else None
        return pay(self.client, session_id, method, choices=choices, **extra)

    def event(self, session_id: str, event_type: str) -> dict[str, Any]:
        return core_event(self.client, self.headers(), session_id, event_type)

    def refund(self, session_id: str, amount: int, reason: str = "고객 요청") -> dict[str, Any]:
        response = self.client.post(
            f"/api/checkout/session/{session_id}/refund",
            json={"amount": amount, "reason": reason},
            headers=self.headers(),
        )
        assert response.status_code == 201, response.get_json()
        refund: dict[str, Any] = response.get_json()
        return refund


def endpoint_secret(client: FlaskClient, merchant: Merchant, webhook_url: str) -> str:
    """The secret the core signs a store's webhooks with: its endpoint's own."""
    response = client.post(
        "/api/webhook-endpoints", json={"url": webhook_url}, headers=merchant.headers()
    )
    assert response.status_code == 200, response.get_json()
    secret: str = response.get_json()["data"]["secret"]
    return secret


def post_connect(
    client: FlaskClient,
    headers: dict[str, str],
    double: WooCommerceDouble,
    site_url: str | None = None,
    **extra: Any,
) -> Any:
    """POST /bridge/v1/stores/connect with a fresh read/write key of `double`."""
    key = double.create_key()
    return client.post(
        "/bridge/v1/stores/connect",
        json={
            "siteUrl": site_url or double.url,
            "consumerKey": key.consumer_key,
            "consumerSecret": key.consumer_secret,
            **extra,
        },
        headers=headers,
    )


def connect(
    client: FlaskClient, merchant: Merchant, double: WooCommerceDouble, **extra: Any
) -> dict[str, Any]:
    response = post_connect(client, merchant.headers(), double, **extra)
    assert response.status_code == 201, response.get_json()
    data: dict[str, Any] = response.get_json()["data"]
    return data


@pytest.fixture
def store(
    client: FlaskClient, merchant: Merchant, double: WooCommerceDouble, queue: MemoryQueue
) -> ConnectedStore:
    data = connect(client, merchant, double)
    secret = endpoint_secret(client, merchant, data["webhookUrl"])
    return ConnectedStore(data["storeId"], data["shopId"], secret, merchant, double, client)
