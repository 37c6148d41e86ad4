"""Inbound webhooks: verify like any merchant, store the event and its sync tasks in one
transaction (deduplicated by event id), answer, then enqueue."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.models.base import utcnow
from app.payments.errors import NotFound
from app.webhooks.verify import (
    NoMatchingSignatureError,
    WebhookVerificationError,
    verify_webhook,
)
from bridge.context import BridgeContext
from bridge.core_client import CoreApiError, CoreUnavailable
from bridge.errors import InvalidSignature, new_bridge_id
from bridge.models import BridgeEvent, BridgeStore, SyncTask
from bridge.stores import CONNECTED, store_core_api
from bridge.task_actions import TaskAction

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


@dataclass(frozen=True)
class Receipt:
    event_id: str
    duplicate: bool
    task_ids: tuple[str, ...]


def _load_store(ctx: BridgeContext, store_id: str) -> BridgeStore:
    with ctx.database.transaction() as db:
        store = db.get(BridgeStore, store_id)
    if store is None or store.status != CONNECTED:
        raise NotFound("No connected store here", code="store_not_found")
    return store


def _refreshed_secret(ctx: BridgeContext, store: BridgeStore) -> str | None:
    now = utcnow()
    if now - store.secret_refreshed_at < SECRET_REFRESH_INTERVAL:
        return None
    try:
        secret = store_core_api(ctx, store).webhook_secret(store.shop_id)
    except (CoreApiError, CoreUnavailable):
        logger.warning("webhook secret refresh failed", extra={"store_id": store.id})
        return None
    with ctx.database.transaction() as db:
        row = db.get(BridgeStore, store.id)
        if row is not None:
            row.encrypted_webhook_secret = ctx.box.encrypt(secret)
            row.secret_refreshed_at = now
    return secret


def verify(
    ctx: BridgeContext, store: BridgeStore, raw: bytes, headers: Mapping[str, str]
) -> dict[str, Any]:
    secret = ctx.box.decrypt(store.encrypted_webhook_secret)
    try:
        return verify_webhook(raw, headers, secret)
    except NoMatchingSignatureError as exc:
        # The secret may have been rotated through the API: fetch it once and try again.
        fresh = _refreshed_secret(ctx, store)
        if fresh is None or fresh == secret:
            raise InvalidSignature() from exc
        try:
            return verify_webhook(raw, headers, fresh)
        except WebhookVerificationError as again:
            raise InvalidSignature() from again
    except WebhookVerificationError as exc:
        raise InvalidSignature(details={"reason": type(exc).__name__}) from exc


def _order_id(data: Mapping[str, Any]) -> int | None:
    value = str(data.get("platformOrderId") or "")
    return int(value) if value.isdigit() else None


def receive_webhook(
    ctx: BridgeContext, store_id: str, raw: bytes, headers: Mapping[str, str]
) -> Receipt:
    store = _load_store(ctx, store_id)
    event = verify(ctx, store, raw, headers)
    event_id = str(event["id"])[:64]
    event_type = str(event.get("event") or "")
    raw_data = event.get("data")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    order_id = _order_id(data)
    session_id = str(data.get("sessionId") or "")[:40] or None
    action = ACTIONS_BY_EVENT.get(event_type)
    now = utcnow()
    task_ids: list[str] = []
    try:
        with ctx.database.transaction() as db:
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
            if action is not None and order_id is not None:
                task = SyncTask(
                    id=new_bridge_id("bsy"),
                    store_id=store.id,
                    wc_order_id=order_id,
                    session_id=session_id,
                    event_id=event_id,
                    action=action,
                    payload=data,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                )
                db.add(task)
                task_ids.append(task.id)
    except IntegrityError:
        logger.info("duplicate webhook", extra={"store_id": store.id, "event_id": event_id})
        return Receipt(event_id, True, ())
    for task_id in task_ids:
        try:
            ctx.enqueue(task_id, None)
        except Exception:
            # Stored already: the sweep enqueues it if this fails.
            logger.warning("enqueue failed", extra={"task_id": task_id}, exc_info=True)
    return Receipt(event_id, False, tuple(task_ids))
