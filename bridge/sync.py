"""Running one sync task: gates (store back-off, per-store cap, per-order lock), a leased
claim in the database, the WooCommerce work, and the outcome with its log rows."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from app.crypto import DecryptionError
from app.models.base import utcnow
from bridge import limits
from bridge.context import BridgeContext
from bridge.models import BridgeOrder, BridgeStore, SyncTask
from bridge.retry import jitter, next_attempt_at, store_backoff_seconds
from bridge.stores import CONNECTED, woo_credentials
from bridge.sync_actions import ActionResult, run_action
from bridge.sync_log import record_calls, record_decision
from bridge.task_actions import TaskStatus
from bridge.woo_client import WooCall, WooPermanentError, WooStore, WooTransientError

logger = logging.getLogger(__name__)
BUSY_DELAY_SECONDS = (0.2, 1.0)


def _keys(ctx: BridgeContext, task: SyncTask) -> tuple[str, str, str, str]:
    return (
        ctx.key("slots", task.store_id),
        ctx.key("order", task.store_id, str(task.wc_order_id)),
        ctx.key("backoff", task.store_id),
        ctx.key("failures", task.store_id),
    )


def _defer(ctx: BridgeContext, task_id: str, seconds: float) -> str:
    ctx.enqueue(task_id, utcnow() + timedelta(seconds=seconds))
    return "deferred"


def _claim(
    ctx: BridgeContext, task_id: str, now: datetime
) -> tuple[SyncTask, BridgeStore, str | None] | None:
    with ctx.database.transaction() as db:
        query = select(SyncTask).where(SyncTask.id == task_id)
        if not ctx.database.is_sqlite:
            query = query.with_for_update()
        task = db.scalars(query).first()
        if task is None or task.status != TaskStatus.PENDING:
            return None
        if task.lease_until is not None and task.lease_until > now:
            return None
        store = db.get(BridgeStore, task.store_id)
        link = db.scalars(
            select(BridgeOrder).where(
                BridgeOrder.store_id == task.store_id, BridgeOrder.wc_order_id == task.wc_order_id
            )
        ).first()
        task.attempts += 1
        task.lease_until = now + timedelta(seconds=ctx.task_lease_seconds)
        task.updated_at = now
        db.flush()
        db.expunge_all()
    return task, store, (link.session_id if link else None)  # type: ignore[return-value]


def run_task(ctx: BridgeContext, task_id: str) -> str:
    """Job body. Returns what happened, for logs and tests."""
    with ctx.database.transaction() as db:
        peek = db.get(SyncTask, task_id)
        if peek is None or peek.status != TaskStatus.PENDING:
            return "done"
        db.expunge(peek)
    slot_key, lock_key, backoff_key, failures_key = _keys(ctx, peek)
    waiting = limits.backoff_remaining(ctx.redis, backoff_key)
    if waiting > 0:
        return _defer(ctx, task_id, waiting + jitter(0, 0.5))
    # A store that has just failed gets one probe at a time, not its full cap.
    cap = 1 if ctx.redis.exists(failures_key) else ctx.store_concurrency
    try:
        guard = limits.acquire(ctx.redis, slot_key, lock_key, cap, ctx.task_lease_seconds)
    except limits.GuardBusy:
        return _defer(ctx, task_id, jitter(*BUSY_DELAY_SECONDS))
    try:
        claimed = _claim(ctx, task_id, utcnow())
        if claimed is None:
            return "done"
        task, store, current_session = claimed
        return _attempt(ctx, task, store, current_session, failures_key, backoff_key)
    finally:
        guard.release()


def _attempt(
    ctx: BridgeContext,
    task: SyncTask,
    store: BridgeStore,
    current_session: str | None,
    failures_key: str,
    backoff_key: str,
) -> str:
    calls: list[WooCall] = []
    if store is None or store.status != CONNECTED:
        return _finish(ctx, task, calls, TaskStatus.FAILED, "store disconnected")
    try:
        credentials = woo_credentials(ctx, store)
    except DecryptionError:
        return _finish(ctx, task, calls, TaskStatus.FAILED, "stored credentials unreadable")
    woo = WooStore(credentials, ctx.woo_timeout, calls.append)
    try:
        result: ActionResult = run_action(ctx, task, woo, current_session)
    except WooTransientError as exc:
        failures = int(ctx.redis.incr(failures_key))
        ctx.redis.expire(failures_key, 3600)
        pause = store_backoff_seconds(failures, ctx.retry_scale)
        limits.start_backoff(ctx.redis, backoff_key, pause)
        when = next_attempt_at(task.attempts, utcnow(), ctx.retry_scale, exc.retry_after)
        if when is None:
            return _finish(ctx, task, calls, TaskStatus.DEAD, str(exc))
        return _finish(ctx, task, calls, TaskStatus.PENDING, str(exc), retry_at=when)
    except WooPermanentError as exc:
        ctx.redis.delete(failures_key)
        return _finish(ctx, task, calls, TaskStatus.FAILED, str(exc))
    ctx.redis.delete(failures_key)
    status = TaskStatus.SUCCEEDED if result.outcome == "succeeded" else TaskStatus.SKIPPED
    return _finish(ctx, task, calls, status, result.message, paid=result.order_paid)


def _finish(
    ctx: BridgeContext,
    task: SyncTask,
    calls: list[WooCall],
    status: TaskStatus,
    message: str,
    *,
    retry_at: datetime | None = None,
    paid: bool | None = None,
) -> str:
    now = utcnow()
    outcome = {TaskStatus.PENDING: "retrying"}.get(status, str(status))
    with ctx.database.transaction() as db:
        row = db.get(SyncTask, task.id)
        if row is None:
            return "done"
        row.status = status
        row.lease_until = None
        row.updated_at = now
        row.last_error = None if status in (TaskStatus.SUCCEEDED, TaskStatus.SKIPPED) else message
        row.next_attempt_at = retry_at
        if status != TaskStatus.PENDING:
            row.finished_at = now
        if calls:
            record_calls(
                db,
                calls,
                store_id=task.store_id,
                attempt=task.attempts,
                task=task,
                outcome_of_last=outcome,
                message_of_last=message,
            )
        else:
            record_decision(db, task, outcome, message, task.attempts)
        if paid is not None:
            link = db.scalars(
                select(BridgeOrder).where(
                    BridgeOrder.store_id == task.store_id,
                    BridgeOrder.wc_order_id == task.wc_order_id,
                )
            ).first()
            if link is not None:
                link.paid_in_woocommerce = paid
                link.updated_at = now
    if retry_at is not None:
        ctx.enqueue(task.id, retry_at)
    logger.info("sync attempt finished", extra={"task_id": task.id, "outcome": outcome})
    return outcome
