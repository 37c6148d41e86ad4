"""RQ jobs and the sweep for webhook deliveries.

Jobs carry no payload: a `drain_deliveries` job attempts whatever is due in the database,
so a burst of commits wakes the workers once instead of once per event, and a lost job
loses nothing (the sweep wakes them again).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import redis
from flask import Flask, current_app
from rq import Queue
from sqlalchemy import or_, select

from app.db import Database
from app.models import EventDelivery
from app.models.base import utcnow
from app.settings import Settings
from app.webhooks.delivery import deliver_due
from app.webhooks.outbox import DeliveryStatus

logger = logging.getLogger(__name__)
# While a drain job is queued and not yet started, further commits need not add another.
WAKE_TTL_SECONDS = 5


def wake_key(namespace: str) -> str:
    return f"{namespace}:deliveries:wake"


def drain_deliveries() -> int:
    """Job: attempt every delivery that is due (runs inside the worker's app context)."""
    app = current_app
    settings: Settings = app.extensions["kc.settings"]
    app.extensions["kc.redis"].delete(wake_key(settings.redis_namespace))
    return deliver_due(
        app.extensions["kc.database"],
        app.extensions["kc.secret_box"],
        app.extensions["kc.http"],
        lease=timedelta(seconds=settings.webhook_lease_seconds),
        allow_loopback=settings.allow_loopback_targets,
    )


def wake_workers(queue: Queue, client: redis.Redis, namespace: str, when: datetime | None) -> None:
    if when is not None:
        queue.enqueue_at(when, drain_deliveries, result_ttl=0, failure_ttl=86400)
    elif client.set(wake_key(namespace), "1", nx=True, ex=WAKE_TTL_SECONDS):
        queue.enqueue(drain_deliveries, result_ttl=0, failure_ttl=86400)


def has_overdue_deliveries(database: Database, now: datetime, grace: timedelta) -> bool:
    """Whether a delivery has been due longer than `grace` without a lease: its wake-up was
    lost (Redis emptied, a worker died before draining)."""
    with database.transaction() as db:
        overdue = db.scalar(
            select(EventDelivery.id)
            .where(
                EventDelivery.status == DeliveryStatus.PENDING,
                EventDelivery.next_attempt_at <= now - grace,
                or_(EventDelivery.lease_until.is_(None), EventDelivery.lease_until < now),
            )
            .limit(1)
        )
    return overdue is not None


def wake_for_overdue_deliveries(app: Flask) -> int:
    settings: Settings = app.extensions["kc.settings"]
    # A healthy queue drains a due delivery within moments; give it two sweep intervals.
    grace = timedelta(seconds=2 * settings.sweep_interval_seconds)
    overdue = has_overdue_deliveries(app.extensions["kc.database"], utcnow(), grace)
    if overdue:
        app.extensions["kc.wake_delivery_workers"](None)
    return int(overdue)
