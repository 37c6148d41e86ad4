"""Send a recorded request to the double and compare the answer with the recording."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
import woocommerce

from tests.woocommerce_double import Permission, WooCommerceDouble
from tests.woocommerce_double_tests.clock import ManualClock
from tests.woocommerce_double_tests.fixtures_dir import load

RECORDED_HOST = "http://127.0.0.1:8089"
# Sent with plain `requests` and no OAuth (fixtures README).
UNAUTHENTICATED = {
    "auth-missing-get",
    "auth-missing-note",
    "auth-missing-put",
    "system-status-unauthenticated",
    "api-index-unauthenticated",
}
VOLATILE = {"id", "order_key", "number", "payment_url", "new_draft_order_id"}


class Replayer:
    def __init__(self, double: WooCommerceDouble, clock: ManualClock) -> None:
        self.double = double
        self.clock = clock
        self.key = double.create_key(Permission.READ_WRITE)
        self.read_key = double.create_key(Permission.READ)
        # recorded id -> id in the double, for objects the replay itself created
        self.ids: dict[int, int] = {}

    def client(self, consumer_key: str, secret: str) -> woocommerce.API:
        return woocommerce.API(self.double.url, consumer_key, secret, version="wc/v3", timeout=10)

    def send(self, name: str) -> requests.Response:
        fixture = load(name)
        moment = recorded_moment(fixture)
        if moment is not None:
            self.clock.follow(moment)
        method = fixture["request"]["method"]
        body = fixture["request"]["body"]
        path = self._map_ids(fixture["request"]["path"])
        if name in UNAUTHENTICATED:
            return requests.request(method, self.double.url + path, json=body, timeout=10)
        if name == "auth-basic-over-http":
            auth = (self.key.consumer_key, self.key.consumer_secret)
            return requests.request(method, self.double.url + path, auth=auth, timeout=10)
        consumer_key, secret = self.key.consumer_key, self.key.consumer_secret
        if "wrong-secret" in name:
            secret = "cs_wrong_" + secret
        elif name == "auth-unknown-consumer-key":
            consumer_key = "ck_unknown_0000"
        elif name.startswith("auth-read-only-key"):
            consumer_key, secret = self.read_key.consumer_key, self.read_key.consumer_secret
        parts = urlsplit(path)
        endpoint = parts.path.removeprefix("/wp-json/wc/v3").lstrip("/")
        params = dict(parse_qsl(parts.query))
        api = self.client(consumer_key, secret)
        if method == "GET":
            response = api.get(endpoint, params=params)
        elif method == "POST":
            response = api.post(endpoint, body, params=params)
        else:
            response = api.put(endpoint, body, params=params)
        self._remember_ids(fixture, response)
        return response

    def _map_ids(self, path: str) -> str:
        def swap(match: re.Match[str]) -> str:
            recorded = int(match.group(1))
            return f"/orders/{self.ids.get(recorded, recorded)}"

        return re.sub(r"/orders/(\d+)", swap, path)

    def _remember_ids(self, fixture: dict[str, Any], response: requests.Response) -> None:
        recorded = fixture["response"]["body"]
        if not isinstance(recorded, dict) or response.status_code >= 500:
            return
        actual = response.json()
        if fixture["request"]["path"].endswith("/orders") and "id" in recorded:
            self.ids[recorded["id"]] = actual["id"]
        draft = (recorded.get("data") or {}) if isinstance(recorded.get("data"), dict) else {}
        if "new_draft_order_id" in draft:
            self.ids[draft["new_draft_order_id"]] = actual["data"]["new_draft_order_id"]


def recorded_moment(fixture: dict[str, Any]) -> str | None:
    """When the exchange happened, from the object it created or changed."""
    body = fixture["response"]["body"]
    if isinstance(body, dict):
        return body.get("date_modified_gmt") or body.get("date_created_gmt")
    return None


def normalize(value: Any, home: str = "") -> Any:
    """Mask what the double may generate differently: ids, keys, dates (only whether they
    are set is compared), and link targets (only the link relations are compared)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key == "_links":
                out[key] = sorted(item)
            elif key in VOLATILE:
                out[key] = "<id>"
            elif key.startswith("date_") and item is not None:
                out[key] = "<date>"
            else:
                out[key] = normalize(item, home)
        return out
    if isinstance(value, list):
        return [normalize(v, home) for v in value]
    if isinstance(value, str) and home:
        return value.replace(home, RECORDED_HOST)
    return value


def link_relations(header: str | None) -> list[str]:
    return sorted(re.findall(r'rel="([^"]+)"', header or ""))


def link_pages(header: str | None) -> dict[str, str]:
    pages: dict[str, str] = {}
    for target, rel in re.findall(r'<([^>]+)>; rel="([^"]+)"', header or ""):
        query = dict(parse_qsl(urlsplit(target).query))
        pages[rel] = query.get("page", "")
    return pages
