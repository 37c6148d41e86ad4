"""End to end over real HTTP: gunicorn serving the API and the bridge, a real RQ worker
process, the WooCommerce double. A hosted-page payment lands on the order once; a refund
from the API becomes one WooCommerce refund; a worker killed mid-sync loses nothing."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests

from app.db import Database
from tests.app.checkout.checkout_helpers import pay
from tests.bridge.support import order_body
from tests.conftest import make_merchant
from tests.servers import free_port, gunicorn_server, kill_group, start_worker, stop, wait_for
from tests.woocommerce_double import WooCommerceDouble

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}


class HttpResponse:
    """What the checkout helpers read from a Flask test response, over real HTTP."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self._text = response.text

    def get_data(self, as_text: bool = False) -> str:
        return self._text


class HttpBrowser:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def _cookies(self) -> dict[str, str]:
        """requests keeps Secure cookies from plain http; Chromium sends them to 127.0.0.1
        (a secure context), so this browser does too."""
        return {cookie.name: str(cookie.value) for cookie in self.session.cookies}

    def get(self, path: str) -> HttpResponse:
        url = self.base_url + path
        return HttpResponse(self.session.get(url, cookies=self._cookies(), allow_redirects=False))

    def post(self, path: str, data: dict[str, str] | None = None) -> HttpResponse:
        url = self.base_url + path
        response = self.session.post(url, data=data, cookies=self._cookies(), allow_redirects=False)
        return HttpResponse(response)


@pytest.fixture
def stack(
    fresh_database_url: str,
    private_redis: str,
    tmp_path: Path,
) -> Iterator[dict[str, Any]]:
    database_url = fresh_database_url
    port = free_port()
    env = {
        "KC_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": private_redis,
        "REDIS_NAMESPACE": f"e2e{secrets.token_hex(3)}",
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "VAR_DIR": str(tmp_path),
        "SWEEP_INTERVAL_SECONDS": "1",
        "BRIDGE_RETRY_SCALE": "0.01",
        "BRIDGE_TASK_LEASE_SECONDS": "4",
        "BRIDGE_WOOCOMMERCE_TIMEOUT_SECONDS": "2",
    }
    database = Database(database_url)
    merchant = make_merchant(database)
    with WooCommerceDouble() as double, gunicorn_server(env, port=port) as url:
        double.seed_reference_catalog()
        key = double.create_key()
        headers = merchant.headers()
        connected = requests.post(
            f"{url}/bridge/v1/stores/connect",
            json={
                "siteUrl": double.url,
                "consumerKey": key.consumer_key,
                "consumerSecret": key.consumer_secret,
            },
            headers=headers,
            timeout=30,
        )
        assert connected.status_code == 201, connected.text
        yield {"env": env, "url": url, "double": double, "headers": headers}
    database.dispose()


def checkout(stack: dict[str, Any], order_id: int) -> str:
    response = requests.post(
        f"{stack['url']}/bridge/v1/orders",
        json={
            "order": stack["double"].order(order_id),
            "returnUrl": "https://s.test/r",
            "cancelUrl": "https://s.test/c",
        },
        headers=stack["headers"],
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["sessionId"])


def checkout_url(stack: dict[str, Any], session_id: str) -> str:
    """The shopper's link (the session id alone opens nothing on the hosted page)."""
    response = requests.get(
        f"{stack['url']}/api/checkout/session/{session_id}", headers=stack["headers"], timeout=30
    )
    return str(response.json()["data"]["checkoutUrl"])


def korea_notes(double: WooCommerceDouble, order_id: int) -> list[str]:
    return [n for n in double.note_texts(order_id) if n.startswith("[Korea Checkout]")]


