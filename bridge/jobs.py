"""RQ jobs and sweeps of the bridge. Jobs carry no payload: a `drain_sync_tasks` job starts
whatever is due in the database, so a burst of webhooks wakes the workers once, and a lost
job loses nothing (the sweep wakes them again)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import redis
from flask import Flask, current_app
from rq import Queue
from sqlalchemy import or_, select

from app.models.base import utcnow
from bridge.context import BridgeContext, Enqueue
from bridge.drain import drain
from bridge.models import SyncTask
from bridge.reconcile import reconcile_unpaid_orders
from bridge.task_actions import TaskStatus

logger = logging.getLogger(__name__)
SWEEP_BATCH = 1000
REQUEUE_GRACE = timedelta(seconds=10)
# While a drain job is queued and not yet started, further wake-ups need not add another.
WAKE_TTL_SECONDS = 5


def wake_key(namespace: str) -> str:
    return f"{namespace}:bridge:wake"


def drain_sync_tasks() -> int:
    """Job: start every sync task that can run now (inside the worker's app context)."""
    ctx: BridgeContext = current_app.extensions["bridge"]
    ctx.redis.delete(wake_key(ctx.namespace))
    return len(drain(ctx))


def make_enqueue(queue: Queue, client: redis.Redis, namespace: str) -> Enqueue:
    def enqueue(task_id: str, when: datetime | None) -> None:
        # The task id is not needed: a drain finds every due task in the database.
        if when is not None and when > utcnow():
            queue.enqueue_at(when, drain_sync_tasks, result_ttl=0, failure_ttl=86400)
        elif client.set(wake_key(namespace), "1", nx=True, ex=WAKE_TTL_SECONDS):
            queue.enqueue(drain_sync_tasks, result_ttl=0, failure_ttl=86400)

    return enqueue


def requeue_due_tasks(ctx: BridgeContext) -> int:
    """Pending tasks due for a while and not leased: their wake-up was lost (Redis flushed,
    worker killed). Wake the workers again."""
    now = utcnow()
    with ctx.database.transaction() as db:
        ids = list(
            db.scalars(
                select(SyncTask.id)
                .where(
                    SyncTask.status == TaskStatus.PENDING,
                    SyncTask.next_attempt_at <= now - REQUEUE_GRACE,
                    or_(SyncTask.lease_until.is_(None), SyncTask.lease_until < now),
                )
                .order_by(SyncTask.next_attempt_at)
                .limit(SWEEP_BATCH)
            )
        )
    if ids:
        ctx.enqueue(ids[0], None)
    return len(ids)


def bridge_sweeps(app: Flask) -> list[Callable[[], int]]:
    ctx: BridgeContext = app.extensions["bridge"]
    return [lambda: requeue_due_tasks(ctx), lambda: reconcile_unpaid_orders(ctx)]
