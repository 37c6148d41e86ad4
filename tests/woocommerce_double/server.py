"""WooCommerceDouble: the simulated store served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from . import catalog
from .app import WooApp
from .faults import Faults
from .models import ApiKey, Gateway, Note, Order, Permission, Product, Refund
from .orders import create_order, update_order
from .refunds import create_refund
from .serialize import order_json
from .store import LoggedRequest, Store, system_clock


class _QuietHandler(WSGIRequestHandler):
    # One request per connection: with keep-alive, a client could keep talking to a
    # handler thread after go_down() and "downtime" would not refuse it.
    protocol_version = "HTTP/1.0"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Tests read `request_log` instead of stderr noise."""


class WooCommerceDouble:
    """A WooCommerce 10.0.2 store (KRW, HPOS, Asia/Seoul) speaking wc/v3 over plain HTTP.

    Over http:// WooCommerce only accepts OAuth 1.0a, so the `woocommerce` client works
    unchanged. `assume_https=True` makes the double behave as if served behind TLS (Basic
    auth and `consumer_key`/`consumer_secret` query parameters accepted, OAuth ignored);
    `trust_forwarded_proto=True` does that only for requests with
    `X-Forwarded-Proto: https` (real WordPress needs a plugin or config for that).
    """

    def __init__(
        self,
        *,
        port: int = 0,
        assume_https: bool = False,
        trust_forwarded_proto: bool = False,
        clock: Any = system_clock,
    ) -> None:
        self.store = Store(clock=clock)
        self.faults = Faults()
        self._assume_https = assume_https
        self._trust_forwarded_proto = trust_forwarded_proto
        self._port = port or _free_port()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._app = WooApp(self.store, self.faults, self.url, assume_https, trust_forwarded_proto)

    # lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> WooCommerceDouble:
        if self._server is None:
            self._server = make_server(
                "127.0.0.1", self._port, self._app, threaded=True, request_handler=_QuietHandler
            )
            self._thread = threading.Thread(
                target=self._server.serve_forever, name=f"woo-double-{self._port}", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self.faults.release()
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def go_down(self) -> None:
        """Stop listening: new connections are refused until `come_back()`."""
        self.stop()

    def come_back(self) -> None:
        """Listen again on the same port, with all state kept."""
        self.start()

    def __enter__(self) -> WooCommerceDouble:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # credentials -------------------------------------------------------------------------
    def create_key(self, permissions: Permission | str = Permission.READ_WRITE) -> ApiKey:
        """A consumer key/secret pair with `read`, `write` or `read_write` permission."""
        return self.store.create_key(permissions)

    def register_gateway(self, gateway_id: str, *, supports_refunds: bool = False) -> None:
        """Register a payment gateway (refunds with `api_refund: true` need one)."""
        with self.store.lock:
            self.store.gateways[gateway_id] = Gateway(gateway_id, supports_refunds)

    # seeding -----------------------------------------------------------------------------
    def seed_reference_catalog(self, *, taxes: bool = False) -> None:
        """The fixture store's catalogue with the fixtures' ids: products 17-20, coupons
        welcome10 (21) and fixed5000 (22); with `taxes`, 10% VAT included in prices and a
        zero rate for the `zero-rate` class."""
        products = [
            (17, "한우 선물세트 (Simple 29000)", "kc-fx-simple-29000", "29000", {}),
            (18, "유기농 녹차 (Simple 12500)", "kc-fx-simple-12500", "12500", {}),
            (
                19,
                "전자책 가이드 (Virtual/Downloadable 9900)",
                "kc-fx-ebook-9900",
                "9900",
                {"virtual": True, "downloadable": True},
            ),
            (
                20,
                "도서 (면세, tax_class zero-rate 15000)",
                "kc-fx-book-zero-rate-15000",
                "15000",
                {"tax_class": "zero-rate"},
            ),
        ]
        for product_id, name, sku, price, extra in products:
            self.seed_product(product_id, name, sku, price, **extra)
        self.seed_coupon("WELCOME10", "percent", "10", coupon_id=21)
        self.seed_coupon("FIXED5000", "fixed_cart", "5000", coupon_id=22)
        if taxes:
            self.enable_taxes(prices_include_tax=True)
            catalog.create_tax_rate(self.store, {"country": "KR", "rate": "10", "name": "부가세"})
            catalog.create_tax_rate(
                self.store,
                {
                    "country": "KR",
                    "rate": "0",
                    "name": "면세",
                    "shipping": False,
                    "class": "zero-rate",
                },
            )

    def enable_taxes(self, *, prices_include_tax: bool) -> None:
        with self.store.lock:
            self.store.settings.calc_taxes = True
            self.store.settings.prices_include_tax = prices_include_tax

    def seed_product(
        self,
        product_id: int | None,
        name: str,
        sku: str,
        price: str | int,
        *,
        virtual: bool = False,
        downloadable: bool = False,
        tax_class: str = "",
    ) -> Product:
        with self.store.lock:
            wanted = self.store.reserve_post_id(product_id) if product_id else None
            product = Product(
                id=wanted or self.store.next_post_id(),
                name=name,
                sku=sku,
                price=Decimal(str(price)),
                virtual=virtual,
                downloadable=downloadable,
                tax_class=tax_class,
                created=self.store.clock(),
                extra={"regular_price": str(price)},
            )
            self.store.products[product.id] = product
            return product

    def seed_coupon(
        self, code: str, discount_type: str, amount: str, *, coupon_id: int | None = None
    ) -> None:
        with self.store.lock:
            coupon = catalog.create_coupon(
                self.store, {"code": code, "discount_type": discount_type, "amount": amount}
            )
            if coupon_id is not None and coupon.id != coupon_id:
                del self.store.coupons[coupon.id]
                coupon.id = self.store.reserve_post_id(coupon_id)
                self.store.coupons[coupon.id] = coupon

    def seed_order(
        self,
        body: dict[str, Any],
        *,
        order_id: int | None = None,
        then: list[dict[str, Any]] | None = None,
    ) -> Order:
        """Create an order exactly as POST /orders would (same totals, no note), optionally
        with a fixed id, then apply PUT bodies in `then` (status changes add their notes)."""
        with self.store.lock:
            if order_id is not None:
                self.store.use_post_id_next(order_id)
            order = create_order(self.store, body)
            for update in then or []:
                update_order(self.store, order, update)
            return order

    def seed_refund(self, order_id: int, amount: str, reason: str = "") -> Refund:
        with self.store.lock:
            order = self.store.orders[order_id]
            body = {"amount": amount, "reason": reason, "api_refund": False}
            return create_refund(self.store, order, body, 1)

    def change_order(self, order_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Apply a PUT /orders/{id} body from outside the API under test (the shopper's cart
        changing on a reused pending order, the merchant editing it)."""
        with self.store.lock:
            order = update_order(self.store, self.store.orders[order_id], body)
            return order_json(order, self.store, self.url)

    def delete_order(self, order_id: int) -> None:
        """The merchant deletes the order for good: its routes answer 404 from now on."""
        with self.store.lock:
            del self.store.orders[order_id]

    # inspection --------------------------------------------------------------------------
    def order(self, order_id: int) -> dict[str, Any]:
        """The order as GET /orders/{id} would return it."""
        with self.store.lock:
            return order_json(self.store.orders[order_id], self.store, self.url)

    def orders(self) -> list[dict[str, Any]]:
        with self.store.lock:
            return [order_json(o, self.store, self.url) for o in self.store.orders.values()]

    def notes(self, order_id: int) -> list[Note]:
        """Newest first, as the API lists them."""
        with self.store.lock:
            return list(self.store.notes_of(order_id))

    def note_texts(self, order_id: int) -> list[str]:
        return [n.note for n in self.notes(order_id)]

    def refunds(self, order_id: int) -> list[Refund]:
        with self.store.lock:
            order = self.store.orders[order_id]
            return [self.store.refunds[r] for r in order.refund_ids]

    def meta(self, order_id: int) -> dict[str, Any]:
        with self.store.lock:
            return {m.key: m.value for m in self.store.orders[order_id].meta}

    @property
    def request_log(self) -> list[LoggedRequest]:
        with self.store.lock:
            return list(self.store.request_log)

    def now(self) -> datetime:
        return self.store.clock()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
