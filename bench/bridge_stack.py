"""The stack of the bridge relay benchmark: WooCommerce doubles that time their order
updates, connected stores with orders linked to sessions, and signed webhook posting."""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from app.db import Database
from app.webhooks.signing import build_signature_headers
from tests.bridge.support import completed_data, order_body
from tests.conftest import Merchant, make_merchant
from tests.woocommerce_double import WooCommerceDouble

ORDER_PATH = re.compile(r"/wp-json/wc/v3/orders/(\d+)(/notes)?$")
_local = threading.local()


def http() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session  # type: ignore[no-any-return]


class TimedDouble(WooCommerceDouble):
    """The double, remembering when each order's first status update and first note
    were answered (monotonic seconds)."""

    def __init__(self) -> None:
        super().__init__()
        self.updated: dict[int, float] = {}
        self.noted: dict[int, float] = {}
        inner = self._app

        def timed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            body = list(inner(environ, start_response))
            match = ORDER_PATH.search(environ.get("PATH_INFO", ""))
            method = environ.get("REQUEST_METHOD")
            if match and method in ("PUT", "POST"):
                target = self.noted if match.group(2) else self.updated
                if method == ("POST" if match.group(2) else "PUT"):
                    target.setdefault(int(match.group(1)), time.monotonic())
            return body

        self._app = timed  # type: ignore[assignment]


@dataclass
class Store:
    store_id: str
    secret: str
    merchant: Merchant
    double: TimedDouble
    ready: list[tuple[int, str, int]] = field(default_factory=list)  # order, session, total
    sent: dict[int, float] = field(default_factory=dict)


def connect_store(url: str, database: Database) -> Store:
    merchant = make_merchant(database)
    double = TimedDouble().start()
    double.seed_reference_catalog()
    double.faults.set_latency(0.02)
    key = double.create_key()
    response = http().post(
        f"{url}/bridge/v1/stores/connect",
        json={
            "siteUrl": double.url,
            "consumerKey": key.consumer_key,
            "consumerSecret": key.consumer_secret,
        },
        headers=merchant.headers(),
        timeout=60,
    )
    response.raise_for_status()
    data = response.json()["data"]
    secret = (
        http()
        .get(
            f"{url}/api/shops/{data['shopId']}/webhook-secret",
            headers=merchant.headers(),
            timeout=30,
        )
        .json()["data"]["secret"]
    )
    return Store(data["storeId"], secret, merchant, double)


def linked_order(url: str, store: Store) -> None:
    """A WooCommerce order and its checkout session, made through the bridge's API."""
    order = store.double.seed_order(order_body([(17, 1)]))
    response = http().post(
        f"{url}/bridge/v1/orders",
        json={
            "order": store.double.order(order.id),
            "returnUrl": "https://shop.example/return",
            "cancelUrl": "https://shop.example/cancel",
        },
        headers=store.merchant.headers(),
        timeout=60,
    )
    response.raise_for_status()
    total = int(float(store.double.order(order.id)["total"]))
    store.ready.append((order.id, response.json()["sessionId"], total))


def prepare(url: str, stores: Iterable[Store], per_store: int) -> None:
    jobs = [s for s in stores for _ in range(per_store)]
    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(lambda s: linked_order(url, s), jobs))


def post_event(url: str, store: Store) -> None:
    order_id, session_id, total = store.ready.pop()
    event_id = f"evt_{secrets.token_hex(16)}"
    body = json.dumps(
        {
            "id": event_id,
            "event": "payment.completed",
            "createdAt": "2026-01-01T00:00:00Z",
            "data": completed_data(session_id, order_id, total),
        },
        ensure_ascii=False,
    ).encode()
    headers = build_signature_headers(event_id, body, int(time.time()), [store.secret])
    headers["Content-Type"] = "application/json"
    store.sent[order_id] = time.monotonic()
    response = http().post(
        f"{url}/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers, timeout=30
    )
    if response.status_code != 200:
        store.sent.pop(order_id, None)


def paced(url: str, plan: list[Store], rate: float) -> float:
    """Post one event for each store in `plan` at `rate` per second (open loop)."""
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        for n, store in enumerate(plan):
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(post_event, url, store)
    return time.monotonic() - start


def wait_synced(stores: Iterable[Store], timeout: float) -> None:
    stores = list(stores)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(set(s.sent) <= set(s.double.updated) for s in stores):
            return
        time.sleep(0.05)


def latencies(stores: Iterable[Store], which: str = "updated") -> tuple[list[float], int]:
    """Milliseconds from posting each event to its update (or note); and how many missed."""
    values, missing = [], 0
    for store in stores:
        done = getattr(store.double, which)
        for order_id, sent in store.sent.items():
            if order_id in done:
                values.append((done[order_id] - sent) * 1000)
            else:
                missing += 1
    return values, missing


def reset(stores: Iterable[Store]) -> None:
    for store in stores:
        store.sent.clear()
