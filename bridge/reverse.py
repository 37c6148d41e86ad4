"""The plugin's calls about an order: refund (idempotent by WooCommerce refund id), cancel,
and the verified payment status for the return page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models.base import utcnow
from app.payments.errors import InvalidRequest
from app.payments.money import MAX_TOTAL
from bridge.context import BridgeContext
from bridge.core_client import CoreApiError
from bridge.errors import OrderNotLinked
from bridge.mapping.payment_facts import HELD_SESSION_STATUSES
from bridge.models import BridgeOrder, BridgeRefund, BridgeStore
from bridge.orders import find_link
from bridge.stores import store_core_api

MAX_ID = 2**63 - 1  # WooCommerce ids and the bridge's BIGINT columns


def _linked(ctx: BridgeContext, store: BridgeStore, order_id: int) -> BridgeOrder:
    link = find_link(ctx, store, order_id)
    if link is None or not link.session_id:
        raise OrderNotLinked(order_id)
    return link


def parse_refund(body: Mapping[str, Any]) -> tuple[int, int | None, str | None]:
    wc_refund_id = body.get("wcRefundId")
    text = str(wc_refund_id or "")
    if (
        isinstance(wc_refund_id, bool)
        or not text.isdigit()
        or len(text) > 19
        or not 1 <= int(text) <= MAX_ID
    ):
        raise InvalidRequest(
            "wcRefundId must be the WooCommerce refund id", details={"field": "wcRefundId"}
        )
    amount = body.get("amount")
    if amount is not None and (
        isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_TOTAL
    ):
        raise InvalidRequest(
            "amount must be a positive integer of won", details={"field": "amount"}
        )
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise InvalidRequest("reason must be a string", details={"field": "reason"})
    return int(str(wc_refund_id)), amount, (reason or None)


def _refund_row(
    ctx: BridgeContext, store: BridgeStore, order_id: int, wc_refund_id: int, amount: int | None
) -> BridgeRefund:
    now = utcnow()
    try:
        with ctx.database.transaction() as db:
            row = BridgeRefund(
                store_id=store.id,
                wc_order_id=order_id,
                wc_refund_id=wc_refund_id,
                core_refund_id=None,
                origin="woocommerce",
                amount=amount,
                status="requesting",
                response=None,
                created_at=now,
                updated_at=now,
            )
            db.add(row)
        return row
    except IntegrityError:
        with ctx.database.transaction() as db:
            existing = db.scalars(
                select(BridgeRefund).where(
                    BridgeRefund.store_id == store.id, BridgeRefund.wc_refund_id == wc_refund_id
                )
            ).one()
        if existing.wc_order_id != order_id:
            raise InvalidRequest(
                "This WooCommerce refund belongs to another order", details={"field": "wcRefundId"}
            ) from None
        return existing


def refund_order(
    ctx: BridgeContext, store: BridgeStore, order_id: int, body: Mapping[str, Any]
) -> dict[str, Any]:
    wc_refund_id, amount, reason = parse_refund(body)
    link = _linked(ctx, store, order_id)
    row = _refund_row(ctx, store, order_id, wc_refund_id, amount)
    if row.status == "succeeded" and row.response:
        return {**row.response, "wcRefundId": wc_refund_id, "replayed": True}
    request: dict[str, Any] = {}
    if amount is not None:
        request["amount"] = amount
    if reason:
        request["reason"] = reason[:200]
    for field in ("refundAccount", "expectedRefundableAmount", "notify_customer"):
        if field in body:
            request[field] = body[field]
    api = store_core_api(ctx, store)
    key = f"wc-refund-{store.id}-{wc_refund_id}"
    try:
        refund = api.refund(str(link.session_id), request, key)
    except CoreApiError:
        with ctx.database.transaction() as db:
            failed = db.get(BridgeRefund, row.id)
            if failed is not None:
                failed.status = "failed"
                failed.updated_at = utcnow()
        raise
    with ctx.database.transaction() as db:
        done = db.get(BridgeRefund, row.id)
        if done is not None:
            done.core_refund_id = str(refund.get("refundId") or "") or None
            done.amount = refund.get("amount") if isinstance(refund.get("amount"), int) else amount
            done.status = "succeeded"
            done.response = refund
            done.updated_at = utcnow()
    return {**refund, "wcRefundId": wc_refund_id, "replayed": False}


def cancel_order(ctx: BridgeContext, store: BridgeStore, order_id: int) -> dict[str, Any]:
    link = _linked(ctx, store, order_id)
    api = store_core_api(ctx, store)
    session = api.cancel_session(str(link.session_id), f"bridge-cancel-{link.session_id}")
    return {"success": True, "orderId": order_id, **_payment(session)}


def order_status(ctx: BridgeContext, store: BridgeStore, order_id: int) -> dict[str, Any]:
    link = _linked(ctx, store, order_id)
    session = store_core_api(ctx, store).get_session(str(link.session_id))
    return {"success": True, "orderId": order_id, **_payment(session)}


def _payment(session: Mapping[str, Any]) -> dict[str, Any]:
    """What the plugin's return check needs, taken from the API (never from the browser)."""
    fields = (
        "sessionId",
        "status",
        "totalAmount",
        "paidAmount",
        "refundedAmount",
        "refundableAmount",
        "currency",
        "paymentMethod",
        "gateway",
        "gatewayTransactionId",
        "installmentMonths",
        "virtualAccount",
        "completedAt",
        "expiresAt",
        "checkoutUrl",
    )
    data = {field: session.get(field) for field in fields}
    # Whether the plugin may mark the order paid: the whole total paid and still held (the
    # shopper can reopen the return page of a refunded order).
    held = session.get("status") in HELD_SESSION_STATUSES
    paid, total = session.get("paidAmount"), session.get("totalAmount")
    data["paid"] = held and isinstance(paid, int) and paid > 0 and paid == total
    return data
