"""Inbound webhooks: verify like any merchant, store the event and its sync tasks in one
transaction (deduplicated by event id), answer, then enqueue. A disconnected store's tasks are
stored parked and run once it is connected again. An event only names the session a task is
about: the sync reads that session from the API before it changes anything."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models.base import utcnow
from app.payments.errors import NotFound
from app.payments.ids import new_id
from app.webhooks.verify import (
    NoMatchingSignatureError,
    WebhookVerificationError,
    verify_webhook,
)
from bridge.context import BridgeContext
from bridge.core_client import CoreApiError, CoreUnavailable
from bridge.errors import InvalidSignature
from bridge.models import BridgeEvent, BridgeOrder, BridgeStore, SyncTask
from bridge.stores import CONNECTED, store_core_api
from bridge.sync import PARKED_MESSAGE
from bridge.sync_log import record_ignored_event
from bridge.task_actions import TaskAction, TaskStatus

logger = logging.getLogger(__name__)
# After a rotation the old secret keeps signing for 24 h, so a refresh is rarely needed;
# this bounds how often a flood of bad signatures can make us call the API.
SECRET_REFRESH_INTERVAL = timedelta(seconds=60)

ACTIONS_BY_EVENT: dict[str, TaskAction] = {
    "payment.completed": TaskAction.MARK_PAID,
    "virtual_account.issued": TaskAction.AWAIT_DEPOSIT,
    "payment.failed": TaskAction.MARK_FAILED,
    "session.expired": TaskAction.CANCEL_EXPIRED,
    "payment.cancelled": TaskAction.CANCEL_CANCELLED,
    "payment.refunded": TaskAction.RECORD_REFUND,
}
PLATFORM = "woocommerce"
MAX_ORDER_ID = 2**63 - 1
# Events that carry the amount the customer pays: it must be the linked session's total.
AMOUNT_CHECKED = frozenset({TaskAction.MARK_PAID, TaskAction.AWAIT_DEPOSIT})


@dataclass(frozen=True)
class Receipt:
    event_id: str
    duplicate: bool
    task_ids: tuple[str, ...]


def _known_store(db: Session, store_id: str) -> BridgeStore:
    """Connected or not: a disconnected store's events are kept (parked) and applied when
    it is connected again."""
    store = db.get(BridgeStore, store_id)
    if store is None:
        raise NotFound("No store here", code="store_not_found")
    return store


def _refreshed_secret(ctx: BridgeContext, store: BridgeStore) -> str | None:
    now = utcnow()
    if now - store.secret_refreshed_at < SECRET_REFRESH_INTERVAL:
        return None
    try:
        # The bridge's own endpoint secret, as registered when the store was connected.
        secret = store_core_api(ctx, store).endpoint_secret(ctx.webhook_url(store.id))
    except (CoreApiError, CoreUnavailable):
        logger.warning("webhook secret refresh failed", extra={"store_id": store.id})
        return None
    with ctx.database.transaction() as db:
        row = db.get(BridgeStore, store.id)
        if row is not None:
            row.encrypted_webhook_secret = ctx.box.encrypt(secret)
            row.secret_refreshed_at = now
    return secret


def _verified_with_stored_secret(
    ctx: BridgeContext, store: BridgeStore, raw: bytes, headers: Mapping[str, str]
) -> dict[str, Any] | None:
    """The event, or None when no signature matches the stored secret (it may have been
    rotated through the API)."""
    try:
        return verify_webhook(raw, headers, ctx.box.decrypt(store.encrypted_webhook_secret))
    except NoMatchingSignatureError:
        return None
    except WebhookVerificationError as exc:
        raise InvalidSignature(details={"reason": type(exc).__name__}) from exc


def _verified_after_refresh(
    ctx: BridgeContext, store: BridgeStore, raw: bytes, headers: Mapping[str, str]
) -> dict[str, Any]:
    """Fetch the endpoint's secret once (outside any transaction: it is an API call) and
    verify again."""
    fresh = _refreshed_secret(ctx, store)
    if fresh is None or fresh == ctx.box.decrypt(store.encrypted_webhook_secret):
        raise InvalidSignature()
    try:
        return verify_webhook(raw, headers, fresh)
    except WebhookVerificationError as exc:
        raise InvalidSignature() from exc


def _order_id(data: Mapping[str, Any]) -> int | None:
    value = str(data.get("platformOrderId") or "")
    if not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ORDER_ID else None


def _amount_problem(action: TaskAction, data: Mapping[str, Any], expected: int) -> str | None:
    """Why the event's amounts do not match the session the bridge created, or None."""
    fields = ("totalAmount", "paidAmount") if action is TaskAction.MARK_PAID else ("totalAmount",)
    seen = False
    for field in fields:
        if field not in data:
            continue
        value = data[field]
        if isinstance(value, bool) or not isinstance(value, int) or value != expected:
            return f"{field} {value!r} is not the linked session's total {expected}"
        seen = True
    return None if seen else "event without totalAmount"


