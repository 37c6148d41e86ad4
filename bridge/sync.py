"""Running one sync task: gates (store back-off, per-store cap, per-order lock), a leased
claim in the database, the work (the session read from the API, then the WooCommerce order),
and the outcome with its log rows. Every attempt ends with a row, whatever went wrong."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update

from app.crypto import DecryptionError
from app.models.base import utcnow
from bridge import limits
from bridge.context import BridgeContext
from bridge.core_client import CoreApiError, CoreUnavailable
from bridge.masking import mask_value
from bridge.models import ORDER_LINKS, SYNC_TASKS, BridgeOrder, BridgeStore, SyncTask
from bridge.retry import jitter, next_attempt_at, store_backoff_seconds
from bridge.stores import CONNECTED, site_guard, store_core_api, woo_credentials
from bridge.sync_actions import ActionResult, NotTheLinkedOrder, RefundInFlight, run_action
from bridge.sync_log import record_calls, record_decision
from bridge.task_actions import TaskStatus
from bridge.woo_client import WooCall, WooPermanentError, WooStore, WooTransientError

logger = logging.getLogger(__name__)
REFUND_WAIT_SECONDS = (20.0, 40.0)
PARKED_MESSAGE = "store disconnected: waits until it is connected again"
KEY_REFUSED_MESSAGE = "the store's API key was refused: waits until the store is connected again"
# `reconciled_at` of an order deleted in WooCommerce: reconciliation never comes back to it.
NEVER = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Claimed:
    """A leased task with what its attempt needs (detached from any session)."""

    task: SyncTask
    store: BridgeStore | None
    current_session: str | None
    # The WooCommerce order key the order link was made with (empty for old links).
    order_key: str | None


def guard_keys(ctx: BridgeContext, store_id: str, order_id: int | None) -> limits.GuardKeys:
    return limits.GuardKeys(
        slots=ctx.key("slots", store_id),
        order=ctx.key("order", store_id, str(order_id)),
        backoff=ctx.key("backoff", store_id),
        failures=ctx.key("failures", store_id),
    )


def acquire_guard(ctx: BridgeContext, store_id: str, order_id: int | None) -> limits.Guard:
    """The store's slot and the order's lock (raises `limits.GuardBusy`)."""
    keys = guard_keys(ctx, store_id, order_id)
    return limits.acquire(ctx.redis, keys, ctx.store_concurrency, ctx.task_lease_seconds)


def claim_tasks(ctx: BridgeContext, task_ids: list[str], now: datetime) -> list[Claimed]:
    """Lease those of `task_ids` still pending, due and unleased, in one transaction. Rows
    another worker holds locked are skipped, not waited for."""
    if not task_ids:
        return []
    with ctx.database.transaction() as db:
        query = (
            select(SyncTask)
            .where(
                SyncTask.id.in_(task_ids),
                SyncTask.status == TaskStatus.PENDING,
                or_(SyncTask.lease_until.is_(None), SyncTask.lease_until <= now),
            )
            .order_by(SyncTask.id)
        )
        if not ctx.database.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        tasks = list(db.scalars(query))
        if not tasks:
            return []
        store_ids = {t.store_id for t in tasks}
        stores = {
            s.id: s for s in db.scalars(select(BridgeStore).where(BridgeStore.id.in_(store_ids)))
        }
        links: dict[tuple[str, int | None], BridgeOrder] = {
            (link.store_id, link.wc_order_id): link
            for link in db.scalars(
                select(BridgeOrder).where(
                    BridgeOrder.store_id.in_(store_ids),
                    BridgeOrder.wc_order_id.in_({t.wc_order_id for t in tasks}),
                )
            )
        }
        lease_until = now + timedelta(seconds=ctx.task_lease_seconds)
        db.execute(
            update(SYNC_TASKS)
            .where(SYNC_TASKS.c.id.in_([t.id for t in tasks]))
            .values(attempts=SYNC_TASKS.c.attempts + 1, lease_until=lease_until, updated_at=now)
        )
        db.expunge_all()
    for task in tasks:  # detached copies, as the row now is
        task.attempts += 1
        task.lease_until = lease_until
        task.updated_at = now
    claimed = []
    for task in tasks:
        link = links.get((task.store_id, task.wc_order_id))
        session_id, order_key = (link.session_id, link.order_key) if link else (None, None)
        claimed.append(Claimed(task, stores.get(task.store_id), session_id, order_key))
    return claimed


def attempt_claimed(ctx: BridgeContext, claimed: Claimed) -> str:
    task = claimed.task
    keys = guard_keys(ctx, task.store_id, task.wc_order_id)
    return _attempt(ctx, task, claimed, keys)


def _attempt(ctx: BridgeContext, task: SyncTask, claimed: Claimed, keys: limits.GuardKeys) -> str:
    calls: list[WooCall] = []
    store = claimed.store
    if store is None:
        return _finish(ctx, task, calls, TaskStatus.FAILED, "store deleted")
    if store.status != CONNECTED:
        # Parked (pending, never due) until the store is connected again: a merchant who
        # reconnects gets every outcome that arrived meanwhile.
        return _finish(ctx, task, calls, TaskStatus.PENDING, PARKED_MESSAGE)
    try:
        credentials = woo_credentials(ctx, store)
        core = store_core_api(ctx, store)
    except DecryptionError:
        return _finish(ctx, task, calls, TaskStatus.FAILED, "stored credentials unreadable")
    woo = WooStore(
        credentials,
        ctx.woo_timeout,
        calls.append,
        site_guard(ctx, store.mode),
        ctx.woo_http,
    )
    try:
        result: ActionResult = run_action(
            ctx, task, woo, claimed.current_session, core.get_session, claimed.order_key
        )
    except RefundInFlight as exc:
        # Not the store's fault: look again soon, without a store back-off.
        wait = timedelta(seconds=jitter(*REFUND_WAIT_SECONDS))
        return _finish(ctx, task, calls, TaskStatus.PENDING, str(exc), retry_at=utcnow() + wait)
    except NotTheLinkedOrder as exc:
        # The linked order is gone from this site, as if deleted.
        _forget_deleted_order(ctx, task)
        return _finish(ctx, task, calls, TaskStatus.FAILED, str(exc))
    except WooTransientError as exc:
        failures = int(ctx.redis.incr(keys.failures))
        ctx.redis.expire(keys.failures, 3600)
        pause = store_backoff_seconds(failures, ctx.retry_scale)
        limits.start_backoff(ctx.redis, keys.backoff, pause)
        return _retry(ctx, task, calls, str(exc), exc.retry_after)
    except WooPermanentError as exc:
        ctx.redis.delete(keys.failures)
        if exc.status == 404 and calls and calls[0].action == "read_order":
            _forget_deleted_order(ctx, task)
        return _finish(ctx, task, calls, TaskStatus.FAILED, str(exc))
    except CoreApiError as exc:
        if exc.status == 401:
            # A revoked key (rotation): parked like a disconnected store's task, it runs once
            # the merchant connects the store with the new key, instead of being lost.
            return _finish(ctx, task, calls, TaskStatus.PENDING, KEY_REFUSED_MESSAGE)
        # The API refused the session lookup: a busy key retries, anything else will not pass.
        if exc.status == 429 or exc.status >= 500:
            return _retry(ctx, task, calls, f"checkout API: {exc}")
        return _finish(ctx, task, calls, TaskStatus.FAILED, f"checkout API: {exc}")
    except CoreUnavailable as exc:
        # Like a store timeout, but the store is not to blame: no store back-off.
        return _retry(ctx, task, calls, f"checkout API unavailable: {exc}")
    except Exception as exc:
        # Whatever else goes wrong ends as a logged attempt with the usual retry limit,
        # never as a crash the lease turns into an endless silent loop.
        logger.exception("sync attempt failed unexpectedly", extra={"task_id": task.id})
        return _retry(ctx, task, calls, f"unexpected error: {type(exc).__name__}")
    ctx.redis.delete(keys.failures)
    status = TaskStatus.SUCCEEDED if result.outcome == "succeeded" else TaskStatus.SKIPPED
    return _finish(ctx, task, calls, status, result.message, paid=result.order_paid)


def _retry(
    ctx: BridgeContext,
    task: SyncTask,
    calls: list[WooCall],
    message: str,
    retry_after: float | None = None,
) -> str:
    when = next_attempt_at(task.attempts, utcnow(), ctx.retry_scale, retry_after)
    if when is None:
        return _finish(ctx, task, calls, TaskStatus.DEAD, message)
    return _finish(ctx, task, calls, TaskStatus.PENDING, message, retry_at=when)


def _forget_deleted_order(ctx: BridgeContext, task: SyncTask) -> None:
    """The order is gone from WooCommerce: reconciliation stops looking at it (a new
    session for the same order number resets `reconciled_at`)."""
    with ctx.database.transaction() as db:
        db.execute(
            update(ORDER_LINKS)
            .where(
                ORDER_LINKS.c.store_id == task.store_id,
                ORDER_LINKS.c.wc_order_id == task.wc_order_id,
            )
            .values(reconciled_at=NEVER, updated_at=utcnow())
        )


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
    outcome = str(status)
    if status == TaskStatus.PENDING:
        outcome = "retrying" if retry_at is not None else "parked"
    settled = status in (TaskStatus.SUCCEEDED, TaskStatus.SKIPPED)
    with ctx.database.transaction() as db:
        changed = db.execute(
            update(SYNC_TASKS)
            .where(
                SYNC_TASKS.c.id == task.id,
                # Only while this attempt still holds the task: once its lease ran out and
                # another worker claimed it (attempts moved on), the newer attempt decides.
                SYNC_TASKS.c.status == TaskStatus.PENDING,
                SYNC_TASKS.c.attempts == task.attempts,
            )
            .values(
                status=status,
                lease_until=None,
                updated_at=now,
                last_error=None if settled else mask_value(message),
                next_attempt_at=retry_at,
                finished_at=None if status == TaskStatus.PENDING else now,
            )
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            return "done"
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
            db.execute(
                update(ORDER_LINKS)
                .where(
                    ORDER_LINKS.c.store_id == task.store_id,
                    ORDER_LINKS.c.wc_order_id == task.wc_order_id,
                )
                .values(paid_in_woocommerce=paid, updated_at=now)
            )
    if retry_at is not None:
        ctx.enqueue(task.id, retry_at)
    logger.info("sync attempt finished", extra={"task_id": task.id, "outcome": outcome})
    return outcome
