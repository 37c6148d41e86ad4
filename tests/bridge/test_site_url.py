"""The store address is attacker-controlled: checked at connect and before every call, and
redirects are never followed."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import urllib3
from flask.testing import FlaskClient
from sqlalchemy import select

from app.db import Database
from app.webhooks.target_guard import TargetCheck
from bridge.context import BridgeContext
from bridge.models import SyncTask
from bridge.woo_client import REDIRECT_REFUSED, WooCredentials, WooPermanentError, WooStore
from tests.bridge.conftest import ConnectedStore, post_connect
from tests.bridge.support import MemoryQueue, completed_data, signed_event
from tests.conftest import Merchant
from tests.woocommerce_double import WooCommerceDouble


class _Redirector(BaseHTTPRequestHandler):
    target = ""
    hits = 0

    def _redirect(self) -> None:
        type(self).hits += 1
        self.send_response(302)
        self.send_header("Location", type(self).target + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._redirect()

    def do_PUT(self) -> None:
        self._redirect()

    def do_POST(self) -> None:
        self._redirect()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def redirector(double: WooCommerceDouble) -> Iterator[str]:
    handler = type("Handler", (_Redirector,), {"target": double.url, "hits": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _connect(
    client: FlaskClient, merchant: Merchant, double: WooCommerceDouble, site_url: str
) -> Any:
    return post_connect(client, merchant.headers(), double, site_url)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1:{port}", "169.254.169.254", "10.0.0.1", "[::1]:{port}", "localhost:{port}"],
)
def test_internal_addresses_are_refused_at_connect_without_loopback(
    client: FlaskClient,
    merchant: Merchant,
    double: WooCommerceDouble,
    bridge_ctx: BridgeContext,
    address: str,
) -> None:
    bridge_ctx.allow_loopback = False
    before = len(double.request_log)
    response = _connect(client, merchant, double, "http://" + address.format(port=double.port))
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_site_url"
    assert error["details"]["field"] == "siteUrl"
    assert len(double.request_log) == before


@pytest.mark.parametrize("address", ["169.254.169.254", "10.0.0.1", "192.168.1.10"])
def test_metadata_and_private_addresses_are_refused_even_with_loopback(
    client: FlaskClient, merchant: Merchant, double: WooCommerceDouble, address: str
) -> None:
    response = _connect(client, merchant, double, f"http://{address}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_site_url"


def test_a_live_store_may_not_be_on_loopback(
    client: FlaskClient, merchant: Merchant, double: WooCommerceDouble
) -> None:
    response = post_connect(client, {"x-api-key": merchant.live_key}, double)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_site_url"


def test_the_address_is_checked_again_before_every_sync(
    store: ConnectedStore, queue: MemoryQueue, database: Database, bridge_ctx: BridgeContext
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id)
    bridge_ctx.allow_loopback = False  # e.g. the address now resolves to a refused one
    before = len(store.double.request_log)
    body, headers, event_id = signed_event(
        store.secret, "payment.completed", completed_data(session_id, order_id, 29000)
    )
    response = store.client.post(
        f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers
    )
    assert response.status_code == 200
    assert queue.drain() == ["failed"]
    assert len(store.double.request_log) == before
    with database.transaction() as db:
        task = db.scalars(select(SyncTask).where(SyncTask.event_id == event_id)).one()
    assert "invalid_site_url" in (task.last_error or "")
    assert "loopback_address" in (task.last_error or "")
    assert store.double.order(order_id)["status"] == "pending"


def test_a_redirecting_store_is_not_followed(
    client: FlaskClient, merchant: Merchant, double: WooCommerceDouble, redirector: str
) -> None:
    before = len(double.request_log)
    response = _connect(client, merchant, double, redirector)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "store_unreachable"
    assert "redirect" in error["details"]["reason"]
    assert len(double.request_log) == before  # the redirect target was never asked


def test_woo_client_reports_a_redirect_as_a_failure(
    double: WooCommerceDouble, redirector: str
) -> None:
    calls: list[Any] = []
    key = double.create_key()
    woo = WooStore(
        WooCredentials(redirector, key.consumer_key, key.consumer_secret), 5.0, calls.append
    )
    with pytest.raises(WooPermanentError) as raised:
        woo.call("read_order", "GET", "orders/1")
    assert raised.value.code == REDIRECT_REFUSED
    assert raised.value.status == 302
    assert [call.http_status for call in calls] == [302]
    assert double.request_log == []


def test_bad_site_url_before_and_after_authentication(
    client: FlaskClient, merchant: Merchant
) -> None:
    body = {"siteUrl": "http://[abc", "consumerKey": "ck_x", "consumerSecret": "cs_x"}
    anonymous = client.post("/bridge/v1/stores/connect", json=body)
    assert anonymous.status_code == 401
    wrong_key = client.post(
        "/bridge/v1/stores/connect", json=body, headers={"x-api-key": "sk_test_" + "0" * 40}
    )
    assert wrong_key.status_code == 401
    not_json = client.post("/bridge/v1/stores/connect", data=b"{", content_type="text/plain")
    assert not_json.status_code == 401
    for site_url in ("http://[abc", "http://shop.example:99999", "ftp://shop.example", 7):
        response = client.post(
            "/bridge/v1/stores/connect",
            json={**body, "siteUrl": site_url},
            headers=merchant.headers(),
        )
        assert response.status_code == 400, (site_url, response.get_json())
        assert response.get_json()["error"]["code"] == "invalid_site_url"


def test_a_store_call_connects_to_the_address_the_guard_approved(
    double: WooCommerceDouble,
) -> None:
    """The connection goes where the guard's verdict says and never resolves the store's
    name again, so a DNS answer that changes after the check (rebinding) cannot redirect it.
    Here the verdict names another server: only that one is asked."""
    with WooCommerceDouble() as approved:
        verdict = TargetCheck(
            allowed=True,
            host="127.0.0.1",
            port=approved.port,
            addresses=("127.0.0.1",),
            connect_ip="127.0.0.1",
        )
        key = double.create_key()
        credentials = WooCredentials(double.url, key.consumer_key, key.consumer_secret)
        woo = WooStore(credentials, 5.0, [].append, lambda _url: verdict)
        with pytest.raises(WooPermanentError) as raised:
            woo.call("read_order", "GET", "orders/1")
        assert raised.value.status == 401  # signed for the store's own address, as it must be
        assert len(approved.request_log) == 1
        assert double.request_log == []


class _RecordingPool:
    """Stands in for a urllib3 connection pool: records the request, answers 200 []."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def urlopen(self, method: str, path: str, **kwargs: Any) -> Any:
        self.requests.append({"method": method, "path": path, **kwargs})
        return urllib3.HTTPResponse(body=io.BytesIO(b"[]"), status=200, preload_content=False)


