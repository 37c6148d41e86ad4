"""Creating and updating orders the way WC_REST_Orders_Controller (v3) does."""

from __future__ import annotations

import secrets
import string
from typing import Any

from .errors import WooError, invalid_param
from .models import CouponLine, FeeLine, LineItem, MetaEntry, Order, ShippingLine
from .money import to_decimal
from .statuses import STATUSES, enum_message, payment_complete, set_status
from .store import Store
from .totals import price_excluding_tax, recalculate

BILLING_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "phone",
)
SHIPPING_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "address_1",
    "address_2",
    "city",
    "state",
    "postcode",
    "country",
    "phone",
)


def validate_status(body: dict[str, Any]) -> None:
    """Schema validation runs before anything else: a bad status changes nothing."""
    status = body.get("status")
    if status is not None and status not in STATUSES:
        message = enum_message()
        raise invalid_param(
            "status", message, {"code": "rest_not_in_enum", "message": message, "data": None}
        )


def _order_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "wc_order_" + "".join(secrets.choice(alphabet) for _ in range(13))


def create_order(store: Store, body: dict[str, Any]) -> Order:
    """POST /orders. The order exists as 'checkout-draft' while coupons are applied, so a
    bad coupon leaves that draft behind (data.new_draft_order_id), as WooCommerce 10 does."""
    validate_status(body)
    with store.lock:
        now = store.clock()
        order = Order(
            id=store.next_post_id(),
            status="checkout-draft",
            order_key=_order_key(),
            created=now,
            modified=now,
            billing=dict.fromkeys(BILLING_FIELDS, ""),
            shipping=dict.fromkeys(SHIPPING_FIELDS, ""),
            prices_include_tax=store.settings.calc_taxes and store.settings.prices_include_tax,
        )
        order.currency = str(body.get("currency") or "KRW")
        _apply_fields(store, order, body)
        for line in body.get("line_items") or []:
            order.line_items.append(_new_line_item(store, line))
        for line in body.get("shipping_lines") or []:
            order.shipping_lines.append(_new_shipping_line(store, line))
        for line in body.get("fee_lines") or []:
            order.fee_lines.append(_new_fee_line(store, line))
        recalculate(order, store)
        store.orders[order.id] = order
        for line in body.get("coupon_lines") or []:
            apply_coupon(store, order, str(line.get("code", "")))
        set_status(store, order, str(body.get("status") or "pending"))
        if body.get("set_paid") is True:
            payment_complete(store, order, body.get("transaction_id"))
        order.modified = store.clock()
        return order


def update_order(store: Store, order: Order, body: dict[str, Any]) -> Order:
    """PUT /orders/{id}: fields first, then the status, then `set_paid` if payment is due."""
    validate_status(body)
    with store.lock:
        _apply_fields(store, order, body)
        changed_lines = False
        for line in body.get("line_items") or []:
            changed_lines |= _update_line_item(store, order, line)
        for line in body.get("shipping_lines") or []:
            order.shipping_lines.append(_new_shipping_line(store, line))
            changed_lines = True
        for line in body.get("fee_lines") or []:
            order.fee_lines.append(_new_fee_line(store, line))
            changed_lines = True
        if changed_lines:
            recalculate(order, store)
        for line in body.get("coupon_lines") or []:
            if not any(c.code == str(line.get("code", "")).lower() for c in order.coupon_lines):
                apply_coupon(store, order, str(line.get("code", "")))
        if body.get("status"):
            set_status(store, order, str(body["status"]))
        # payment_complete() only runs when the order needs payment *after* the status
        # change above; otherwise only transaction_id (set in _apply_fields) is stored.
        if body.get("set_paid") is True and order.needs_payment:
            payment_complete(store, order, body.get("transaction_id"))
        order.modified = store.clock()
        return order


def apply_coupon(store: Store, order: Order, code: str) -> None:
    coupon = store.coupon_by_code(code)
    if coupon is None:
        shown = code.strip().lower()
        raise WooError(
            "woocommerce_rest_invalid_coupon",
            f"Coupon &quot;{shown}&quot; cannot be applied because it does not exist.",
            400,
            {"status": 400, "new_draft_order_id": order.id},
        )
    order.coupon_lines.append(
        CouponLine(
            id=store.next_item_id(),
            code=coupon.code,
            coupon_id=coupon.id,
            discount_type=coupon.discount_type,
            nominal_amount=coupon.amount,
            info_meta_id=store.next_meta_id(),
        )
    )
    recalculate(order, store)


