"""POST /orders/{id}/refunds, after wc_create_refund() and the v3 refunds controller.

Every failure inside wc_create_refund becomes `woocommerce_rest_cannot_create_order_refund`
with HTTP 500 and `"data": 500` (an integer, not `{status}`): bridges must not treat these
500s as retryable server faults.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .errors import WooError
from .models import Order, Refund
from .money import ZERO, fmt, line_price, to_decimal
from .statuses import set_status
from .store import Store


def _refund_error(message: str) -> WooError:
    return WooError("woocommerce_rest_cannot_create_order_refund", message, 500, 500)


def create_refund(store: Store, order: Order, body: dict[str, Any], user_id: int) -> Refund:
    with store.lock:
        items = body.get("line_items") or []
        amount = to_decimal(body.get("amount"))
        if body.get("amount") in (None, "") and items:
            amount = sum(
                (
                    to_decimal(i.get("refund_total"))
                    + sum(
                        (to_decimal(t.get("refund_total")) for t in i.get("refund_tax") or []), ZERO
                    )
                    for i in items
                ),
                ZERO,
            )
        if amount < 0:
            raise WooError(
                "woocommerce_rest_invalid_order_refund",
                "Refund amount must be greater than zero.",
                400,
            )
        remaining = store.remaining_refund_amount(order)
        if amount > remaining:
            raise _refund_error("Invalid refund amount.")
        # The refund row is written before the gateway is asked, so a failed gateway
        # refund still uses up an id (the fixtures show the gap).
        refund = Refund(
            id=store.next_post_id(),
            order_id=order.id,
            amount=amount,
            reason=str(body.get("reason") or ""),
            created=store.clock(),
            refunded_by=user_id,
            line_items=[_refund_line(store, order, i) for i in items],
        )
        # api_refund defaults to true: ask the order's gateway to move the money.
        if body.get("api_refund", True) not in (False, "false", 0, "0"):
            gateway = store.gateways.get(order.payment_method)
            if gateway is None:
                raise _refund_error("The payment gateway for this order does not exist.")
            if not gateway.supports_refunds:
                raise _refund_error(
                    "The payment gateway for this order does not support automatic refunds."
                )
            refund.refunded_payment = True
        store.refunds[refund.id] = refund
        order.refund_ids.append(refund.id)
        if remaining - amount <= 0:
            # Fully refunded: the parent order moves to 'refunded' on its own, with the
            # usual status-change note; a partial refund adds no note at all.
            set_status(store, order, "refunded")
        order.modified = store.clock()
        return refund


def _refund_line(store: Store, order: Order, line: dict[str, Any]) -> dict[str, Any]:
    """A negative copy of the refunded order item (no fixture records this shape)."""
    item = next((i for i in order.line_items if i.id == int(line.get("id", 0))), None)
    if item is None:
        raise _refund_error("Invalid order item ID.")
    quantity = int(line.get("quantity", 0))
    total = -to_decimal(line.get("refund_total"))
    taxes = {int(t["id"]): -to_decimal(t.get("refund_total")) for t in line.get("refund_tax") or []}
    total_tax = sum(taxes.values(), Decimal(0))
    return {
        "id": store.next_item_id(),
        "name": item.name,
        "product_id": item.product_id,
        "variation_id": item.variation_id,
        "quantity": -quantity,
        "tax_class": item.tax_class,
        "subtotal": fmt(total),
        "subtotal_tax": fmt(total_tax),
        "total": fmt(total),
        "total_tax": fmt(total_tax),
        "taxes": [{"id": k, "total": fmt(v), "subtotal": fmt(v)} for k, v in taxes.items()],
        "meta_data": [
            {
                "id": store.next_meta_id(),
                "key": "_refunded_item_id",
                "value": str(item.id),
                "display_key": "_refunded_item_id",
                "display_value": str(item.id),
            }
        ],
        "sku": item.sku,
        "price": line_price(total, -quantity) if quantity else 0,
        "image": {"id": "", "src": ""},
        "parent_name": None,
        "refund_total": float(-total),
    }
