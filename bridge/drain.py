"""Sync tasks in batches: pick due tasks fairly, claim them, run them concurrently.

A drain claims up to as many tasks as its process has free threads: at most one task per
order and at most the store's cap per store in a batch (a window query, so a store with a
large backlog cannot fill the batch), each behind the store's and the order's Redis guard
(shared across processes). Claimed tasks run in a process-wide thread pool, each with its own
WooCommerce client and database transactions; the drain itself returns at once, so an RQ
worker is never held by a slow store. A finished task wakes the workers (coalesced), which
picks up whatever it was blocking; the sweep wakes them for anything overdue.

Every task runs under a wall-clock deadline ending a fifth of its lease before the lease does
(each store call has its own, shorter one: `bridge.woo_client`): a store that answers one
byte per second costs a timed-out call, not a thread for minutes, and a task is done with the
store before its lease lets another worker claim it, so no store write is made twice at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, or_, select, update

from app.models.base import utcnow
from app.outbound.deadline import deadline
from bridge import limits
from bridge.context import BridgeContext
from bridge.models import SyncTask
from bridge.retry import jitter
from bridge.sync import Claimed, acquire_guard, attempt_claimed, claim_tasks
from bridge.task_actions import TaskStatus

logger = logging.getLogger(__name__)
MAX_PARALLEL_TASKS = 32
# A drain keeps starting tasks while its process has syncs in flight, for at most this long.
DRAIN_BUDGET_SECONDS = 1.0
POLL_SECONDS = 0.02
# The end of its lease a task leaves for recording its outcome.
LEASE_RESERVE = 0.2


def _due(now: datetime) -> list[object]:
    return [
        SyncTask.status == TaskStatus.PENDING,
        SyncTask.next_attempt_at <= now,
        or_(SyncTask.lease_until.is_(None), SyncTask.lease_until <= now),
    ]


def due_candidates(
    ctx: BridgeContext, now: datetime, limit: int, per_store: int
) -> list[tuple[str, str, int | None]]:
    """(task id, store id, order id) of due, unleased tasks that could start now: the
    oldest of each order with no sync in flight, at most the store's free slots (its cap
    less its leased tasks) per store, oldest first. Read without locks; the Redis guard and
    the claim re-check, so this only keeps a drain from trying what is sure to be busy."""
    leased = (
        select(SyncTask.store_id, SyncTask.wc_order_id)
        .where(SyncTask.status == TaskStatus.PENDING, SyncTask.lease_until > now)
        .subquery()
    )
    in_flight = (
        select(leased.c.store_id, func.count().label("n")).group_by(leased.c.store_id).subquery()
    )
    order_busy = (
        select(leased.c.store_id)
        .where(
            leased.c.store_id == SyncTask.store_id,
            leased.c.wc_order_id == SyncTask.wc_order_id,
        )
        .exists()
    )
    by_order = (
        select(
            SyncTask.id,
            SyncTask.store_id,
            SyncTask.wc_order_id,
            SyncTask.next_attempt_at,
            func.row_number()
            .over(
                partition_by=(SyncTask.store_id, SyncTask.wc_order_id),
                order_by=(SyncTask.created_at, SyncTask.id),
            )
            .label("in_order"),
        )
        .where(*_due(now), ~order_busy)  # type: ignore[arg-type]
        .subquery()
    )
    by_store = (
        select(
            by_order.c.id,
            by_order.c.store_id,
            by_order.c.wc_order_id,
            by_order.c.next_attempt_at,
            func.row_number()
            .over(partition_by=by_order.c.store_id, order_by=by_order.c.next_attempt_at)
            .label("in_store"),
        )
        .where(by_order.c.in_order == 1)
        .subquery()
    )
    query = (
        select(by_store.c.id, by_store.c.store_id, by_store.c.wc_order_id)
        .outerjoin(in_flight, in_flight.c.store_id == by_store.c.store_id)
        .where(by_store.c.in_store <= per_store - func.coalesce(in_flight.c.n, 0))
        .order_by(by_store.c.next_attempt_at)
        .limit(limit)
    )
    with ctx.database.transaction() as db:
        return [(row[0], row[1], row[2]) for row in db.execute(query)]


def _postpone_store(ctx: BridgeContext, store_id: str, seconds: float, now: datetime) -> None:
    """The store is paused: move its due tasks to the end of the pause in one statement."""
    when = now + timedelta(seconds=seconds + jitter(0, 0.5))
    with ctx.database.transaction() as db:
        db.execute(
            update(SyncTask)
            .where(SyncTask.store_id == store_id, *_due(now))  # type: ignore[arg-type]
            .values(next_attempt_at=when, updated_at=now)
        )
    ctx.enqueue(f"store:{store_id}", when)


def _guarded(
    ctx: BridgeContext, candidates: list[tuple[str, str, int | None]], now: datetime, most: int
) -> dict[str, limits.Guard]:
    """Take the store slot and order lock of up to `most` candidates that can run now."""
    guards: dict[str, limits.Guard] = {}
    full: set[str] = set()
    for task_id, store_id, order_id in candidates:
        if len(guards) >= most:
            break
        if store_id in full:
            continue
        try:
            guards[task_id] = acquire_guard(ctx, store_id, order_id)
        except limits.GuardBusy as busy:
            if busy.backoff_seconds > 0:
                _postpone_store(ctx, store_id, busy.backoff_seconds, now)
            if busy.reason != "order":
                full.add(store_id)
    return guards


@dataclass
class Runner:
    """The process-wide pool that runs claimed tasks; counts free threads."""

    size: int = MAX_PARALLEL_TASKS

    def __post_init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self.size, thread_name_prefix="bridge-sync")
        self._lock = threading.Condition()
        self._busy = 0
        self.draining = 0

    def free(self) -> int:
        with self._lock:
            return self.size - self._busy

    def busy(self) -> int:
        with self._lock:
            return self._busy

    def wait_for_change(self, timeout: float) -> None:
        """Until a task finishes, or `timeout` seconds (new tasks may have come due)."""
        with self._lock:
            self._lock.wait(timeout)

    def submit(self, job: Callable[[], str]) -> Future[str]:
        with self._lock:
            self._busy += 1
        future = self._pool.submit(job)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[str]) -> None:
        with self._lock:
            self._busy -= 1
            self._lock.notify_all()

    def close(self) -> None:
        self._pool.shutdown(wait=True)


_runner: Runner | None = None
_runner_lock = threading.Lock()


def runner() -> Runner:
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = Runner()
        return _runner


def _wake(ctx: BridgeContext, task_id: str) -> None:
    try:
        ctx.enqueue(task_id, None)
    except Exception:
        logger.warning("wake-up failed", extra={"task_id": task_id}, exc_info=True)


def task_deadline_seconds(ctx: BridgeContext, claimed: Claimed) -> float:
    """Seconds the task's store calls may take: until LEASE_RESERVE of its lease is left."""
    lease_until = claimed.task.lease_until or utcnow()
    left = (lease_until - utcnow()).total_seconds()
    return max(0.0, left - ctx.task_lease_seconds * LEASE_RESERVE)


