"""JSON bodies in WooCommerce's field order (wc/v3 schema, context=view)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from .models import CouponLine, LineItem, MetaEntry, Note, Order, Refund
from .money import ZERO, fmt, line_price, php_number
from .store import SEOUL, Store

VERSION = "10.0.2"
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def local_date(value: datetime | None) -> str | None:
    """`date_*`: site time (Asia/Seoul) without an offset."""
    return None if value is None else value.astimezone(SEOUL).strftime("%Y-%m-%dT%H:%M:%S")


def gmt_date(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S")


def link(href: str, allow: list[str] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"href": href}
    if allow is not None:
        entry["targetHints"] = {"allow": allow}
    return entry


def meta_json(meta: list[MetaEntry]) -> list[dict[str, Any]]:
    # Observed order: by key, then id (a newly added key can appear first).
    return [{"id": m.id, "key": m.key, "value": m.value} for m in sorted(meta, key=_meta_order)]


def _meta_order(entry: MetaEntry) -> tuple[str, int]:
    return (entry.key, entry.id)


def _taxes(total: dict[int, Decimal], subtotal: dict[int, Decimal] | None) -> list[dict[str, Any]]:
    ids = list(total) + [k for k in (subtotal or {}) if k not in total]
    return [
        {
            "id": rate_id,
            "total": fmt(total.get(rate_id, ZERO)),
            "subtotal": "" if subtotal is None else fmt(subtotal.get(rate_id, ZERO)),
        }
        for rate_id in ids
    ]


def line_item_json(item: LineItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "product_id": item.product_id,
        "variation_id": item.variation_id,
        "quantity": item.quantity,
        "tax_class": item.tax_class,
        "subtotal": fmt(item.subtotal),
        "subtotal_tax": fmt(sum(item.subtotal_taxes.values(), ZERO)),
        "total": fmt(item.total),
        "total_tax": fmt(sum(item.total_taxes.values(), ZERO)),
        "taxes": _taxes(item.total_taxes, item.subtotal_taxes),
        "meta_data": meta_json(item.meta),
        "sku": item.sku,
        "price": line_price(item.total, item.quantity),
        "image": {"id": "", "src": ""},
        "parent_name": None,
    }


def coupon_line_json(line: CouponLine) -> dict[str, Any]:
    # coupon_info: [id, code, type (null for the default fixed_cart), nominal amount].
    kind = None if line.discount_type == "fixed_cart" else line.discount_type
    info = json.dumps(
        [line.coupon_id, line.code, kind, php_number(line.nominal_amount)], separators=(",", ":")
    )
    return {
        "id": line.id,
        "code": line.code,
        "discount": fmt(line.discount),
        "discount_tax": fmt(line.discount_tax),
        "meta_data": [
            {
                "id": line.info_meta_id,
                "key": "coupon_info",
                "value": info,
                "display_key": "coupon_info",
                "display_value": info,
            }
        ],
        "discount_type": line.discount_type,
        "nominal_amount": php_number(line.nominal_amount),
        "free_shipping": False,
    }


def order_json(order: Order, store: Store, home: str) -> dict[str, Any]:
    api = f"{home}/wp-json/wc/v3"
    body: dict[str, Any] = {
        "id": order.id,
        "parent_id": order.parent_id,
        "status": order.status,
        "currency": order.currency,
        "version": VERSION,
        "prices_include_tax": order.prices_include_tax,
        "date_created": local_date(order.created),
        "date_modified": local_date(order.modified),
        "discount_total": fmt(order.discount_total),
        "discount_tax": fmt(order.discount_tax),
        "shipping_total": fmt(order.shipping_total),
        "shipping_tax": fmt(order.shipping_tax),
        "cart_tax": fmt(order.cart_tax),
        "total": fmt(order.total),
        "total_tax": fmt(order.total_tax),
        "customer_id": order.customer_id,
        "order_key": order.order_key,
        "billing": dict(order.billing),
        "shipping": dict(order.shipping),
        "payment_method": order.payment_method,
        "payment_method_title": order.payment_method_title,
        "transaction_id": order.transaction_id,
        "customer_ip_address": order.customer_ip_address,
        "customer_user_agent": order.customer_user_agent,
        "created_via": order.created_via,
        "customer_note": order.customer_note,
        "date_completed": local_date(order.date_completed),
        "date_paid": local_date(order.date_paid),
        "cart_hash": order.cart_hash,
        "number": str(order.id),
        "meta_data": meta_json(order.meta),
        "line_items": [line_item_json(i) for i in order.line_items],
        "tax_lines": [
            {
                "id": t.id,
                "rate_code": t.rate_code,
                "rate_id": t.rate_id,
                "label": t.label,
                "compound": t.compound,
                "tax_total": fmt(t.tax_total),
                "shipping_tax_total": fmt(t.shipping_tax_total),
                "rate_percent": php_number(t.rate_percent),
                "meta_data": [],
            }
            for t in order.tax_lines
        ],
        "shipping_lines": [
            {
                "id": s.id,
                "method_title": s.method_title,
                "method_id": s.method_id,
                "instance_id": s.instance_id,
                "total": fmt(s.total),
                "total_tax": fmt(sum(s.taxes.values(), ZERO)),
                "taxes": _taxes(s.taxes, None),
                "tax_status": s.tax_status,
                "meta_data": meta_json(s.meta),
            }
            for s in order.shipping_lines
        ],
        "fee_lines": [
            {
                "id": f.id,
                "name": f.name,
                "tax_class": f.tax_class,
                "tax_status": f.tax_status,
                "amount": f.amount,
                "total": fmt(f.total),
                "total_tax": fmt(sum(f.taxes.values(), ZERO)),
                "taxes": _taxes(f.taxes, None),
                "meta_data": meta_json(f.meta),
            }
            for f in order.fee_lines
        ],
        "coupon_lines": [coupon_line_json(c) for c in order.coupon_lines],
        "refunds": [
            {
                "id": r.id,
                "reason": r.reason,
                "total": fmt(-r.amount),
            }
            for r in sorted((store.refunds[i] for i in order.refund_ids), key=lambda r: r.id)
        ],
        "payment_url": (
            f"{home}/checkout/order-pay/{order.id}/?pay_for_order=true&key={order.order_key}"
        ),
        "is_editable": order.is_editable,
        "needs_payment": order.needs_payment,
        "needs_processing": order.needs_processing,
        "date_created_gmt": gmt_date(order.created),
        "date_modified_gmt": gmt_date(order.modified),
        "date_completed_gmt": gmt_date(order.date_completed),
        "date_paid_gmt": gmt_date(order.date_paid),
        "currency_symbol": "₩" if order.currency == "KRW" else order.currency,
        "_links": {
            "self": [link(f"{api}/orders/{order.id}", ALL_METHODS)],
            "collection": [link(f"{api}/orders")],
            "email_templates": [
                {"embeddable": True, "href": f"{api}/orders/{order.id}/actions/email_templates"}
            ],
        },
    }
    if order.customer_id:
        body["_links"]["customer"] = [link(f"{api}/customers/{order.customer_id}")]
    return body


def note_json(note: Note, home: str) -> dict[str, Any]:
    base = f"{home}/wp-json/wc/v3/orders/{note.order_id}"
    return {
        "id": note.id,
        "author": note.author,
        "date_created": local_date(note.created),
        "date_created_gmt": gmt_date(note.created),
        "note": note.note,
        "customer_note": note.customer_note,
        "_links": {
            "self": [link(f"{base}/notes/{note.id}", ["GET", "DELETE"])],
            "collection": [link(f"{base}/notes")],
            "up": [link(base)],
        },
    }


def refund_json(refund: Refund, home: str) -> dict[str, Any]:
    base = f"{home}/wp-json/wc/v3/orders/{refund.order_id}"
    return {
        "id": refund.id,
        "date_created": local_date(refund.created),
        "date_created_gmt": gmt_date(refund.created),
        "amount": fmt(refund.amount),
        "reason": refund.reason,
        "refunded_by": refund.refunded_by,
        "refunded_payment": refund.refunded_payment,
        "meta_data": meta_json(refund.meta),
        "line_items": refund.line_items,
        "shipping_lines": [],
        "tax_lines": [],
        "fee_lines": [],
        "_links": {
            "self": [link(f"{base}/refunds/{refund.id}", ["GET", "DELETE"])],
            "collection": [link(f"{base}/refunds")],
            "up": [link(base)],
        },
    }