def test_payment_and_refund_land_once_over_http(stack: dict[str, Any]) -> None:
    double: WooCommerceDouble = stack["double"]
    order_id = double.seed_order(order_body([(17, 1)])).id
    session_id = checkout(stack, order_id)
    worker = start_worker(stack["env"])
    try:
        response = pay(
            HttpBrowser(stack["url"]), checkout_url(stack, session_id), "card", choices=APPROVE
        )
        assert response.status_code == 303
        wait_for(lambda: double.order(order_id)["status"] == "processing")
        wait_for(lambda: len(korea_notes(double, order_id)) == 1)
        refund = requests.post(
            f"{stack['url']}/api/checkout/session/{session_id}/refund",
            json={"amount": 10000, "reason": "고객 요청"},
            headers=stack["headers"],
            timeout=30,
        )
        assert refund.status_code == 201, refund.text
        wait_for(lambda: [r.amount for r in double.refunds(order_id)] == [10000])
        wait_for(lambda: len(korea_notes(double, order_id)) == 2)
        status = requests.get(
            f"{stack['url']}/bridge/v1/orders/{order_id}", headers=stack["headers"], timeout=30
        ).json()
        assert status["status"] == "partially_refunded"
        assert status["paid"] is True
    finally:
        stop(worker)
    assert double.order(order_id)["transaction_id"]
    assert double.meta(order_id)["_korea_checkout_session_id"] == session_id
    assert len(korea_notes(double, order_id)) == 2
    assert [r.amount for r in double.refunds(order_id)] == [10000]


def test_worker_killed_mid_sync_loses_nothing(stack: dict[str, Any]) -> None:
    double: WooCommerceDouble = stack["double"]
    order_id = double.seed_order(order_body([(18, 2)])).id
    session_id = checkout(stack, order_id)
    # The first request the worker sends to the store hangs; we kill the worker meanwhile.
    double.faults.hang_next(1, seconds=30)
    pay(HttpBrowser(stack["url"]), checkout_url(stack, session_id), "card", choices=APPROVE)
    first = start_worker(stack["env"])
    try:
        wait_for(lambda: double.faults.hung_requests >= 1)
        kill_group(first)
    finally:
        stop(first)
    double.faults.release()
    assert double.order(order_id)["status"] == "pending"
    second = start_worker(stack["env"])
    try:
        wait_for(lambda: double.order(order_id)["status"] == "processing")
        wait_for(lambda: len(korea_notes(double, order_id)) == 1)
    finally:
        stop(second)
    assert len(korea_notes(double, order_id)) == 1


def test_store_down_and_redis_emptied_every_order_still_lands_once(
    stack: dict[str, Any], private_redis: str
) -> None:
    double: WooCommerceDouble = stack["double"]
    orders = [double.seed_order(order_body([(17, 1)])).id for _ in range(3)]
    sessions = [checkout(stack, order_id) for order_id in orders]
    double.go_down()
    worker = start_worker(stack["env"])
    try:
        for session_id in sessions:
            pay(HttpBrowser(stack["url"]), checkout_url(stack, session_id), "card", choices=APPROVE)
        # The bridge has the events and is retrying against the dead store...
        wait_for(lambda: _sync_attempts_failed(stack, orders) >= 3, timeout=60)
        # ...when Redis loses every lease, back-off, wake-up and scheduled job.
        redis.Redis.from_url(private_redis).flushall()
        double.come_back()
        for order_id in orders:
            wait_for(lambda o=order_id: double.order(o)["status"] == "processing", timeout=90)
            wait_for(lambda o=order_id: len(korea_notes(double, o)) == 1, timeout=30)
    finally:
        stop(worker)
    assert all(len(korea_notes(double, order_id)) == 1 for order_id in orders)


def _sync_attempts_failed(stack: dict[str, Any], orders: list[int]) -> int:
    """Sync attempts that found the store down, read from the orders' timelines."""
    failed = 0
    for order_id in orders:
        timeline = requests.get(
            f"{stack['url']}/bridge/v1/orders/{order_id}/timeline",
            headers=stack["headers"],
            timeout=30,
        ).json()["data"]
        failed += sum(
            1
            for row in timeline
            if row["type"] == "sync" and row["outcome"] == "retrying" and not row["httpStatus"]
        )
    return failed