def _run(ctx: BridgeContext, claimed: Claimed, guard: limits.Guard, pool: Runner) -> str:
    try:
        with deadline(task_deadline_seconds(ctx, claimed)):
            return attempt_claimed(ctx, claimed)
    except Exception:
        # The lease runs out and the sweep retries it; the worker keeps going.
        logger.exception("sync attempt crashed", extra={"task_id": claimed.task.id})
        return "crashed"
    finally:
        guard.release()
        if not pool.draining:
            # What this task held back (its order's next task, its store's cap) may run now;
            # a drain running in this process sees that by itself.
            _wake(ctx, claimed.task.id)


def drain_once(ctx: BridgeContext, pool: Runner) -> list[Future[str]]:
    """Claim what can run now (up to the free threads) and start it."""
    free = pool.free()
    if free <= 0:
        return []
    now = utcnow()
    # Twice what fits: some candidates are busy in other processes.
    candidates = due_candidates(ctx, now, 2 * free, ctx.store_concurrency)
    if not candidates:
        return []
    guards = _guarded(ctx, candidates, now, free)
    if not guards:
        return []
    claimed = claim_tasks(ctx, list(guards), now)
    for task_id in set(guards) - {c.task.id for c in claimed}:
        guards.pop(task_id).release()
    return [pool.submit(partial(_run, ctx, c, guards[c.task.id], pool)) for c in claimed]


def drain(
    ctx: BridgeContext, pool: Runner | None = None, budget: float = DRAIN_BUDGET_SECONDS
) -> list[Future[str]]:
    """Start every task that can run now and, for up to `budget` seconds while this
    process has syncs in flight, whatever comes due or free as they finish. Returns the
    futures of the started tasks (tests wait on them)."""
    pool = pool or runner()
    started: list[Future[str]] = []
    deadline = time.monotonic() + budget
    pool.draining += 1
    try:
        while True:
            batch = drain_once(ctx, pool)
            started.extend(batch)
            if time.monotonic() >= deadline or (not batch and not pool.busy()):
                break
            if not batch or not pool.free():
                pool.wait_for_change(POLL_SECONDS)
    finally:
        pool.draining -= 1
    if pool.busy():
        # Syncs still in flight: whatever they hold back needs a drain after them.
        _wake(ctx, "drain")
    if started:
        logger.info("bridge syncs started", extra={"count": len(started)})
    return started