def _ignore_reason(
    db: Session,
    store: BridgeStore,
    action: TaskAction,
    data: Mapping[str, Any],
    session_id: str | None,
    order_id: int | None,
) -> tuple[str | None, BridgeOrder | None]:
    """(why the event must not touch WooCommerce, the order link it is about)."""
    platform = data.get("platform")
    if platform is not None and platform != PLATFORM:
        return f"session of platform {str(platform)[:40]!r}, not {PLATFORM}", None
    if not session_id:
        return "event without sessionId", None
    # Only the session the bridge itself created for an order (its current one) may change
    # that order: never the order number an event names, nor a replaced older session.
    link = db.scalars(
        select(BridgeOrder).where(
            BridgeOrder.store_id == store.id, BridgeOrder.session_id == session_id
        )
    ).first()
    if link is None:
        return "session not linked to an order by the bridge (unknown or replaced)", None
    if order_id is not None and link.wc_order_id != order_id:
        return f"session belongs to order {link.wc_order_id}, not {order_id}", None
    if action in AMOUNT_CHECKED:
        problem = _amount_problem(action, data, link.session_total)
        if problem:
            return problem, None
    return None, link


def receive_webhook(
    ctx: BridgeContext, store_id: str, raw: bytes, headers: Mapping[str, str]
) -> Receipt:
    """Verify and record in one transaction (the usual case); a signature that matches no
    stored secret is checked again after fetching the shop's current secret."""
    event: dict[str, Any] | None = None
    try:
        with ctx.database.transaction() as db:
            store = _known_store(db, store_id)
            event = _verified_with_stored_secret(ctx, store, raw, headers)
            if event is not None:
                task_ids = _record(db, store, event)
        if event is None:
            event = _verified_after_refresh(ctx, store, raw, headers)
            with ctx.database.transaction() as db:
                task_ids = _record(db, _known_store(db, store_id), event)
    except IntegrityError:
        event_id = _event_id(event or {})
        logger.info("duplicate webhook", extra={"store_id": store_id, "event_id": event_id})
        return Receipt(event_id, True, ())
    for task_id in task_ids:
        try:
            ctx.enqueue(task_id, None)
        except Exception:
            # Stored already: the sweep enqueues it if this fails.
            logger.warning("enqueue failed", extra={"task_id": task_id}, exc_info=True)
    return Receipt(_event_id(event), False, tuple(task_ids))


def _event_id(event: Mapping[str, Any]) -> str:
    return str(event.get("id"))[:64]


def _record(db: Session, store: BridgeStore, event: dict[str, Any]) -> list[str]:
    """Store the event (the unique (store, event id) raises IntegrityError for a duplicate)
    and the sync task it implies; returns the task ids."""
    event_id = _event_id(event)
    event_type = str(event.get("event") or "")
    raw_data = event.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    order_id = _order_id(data)
    session_id = str(data.get("sessionId") or "")[:40] or None
    action = ACTIONS_BY_EVENT.get(event_type)
    now = utcnow()
    db.add(
        BridgeEvent(
            store_id=store.id,
            event_id=event_id,
            type=event_type[:48],
            session_id=session_id,
            wc_order_id=order_id,
            payload=event,
            event_created_at=str(event.get("createdAt") or "")[:40] or None,
            received_at=now,
        )
    )
    db.flush()  # the unique (store, event id) decides duplicates here
    if action is None:
        return []
    ignored, link = _ignore_reason(db, store, action, data, session_id, order_id)
    if ignored is not None or link is None:
        logger.warning(
            "webhook ignored",
            extra={"store_id": store.id, "event_id": event_id, "reason": ignored},
        )
        record_ignored_event(
            db,
            store_id=store.id,
            wc_order_id=order_id,
            session_id=session_id,
            event_id=event_id,
            action=str(action),
            reason=str(ignored),
        )
        return []
    connected = store.status == CONNECTED
    task = SyncTask(
        id=new_id("bsy"),
        store_id=store.id,
        wc_order_id=link.wc_order_id,
        session_id=session_id,
        event_id=event_id,
        action=action,
        payload=data,
        status=TaskStatus.PENDING,
        attempts=0,
        # Parked (never due) while the store is disconnected; connecting it resumes it.
        next_attempt_at=now if connected else None,
        last_error=None if connected else PARKED_MESSAGE,
        created_at=now,
        updated_at=now,
    )
    db.add(task)
    return [task.id] if connected else []
