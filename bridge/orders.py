"""WooCommerce order -> checkout session, idempotent per (store, order)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models.base import utcnow
from app.payments.errors import Conflict, InvalidRequest
from app.payments.status import OPEN_STATUSES
from bridge.context import BridgeContext
from bridge.core_client import CoreApi, CoreApiError
from bridge.mapping.errors import OrderMappingError
from bridge.mapping.payment_facts import PAID_SESSION_STATUSES, facts_from_data
from bridge.mapping.session_request import (
    OrderUrls,
    build_session_request,
    map_address,
    order_id_of,
    shopper_choices,
)
from bridge.models import BridgeOrder, BridgeStore
from bridge.stores import store_core_api

logger = logging.getLogger(__name__)
IN_USE_DEADLINE_SECONDS = 10.0


class OrderAlreadyPaid(Conflict):
    code = "order_already_paid"
    message = "The order's checkout session is already paid"


class PaymentInProgress(Conflict):
    code = "payment_in_progress"
    message = "The customer is paying the current session; try again after it ends"


def mapping_error(error: OrderMappingError) -> InvalidRequest:
    return InvalidRequest(error.message, code=error.code, details={"field": error.field})


def parse_order_request(body: Mapping[str, Any]) -> tuple[dict[str, Any], str, str]:
    order = body.get("order", body)
    if not isinstance(order, dict):
        raise InvalidRequest("order must be a WooCommerce order object", details={"field": "order"})
    urls = []
    for field in ("returnUrl", "cancelUrl"):
        value = body.get(field)
        if not isinstance(value, str) or not value:
            raise InvalidRequest(f"{field} is required", details={"field": field})
        urls.append(value)
    return order, urls[0], urls[1]


def _link(ctx: BridgeContext, store: BridgeStore, order_id: int, order_key: str) -> BridgeOrder:
    for _ in range(2):
        with ctx.database.transaction() as db:
            link = db.scalars(
                select(BridgeOrder).where(
                    BridgeOrder.store_id == store.id, BridgeOrder.wc_order_id == order_id
                )
            ).first()
            if link is not None:
                return link
        try:
            with ctx.database.transaction() as db:
                now = utcnow()
                link = BridgeOrder(
                    store_id=store.id,
                    wc_order_id=order_id,
                    order_key=order_key[:64],
                    session_total=0,
                    generation=0,
                    paid_in_woocommerce=False,
                    created_at=now,
                    updated_at=now,
                )
                db.add(link)
            return link
        except IntegrityError:
            continue  # created concurrently: read it
    raise Conflict("The order is being linked concurrently; retry")


def _reusable(api: CoreApi, link: BridgeOrder, request: dict[str, Any]) -> dict[str, Any] | None:
    """The open session to hand back, or None when a new one is needed."""
    if not link.session_id:
        return None
    session = api.get_session(link.session_id)
    status = session.get("status")
    if status in PAID_SESSION_STATUSES:
        raise OrderAlreadyPaid(details={"sessionId": link.session_id, "status": status})
    if status not in OPEN_STATUSES:
        return None
    # The items as the payment check compares them (product, unit price, quantity).
    same_items = facts_from_data(session).items == facts_from_data(request).items
    if session.get("totalAmount") == request["totalAmount"] and same_items:
        return session
    # The order changed: the old session must not be payable any more.
    try:
        api.cancel_session(link.session_id, f"bridge-replace-{link.session_id}")
    except CoreApiError as exc:
        if exc.status == 409:
            raise PaymentInProgress(details={"sessionId": link.session_id}) from exc
        raise
    return None


def _create(api: CoreApi, body: dict[str, Any], key: str) -> dict[str, Any]:
    deadline = time.monotonic() + IN_USE_DEADLINE_SECONDS
    while True:
        try:
            return api.create_session(body, key)
        except CoreApiError as exc:
            # A concurrent identical request holds the key: wait for its answer to replay.
            if exc.code != "idempotency_key_in_use" or time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling the API's idempotency record, with a deadline


def create_order_session(
    ctx: BridgeContext, store: BridgeStore, body: Mapping[str, Any]
) -> dict[str, Any]:
    order, return_url, cancel_url = parse_order_request(body)
    try:
        order_id = order_id_of(order)
        urls = OrderUrls(return_url, cancel_url, ctx.webhook_url(store.id))
        choices = shopper_choices(body)
        request = build_session_request(order, urls, store.shop_id, store.id, choices)
    except OrderMappingError as exc:
        raise mapping_error(exc) from exc
    api = store_core_api(ctx, store)
    link = _link(ctx, store, order_id, str(order.get("order_key") or ""))
    existing = _reusable(api, link, request)
    if existing is not None:
        return _answer(order_id, existing["sessionId"], existing, reused=True)
    generation = link.generation + (1 if link.session_id else 0)
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:20]
    created = _create(api, request, f"wc-{store.id}-{order_id}-g{generation}-{digest}")
    session_id = str(created["sessionId"])
    address = map_address(order)
    if address:
        try:
            api.set_address(session_id, address)
        except CoreApiError:
            logger.info("address not accepted", extra={"session_id": session_id})
    with ctx.database.transaction() as db:
        row = db.get(BridgeOrder, link.id)
        if row is not None and row.generation <= generation:
            row.session_id = session_id
            row.session_total = request["totalAmount"]
            row.checkout_url = created.get("checkoutUrl")
            row.generation = generation
            row.paid_in_woocommerce = False
            row.reconciled_at = None
            row.updated_at = utcnow()
    return _answer(order_id, session_id, created, reused=False)


def _answer(
    order_id: int, session_id: str, session: Mapping[str, Any], *, reused: bool
) -> dict[str, Any]:
    return {
        "success": True,
        "orderId": order_id,
        "sessionId": session_id,
        "checkoutUrl": session.get("checkoutUrl"),
        "expiresAt": session.get("expiresAt"),
        "reused": reused,
    }


def find_link(ctx: BridgeContext, store: BridgeStore, order_id: int) -> BridgeOrder | None:
    with ctx.database.transaction() as db:
        return db.scalars(
            select(BridgeOrder).where(
                BridgeOrder.store_id == store.id, BridgeOrder.wc_order_id == order_id
            )
        ).first()
