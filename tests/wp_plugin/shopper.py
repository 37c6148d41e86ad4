"""A shopper on the store's classic checkout or Checkout block over plain HTTP (the rig
README's recipe for the first, the Store API the block talks to for the second)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import requests

from tests.wp_plugin.rig import Store

BILLING = {
    "billing_first_name": "길동",
    "billing_last_name": "홍",
    "billing_country": "KR",
    "billing_state": "KR11",
    "billing_postcode": "06236",
    "billing_city": "서울",
    "billing_address_1": "서울 강남구 테헤란로 123",
    "billing_address_2": "4층 401호",
    "billing_phone": "010-1234-5678",
    "billing_email": "hong@example.com",
}


@dataclass(frozen=True)
class Placed:
    """An order the store accepted, and the hosted page it sends the shopper to."""

    order_id: int
    redirect: str


class Shopper:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.http = requests.Session()

    def add_demo_product(self) -> None:
        product = self.store.env["WC_RIG_DEMO_PRODUCT_ID"]
        response = self.http.get(f"{self.store.url}/?add-to-cart={product}", timeout=60)
        assert response.status_code == 200

    def checkout_page(self) -> str:
        response = self.http.get(f"{self.store.url}/checkout/", timeout=60)
        assert response.status_code == 200
        return response.text

    def place_order(self, method: str = "card", **extra: str) -> dict[str, Any]:
        page = self.checkout_page()
        nonce = re.search(r'name="woocommerce-process-checkout-nonce" value="([^"]+)"', page)
        assert nonce, "no checkout nonce"
        response = self.http.post(
            f"{self.store.url}/?wc-ajax=checkout",
            data={
                **BILLING,
                "payment_method": "korea_checkout",
                "korea_checkout_method": method,
                "woocommerce-process-checkout-nonce": nonce.group(1),
                "_wp_http_referer": "/checkout/",
                **extra,
            },
            timeout=60,
        )
        assert response.status_code == 200, response.text[:500]
        answer: dict[str, Any] = response.json()
        return answer

    def place(self, method: str = "card") -> Placed:
        answer = self.place_order(method)
        assert answer["result"] == "success", answer
        return Placed(int(answer["order_id"]), answer["redirect"])

    def follow(self, url: str) -> requests.Response:
        return self.http.get(url, timeout=60)


class _Answer:
    """What tests/app/checkout/checkout_helpers reads from a response, over real HTTP."""

    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self._text = response.text

    def get_data(self, as_text: bool = False) -> str:
        return self._text


class HostedPage:
    """The shopper's browser on the Korea Checkout hosted page (no JavaScript needed)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, path: str) -> _Answer:
        return self._seen(self.http.get(self.base_url + path, allow_redirects=False, timeout=60))

    def post(self, path: str, data: dict[str, str] | None = None) -> _Answer:
        url = self.base_url + path
        return self._seen(self.http.post(url, data=data, allow_redirects=False, timeout=60))

    def _seen(self, response: requests.Response) -> _Answer:
        # Browsers send Secure cookies to http://127.0.0.1 (a trustworthy origin);
        # requests does not, so the page's capability cookie is kept as a browser would.
        for cookie in self.http.cookies:
            cookie.secure = False
        return _Answer(response)


class BlocksShopper:
    """A shopper on the Checkout block, which talks to the Store API (wc/store/v1)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.http = requests.Session()
        self.nonce = ""

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(
            method,
            f"{self.store.url}/wp-json/wc/store/v1/{path}",
            json=body,
            headers={"Nonce": self.nonce} if self.nonce else {},
            timeout=60,
        )
        self.nonce = response.headers.get("Nonce", self.nonce)
        return response

    def add_demo_product(self) -> None:
        self._call("GET", "cart")
        product = int(self.store.env["WC_RIG_DEMO_PRODUCT_ID"])
        added = self._call("POST", "cart/add-item", {"id": product, "quantity": 1})
        assert added.status_code == 201, added.text

    def place_order(
        self, method: str, billing: dict[str, str] | None = None, **extra: Any
    ) -> requests.Response:
        address = {
            "first_name": "길동",
            "last_name": "홍",
            "address_1": "서울 강남구 테헤란로 123",
            "address_2": "4층 401호",
            "city": "서울",
            "state": "KR11",
            "postcode": "06236",
            "country": "KR",
            "phone": "010-1234-5678",
        }
        body = {
            "billing_address": {**address, "email": "hong@example.com", **(billing or {})},
            "shipping_address": address,
            "payment_method": "korea_checkout",
            "payment_data": [{"key": "korea_checkout_method", "value": method}],
            **extra,
        }
        return self._call("POST", "checkout", body)

    def place(self, method: str = "card") -> Placed:
        placed = self.place_order(method)
        assert placed.status_code == 200, placed.text
        answer = placed.json()
        return Placed(int(answer["order_id"]), answer["payment_result"]["redirect_url"])

    def follow(self, url: str) -> requests.Response:
        return self.http.get(url, timeout=60)


Checkout = Literal["classic", "blocks"]


def shopper_on(checkout: Checkout, store: Store) -> Shopper | BlocksShopper:
    """A new shopper with an empty cart on the classic checkout or the Checkout block."""
    return Shopper(store) if checkout == "classic" else BlocksShopper(store)
