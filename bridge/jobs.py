"""RQ jobs and sweeps of the bridge. Jobs carry only a task id; the database is the truth."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from rq import Queue
from sqlalchemy import or_, select

from app.models.base import utcnow
from bridge.context import BridgeContext, Enqueue
from bridge.models import SyncTask
from bridge.reconcile import reconcile_unpaid_orders
from bridge.sync import run_task
from bridge.task_actions import TaskStatus

logger = logging.getLogger(__name__)
SWEEP_BATCH = 1000
REQUEUE_GRACE = timedelta(seconds=10)


def push_order_sync(task_id: str) -> str:
    """Job: one attempt of one sync task (runs inside the worker's app context)."""
    ctx: BridgeContext = current_app.extensions["bridge"]
    return run_task(ctx, task_id)


def make_enqueue(queue: Queue, namespace: str) -> Enqueue:
    def enqueue(task_id: str, when: datetime | None) -> None:
        # One job id per task: a second enqueue replaces the first instead of adding a job.
        job_id = re.sub(r"[^A-Za-z0-9_-]", "-", f"{namespace}-bridge-sync-{task_id}")
        if when is None or when <= utcnow():
            queue.enqueue(push_order_sync, task_id, job_id=job_id, result_ttl=0, failure_ttl=86400)
        else:
            queue.enqueue_at(
                when, push_order_sync, task_id, job_id=job_id, result_ttl=0, failure_ttl=86400
            )

    return enqueue


def requeue_due_tasks(ctx: BridgeContext) -> int:
    """Pending tasks due for a while and not leased: their job was lost (Redis flushed,
    worker killed). Enqueue them again."""
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
    for task_id in ids:
        ctx.enqueue(task_id, None)
    return len(ids)


def bridge_sweeps(app: Flask) -> list[Callable[[], int]]:
    ctx: BridgeContext = app.extensions["bridge"]
    return [lambda: requeue_due_tasks(ctx), lambda: reconcile_unpaid_orders(ctx)]
