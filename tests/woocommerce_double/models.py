"""The store's records. Plain mutable dataclasses: the Store lock guards every change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .money import ZERO


class Permission(StrEnum):
    """`woocommerce_api_keys.permissions` values."""

    READ = "read"
    WRITE = "write"
    READ_WRITE = "read_write"

    def can_read(self) -> bool:
        return self in (Permission.READ, Permission.READ_WRITE)

    def can_write(self) -> bool:
        return self in (Permission.WRITE, Permission.READ_WRITE)


@dataclass
class ApiKey:
    consumer_key: str
    consumer_secret: str
    permissions: Permission
    user_id: int = 1
    # WooCommerce remembers used OAuth nonces per key and rejects a replay.
    nonces: set[str] = field(default_factory=set)


@dataclass
class Product:
    id: int
    name: str
    sku: str
    price: Decimal
    virtual: bool = False
    downloadable: bool = False
    tax_status: str = "taxable"
    tax_class: str = ""
    created: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Coupon:
    id: int
    code: str
    discount_type: str
    amount: Decimal
    description: str = ""
    created: datetime | None = None
    usage_count: int = 0


@dataclass
class TaxRate:
    id: int
    country: str
    rate: Decimal
    name: str
    priority: int = 1
    compound: bool = False
    shipping: bool = True
    tax_class: str = ""  # "" is the standard class, as order items store it.
    state: str = ""


@dataclass
class Gateway:
    id: str
    supports_refunds: bool = False


@dataclass
class MetaEntry:
    id: int
    key: str
    value: Any


@dataclass
class Note:
    id: int
    order_id: int
    note: str
    customer_note: bool
    created: datetime
    author: str = "WooCommerce"


@dataclass
class LineItem:
    id: int
    product_id: int
    name: str
    sku: str
    quantity: int
    tax_class: str
    tax_status: str
    virtual: bool
    downloadable: bool
    subtotal: Decimal
    total: Decimal
    variation_id: int = 0
    subtotal_taxes: dict[int, Decimal] = field(default_factory=dict)
    total_taxes: dict[int, Decimal] = field(default_factory=dict)
    meta: list[MetaEntry] = field(default_factory=list)


@dataclass
class ShippingLine:
    id: int
    method_id: str
    method_title: str
    total: Decimal
    instance_id: str = ""
    tax_status: str = "taxable"
    taxes: dict[int, Decimal] = field(default_factory=dict)
    meta: list[MetaEntry] = field(default_factory=list)


@dataclass
class FeeLine:
    id: int
    name: str
    total: Decimal
    amount: str = ""
    tax_class: str = ""
    tax_status: str = "taxable"
    taxes: dict[int, Decimal] = field(default_factory=dict)
    meta: list[MetaEntry] = field(default_factory=list)


@dataclass
class CouponLine:
    id: int
    code: str
    coupon_id: int
    discount_type: str
    nominal_amount: Decimal
    info_meta_id: int
    discount: Decimal = ZERO
    discount_tax: Decimal = ZERO


@dataclass
class TaxLine:
    id: int
    rate_id: int
    rate_code: str
    label: str
    compound: bool
    rate_percent: Decimal
    tax_total: Decimal = ZERO
    shipping_tax_total: Decimal = ZERO


@dataclass
class Refund:
    id: int
    order_id: int
    amount: Decimal
    reason: str
    created: datetime
    refunded_by: int = 1
    refunded_payment: bool = False
    line_items: list[dict[str, Any]] = field(default_factory=list)
    meta: list[MetaEntry] = field(default_factory=list)


@dataclass
class Order:
    id: int
    status: str
    order_key: str
    created: datetime
    modified: datetime
    billing: dict[str, str]
    shipping: dict[str, str]
    currency: str = "KRW"
    prices_include_tax: bool = False
    payment_method: str = ""
    payment_method_title: str = ""
    transaction_id: str = ""
    customer_id: int = 0
    customer_note: str = ""
    customer_ip_address: str = ""
    customer_user_agent: str = ""
    created_via: str = "rest-api"
    cart_hash: str = ""
    parent_id: int = 0
    date_paid: datetime | None = None
    date_completed: datetime | None = None
    discount_total: Decimal = ZERO
    discount_tax: Decimal = ZERO
    shipping_total: Decimal = ZERO
    shipping_tax: Decimal = ZERO
    cart_tax: Decimal = ZERO
    total: Decimal = ZERO
    meta: list[MetaEntry] = field(default_factory=list)
    line_items: list[LineItem] = field(default_factory=list)
    shipping_lines: list[ShippingLine] = field(default_factory=list)
    fee_lines: list[FeeLine] = field(default_factory=list)
    coupon_lines: list[CouponLine] = field(default_factory=list)
    tax_lines: list[TaxLine] = field(default_factory=list)
    refund_ids: list[int] = field(default_factory=list)

    @property
    def total_tax(self) -> Decimal:
        return self.cart_tax + self.shipping_tax

    @property
    def needs_processing(self) -> bool:
        """False only when every item is virtual and downloadable (WC_Order::needs_processing)."""
        return any(not (item.virtual and item.downloadable) for item in self.line_items)

    @property
    def needs_payment(self) -> bool:
        # 'checkout-draft' is added to the statuses valid for payment by the Blocks package;
        # the draft left by a failed create reports needs_payment true (fixture).
        return self.status in ("pending", "failed", "checkout-draft") and self.total > 0

    @property
    def is_editable(self) -> bool:
        # 'auto-draft' and 'checkout-draft' are editable in WooCommerce's code, but the
        # recorded draft says false: the fixtures win.
        return self.status in ("pending", "on-hold", "auto-draft")
