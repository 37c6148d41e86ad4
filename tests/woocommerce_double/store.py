"""All state of one simulated store, behind one re-entrant lock.

Ids imitate WordPress: orders, refunds, products and coupons share the posts id sequence
(that is why a refund id can be 44 between orders 43 and 48); order items, meta rows, notes
(comments) and tax rates each have their own sequence.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .models import ApiKey, Coupon, Gateway, Note, Order, Permission, Product, Refund, TaxRate

# The fixture store's site timezone; Korea has no daylight saving time.
SEOUL = timezone(timedelta(hours=9), "Asia/Seoul")


def system_clock() -> datetime:
    # WordPress stores dates with second resolution.
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Settings:
    """The handful of WooCommerce options that change order maths."""

    calc_taxes: bool = False
    prices_include_tax: bool = False
    base_country: str = "KR"


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    status: int
    consumer_key: str | None
    auth_method: str | None
    response_body: Any = None


@dataclass
class Store:
    clock: Callable[[], datetime] = system_clock
    settings: Settings = field(default_factory=Settings)
    lock: threading.RLock = field(default_factory=threading.RLock)
    keys: dict[str, ApiKey] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    refunds: dict[int, Refund] = field(default_factory=dict)
    notes: dict[int, Note] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    coupons: dict[int, Coupon] = field(default_factory=dict)
    tax_rates: dict[int, TaxRate] = field(default_factory=dict)
    # Core gateways of a fresh WooCommerce install; none of them can refund automatically.
    gateways: dict[str, Gateway] = field(
        default_factory=lambda: {g: Gateway(g) for g in ("bacs", "cheque", "cod")}
    )
    request_log: list[LoggedRequest] = field(default_factory=list)
    _post_ids: Iterator[int] = field(default_factory=lambda: itertools.count(10))
    _item_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _meta_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _note_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _tax_rate_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _last_post_id: int = 9

    # ids -------------------------------------------------------------------------------
    def next_post_id(self) -> int:
        with self.lock:
            value = next(self._post_ids)
            while self._post_id_taken(value):
                value = next(self._post_ids)
            self._last_post_id = value
            return value

    def reserve_post_id(self, wanted: int) -> int:
        """Use an explicit id (seeding); later generated ids continue above it."""
        with self.lock:
            if self._post_id_taken(wanted):
                raise ValueError(f"post id {wanted} is already used")
            if wanted > self._last_post_id:
                self._post_ids = itertools.count(wanted + 1)
                self._last_post_id = wanted
            return wanted

    def use_post_id_next(self, wanted: int) -> None:
        """Make the next generated post id `wanted` (seeding with the fixtures' ids)."""
        with self.lock:
            if self._post_id_taken(wanted):
                raise ValueError(f"post id {wanted} is already used")
            self._post_ids = itertools.count(wanted)
            self._last_post_id = max(self._last_post_id, wanted)

    def _post_id_taken(self, value: int) -> bool:
        return any(
            value in table for table in (self.orders, self.refunds, self.products, self.coupons)
        )

    def next_item_id(self) -> int:
        return next(self._item_ids)

    def next_meta_id(self) -> int:
        return next(self._meta_ids)

    def next_note_id(self) -> int:
        return next(self._note_ids)

    def next_tax_rate_id(self) -> int:
        return next(self._tax_rate_ids)

    # keys ------------------------------------------------------------------------------
    def create_key(
        self, permissions: Permission | str = Permission.READ_WRITE, user_id: int = 1
    ) -> ApiKey:
        key = ApiKey(
            consumer_key="ck_" + secrets.token_hex(20),
            consumer_secret="cs_" + secrets.token_hex(20),
            permissions=Permission(permissions),
            user_id=user_id,
        )
        with self.lock:
            self.keys[key.consumer_key] = key
        return key

    # look-ups --------------------------------------------------------------------------
    def coupon_by_code(self, code: str) -> Coupon | None:
        wanted = code.strip().lower()
        return next((c for c in self.coupons.values() if c.code == wanted), None)

    def remaining_refund_amount(self, order: Order) -> Decimal:
        refunded = sum((self.refunds[r].amount for r in order.refund_ids), Decimal(0))
        return order.total - refunded

    def notes_of(self, order_id: int) -> list[Note]:
        """Newest first by second-resolution date; same second in ascending id (fixtures)."""
        notes = [n for n in self.notes.values() if n.order_id == order_id]
        return sorted(notes, key=lambda n: (-n.created.timestamp(), n.id))

    def add_note(self, order_id: int, text: str, customer_note: bool = False) -> Note:
        with self.lock:
            note = Note(self.next_note_id(), order_id, text, customer_note, self.clock())
            self.notes[note.id] = note
            return note
