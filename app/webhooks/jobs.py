"""RQ jobs and the sweep for webhook deliveries. Jobs carry only the delivery id."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from flask import Flask, current_app
from rq import Queue
from sqlalchemy import or_, select

from app.db import Database
from app.models import EventDelivery
from app.models.base import utcnow
from app.settings import Settings
from app.webhooks.delivery import attempt_delivery
from app.webhooks.outbox import DeliveryStatus

logger = logging.getLogger(__name__)
SWEEP_BATCH = 1000


def deliver_event(delivery_id: str) -> str:
    """Job: one attempt of one delivery (runs inside the worker's app context)."""
    app = current_app
    decision = attempt_delivery(
        app.extensions["kc.database"],
        app.extensions["kc.secret_box"],
        app.extensions["kc.http"],
        delivery_id,
    )
    return "skipped" if decision is None else str(decision.step)


def enqueue_delivery(queue: Queue, namespace: str, delivery_id: str, when: datetime | None) -> None:
    # One job id per delivery: a duplicate enqueue replaces rather than adds (RQ allows only
    # letters, digits, "-" and "_" in ids).
    job_id = re.sub(r"[^A-Za-z0-9_-]", "-", f"{namespace}-deliver-{delivery_id}")
    if when is None:
        queue.enqueue(deliver_event, delivery_id, job_id=job_id, result_ttl=0, failure_ttl=86400)
    else:
        queue.enqueue_at(
            when, deliver_event, delivery_id, job_id=job_id, result_ttl=0, failure_ttl=86400
        )


def due_delivery_ids(database: Database, now: datetime, grace: timedelta) -> list[str]:
    """Deliveries due for longer than `grace` and not leased: their job was lost."""
    with database.transaction() as db:
        return list(
            db.scalars(
                select(EventDelivery.id)
                .where(
                    EventDelivery.status == DeliveryStatus.PENDING,
                    EventDelivery.next_attempt_at <= now - grace,
                    or_(EventDelivery.lease_until.is_(None), EventDelivery.lease_until < now),
                )
                .order_by(EventDelivery.next_attempt_at)
                .limit(SWEEP_BATCH)
            )
        )


def requeue_due_deliveries(app: Flask) -> int:
    settings: Settings = app.extensions["kc.settings"]
    # A healthy queue runs a due delivery within moments; give it two sweep intervals.
    grace = timedelta(seconds=2 * settings.sweep_interval_seconds)
    ids = due_delivery_ids(app.extensions["kc.database"], utcnow(), grace)
    enqueue = app.extensions["kc.enqueue_delivery"]
    for delivery_id in ids:
        enqueue(delivery_id, None)
    return len(ids)