def _apply_fields(store: Store, order: Order, body: dict[str, Any]) -> None:
    for name in ("payment_method", "payment_method_title", "transaction_id", "customer_note"):
        if body.get(name) is not None:
            setattr(order, name, str(body[name]))
    if body.get("customer_id") is not None:
        order.customer_id = int(body["customer_id"])
    if body.get("parent_id") is not None:
        order.parent_id = int(body["parent_id"])
    for name in ("billing", "shipping"):
        address = body.get(name)
        if isinstance(address, dict):
            target = getattr(order, name)
            for key, value in address.items():
                if key in target:
                    target[key] = "" if value is None else str(value)
    for meta in body.get("meta_data") or []:
        update_meta(store, order.meta, meta)


def update_meta(store: Store, meta: list[MetaEntry], entry: dict[str, Any]) -> None:
    """An `id` targets one row; otherwise the first row with the same key is updated in
    place (same meta id) and only a new key adds a row, like update_meta_data()."""
    key = str(entry.get("key", ""))
    value = stored_meta_value(entry.get("value"))
    if entry.get("id") is not None:
        for row in meta:
            if row.id == int(entry["id"]):
                row.value = value
                if key:
                    row.key = key
                return
    for row in meta:
        if row.key == key:
            row.value = value
            return
    meta.append(MetaEntry(store.next_meta_id(), key, value))


def stored_meta_value(value: Any) -> Any:
    """WordPress keeps a scalar meta value as text: a later read returns 6 as "6", True as
    "1" and False as ""; arrays and objects are serialized and keep their types."""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int | float):
        return str(value)
    return value


def _new_line_item(store: Store, line: dict[str, Any]) -> LineItem:
    product = None
    if line.get("product_id"):
        product = store.products.get(int(line["product_id"]))
    elif line.get("sku"):
        product = next((p for p in store.products.values() if p.sku == line["sku"]), None)
    if product is None:
        if not line.get("product_id") and not line.get("sku"):
            raise WooError(
                "woocommerce_rest_required_product_reference",
                "Product ID or SKU is required.",
                400,
            )
        raise WooError(
            "woocommerce_rest_invalid_product_id", "Product ID provided is invalid.", 400
        )
    quantity = int(line.get("quantity", 1))
    subtotal = price_excluding_tax(store, product.price, quantity, product.tax_class)
    if line.get("subtotal") not in (None, ""):
        subtotal = to_decimal(line["subtotal"])
    item = LineItem(
        id=store.next_item_id(),
        product_id=product.id,
        name=str(line.get("name") or product.name),
        sku=product.sku,
        quantity=quantity,
        tax_class=product.tax_class,
        tax_status=product.tax_status,
        virtual=product.virtual,
        downloadable=product.downloadable,
        subtotal=subtotal,
        total=subtotal,
    )
    for meta in line.get("meta_data") or []:
        update_meta(store, item.meta, meta)
    return item


def _update_line_item(store: Store, order: Order, line: dict[str, Any]) -> bool:
    if line.get("id") is None:
        order.line_items.append(_new_line_item(store, line))
        return True
    item = next((i for i in order.line_items if i.id == int(line["id"])), None)
    if item is None:
        raise WooError(
            "woocommerce_rest_invalid_item_id",
            "Order item ID provided is not associated with order.",
            400,
        )
    if int(line.get("quantity", item.quantity)) == 0:
        order.line_items.remove(item)
        return True
    if "quantity" in line:
        product = store.products.get(item.product_id)
        item.quantity = int(line["quantity"])
        if product is not None:
            item.subtotal = price_excluding_tax(store, product.price, item.quantity, item.tax_class)
    return True


def _new_shipping_line(store: Store, line: dict[str, Any]) -> ShippingLine:
    return ShippingLine(
        id=store.next_item_id(),
        method_id=str(line.get("method_id", "")),
        method_title=str(line.get("method_title", "")),
        instance_id=str(line.get("instance_id", "")),
        total=to_decimal(line.get("total")),
    )


def _new_fee_line(store: Store, line: dict[str, Any]) -> FeeLine:
    return FeeLine(
        id=store.next_item_id(),
        name=str(line.get("name", "")),
        total=to_decimal(line.get("total")),
        amount=str(line.get("amount") or ""),
        tax_class=str(line.get("tax_class") or ""),
        tax_status=str(line.get("tax_status") or "taxable"),
    )