class _RecordingManager(urllib3.PoolManager):
    def __init__(self, pool: _RecordingPool) -> None:
        super().__init__()
        self.pool = pool
        self.hosts: list[tuple[Any, ...]] = []

    def connection_from_host(
        self, host: Any, port: Any = None, scheme: Any = "http", pool_kwargs: Any = None
    ) -> Any:
        self.hosts.append((host, port, scheme, pool_kwargs))
        return self.pool


def test_https_stores_get_basic_auth_like_the_woocommerce_client() -> None:
    pool = _RecordingPool()
    manager = _RecordingManager(pool)
    verdict = TargetCheck(
        allowed=True,
        host="shop.example",
        port=443,
        addresses=("203.0.113.7",),
        connect_ip="203.0.113.7",
    )
    credentials = WooCredentials("https://shop.example", "ck_abc", "cs_def")
    woo = WooStore(credentials, 5.0, [].append, lambda _url: verdict, manager)
    assert woo.call("list", "GET", "orders", params={"per_page": 1}) == []
    (sent,) = pool.requests
    assert sent["path"] == "/wp-json/wc/v3/orders?per_page=1"
    assert (
        sent["headers"]["authorization"] == "Basic " + base64.b64encode(b"ck_abc:cs_def").decode()
    )
    assert sent["headers"]["Host"] == "shop.example"
    assert "oauth_signature" not in sent["path"]
    assert sent["redirect"] is False
    # Connected to the approved address, with TLS checked for the store's name.
    assert manager.hosts == [
        (
            "203.0.113.7",
            443,
            "https",
            {"server_hostname": "shop.example", "assert_hostname": "shop.example"},
        )
    ]
