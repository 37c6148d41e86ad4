"""Heals lost webhooks: linked orders not known paid in WooCommerce whose session the API
reports paid get a `mark_paid` task, and those whose session waits for a virtual-account
deposit get the `await_deposit` task (on-hold and the account note) if none was ever made,
as if the event had arrived."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from app.crypto import DecryptionError
from app.models.base import utcnow
from app.payments.ids import new_id
from bridge.context import BridgeContext
from bridge.core_client import CoreApiError, CoreUnavailable
from bridge.mapping.payment_facts import HELD_SESSION_STATUSES
from bridge.models import BridgeOrder, BridgeStore, SyncTask
from bridge.stores import CONNECTED, store_core_api
from bridge.task_actions import TaskAction, TaskStatus

logger = logging.getLogger(__name__)
RECONCILE_BATCH = 50
ENDED_UNPAID = frozenset({"failed", "cancelled", "expired"})
ENDED_PAUSE = timedelta(days=7)


def _candidates(ctx: BridgeContext) -> list[tuple[BridgeOrder, BridgeStore]]:
    cutoff = utcnow() - timedelta(seconds=ctx.reconcile_after_seconds)
    with ctx.database.transaction() as db:
        rows = db.execute(
            select(BridgeOrder, BridgeStore)
            .join(BridgeStore, BridgeStore.id == BridgeOrder.store_id)
            .where(
                BridgeOrder.paid_in_woocommerce.is_(False),
                BridgeOrder.session_id.is_not(None),
                BridgeOrder.updated_at <= cutoff,
                or_(BridgeOrder.reconciled_at.is_(None), BridgeOrder.reconciled_at <= cutoff),
                BridgeStore.status == CONNECTED,
            )
            .order_by(BridgeOrder.reconciled_at.is_not(None), BridgeOrder.reconciled_at)
            .limit(RECONCILE_BATCH)
        ).all()
        db.expunge_all()
    return [(link, store) for link, store in rows]


def _has_task(
    ctx: BridgeContext, link: BridgeOrder, action: TaskAction, statuses: frozenset[str]
) -> bool:
    with ctx.database.transaction() as db:
        return (
            db.scalars(
                select(SyncTask.id).where(
                    SyncTask.store_id == link.store_id,
                    SyncTask.wc_order_id == link.wc_order_id,
                    SyncTask.session_id == link.session_id,
                    SyncTask.action == action,
                    SyncTask.status.in_(statuses),
                )
            ).first()
            is not None
        )


def healing_action(
    ctx: BridgeContext, link: BridgeOrder, session: dict[str, Any]
) -> TaskAction | None:
    """The task a lost webhook would have made, unless one is already there."""
    status = session.get("status")
    if status in HELD_SESSION_STATUSES:
        # One waiting, or one that wrote the payment (an order held for an amount mismatch
        # stays unpaid in WooCommerce, and needs no second task).
        done = frozenset({TaskStatus.PENDING.value, TaskStatus.SUCCEEDED.value})
        return None if _has_task(ctx, link, TaskAction.MARK_PAID, done) else TaskAction.MARK_PAID
    if status == "processing" and isinstance(session.get("virtualAccount"), dict):
        # Once made (whatever came of it), the issued account needs no second task.
        made = frozenset(s.value for s in TaskStatus)
        lost = not _has_task(ctx, link, TaskAction.AWAIT_DEPOSIT, made)
        return TaskAction.AWAIT_DEPOSIT if lost else None
    return None


def reconcile_unpaid_orders(ctx: BridgeContext) -> int:
    healed = 0
    for link, store in _candidates(ctx):
        now = utcnow()
        try:
            session = store_core_api(ctx, store).get_session(str(link.session_id))
        except DecryptionError:
            # One store's unreadable key must not stop the others being reconciled.
            logger.warning("reconcile: stored key unreadable", extra={"store_id": store.id})
            session = {}
        except (CoreApiError, CoreUnavailable):
            logger.warning("reconcile: session lookup failed", extra={"store_id": store.id})
            session = {}
        new_task: SyncTask | None = None
        status = session.get("status")
        heal = healing_action(ctx, link, session)
        with ctx.database.transaction() as db:
            row = db.get(BridgeOrder, link.id)
            if row is None:
                continue
            # An ended, unpaid session cannot become paid: look again only after a week
            # (a new session for the order resets this).
            row.reconciled_at = now + (ENDED_PAUSE if status in ENDED_UNPAID else timedelta())
            if heal is not None:
                new_task = SyncTask(
                    id=new_id("bsy"),
                    store_id=store.id,
                    wc_order_id=link.wc_order_id,
                    session_id=link.session_id,
                    event_id=None,
                    action=heal,
                    payload=session,
                    status=TaskStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                    updated_at=now,
                )
                db.add(new_task)
        if new_task is not None:
            healed += 1
            ctx.enqueue(new_task.id, None)
    return healed
