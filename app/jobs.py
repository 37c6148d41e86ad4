"""RQ queues and the periodic sweeps run by the worker processes.

Each kind of work has its own queue, served by its own worker process (`flask --app app
worker` starts one per queue): a flood of slow webhook deliveries never waits in front of a
store sync, nor the other way round, as it would behind one worker listening to both.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

import redis
from flask import Flask
from rq import Queue

from app.db import Database
from app.models.base import utcnow
from app.payments.money_sweeps import sweep_pending_money
from app.payments.sessions import expire_overdue_sessions
from app.settings import Settings
from app.webhooks.dispatch import install_dispatch
from app.webhooks.jobs import wake_for_overdue_deliveries, wake_workers
from bridge.jobs import bridge_sweeps

logger = logging.getLogger(__name__)
SWEEP_BATCH = 200


class QueueName(StrEnum):
    WEBHOOKS = "webhooks"
    BRIDGE = "bridge"


# Worker processes per queue under `flask --app app worker`. A delivery batch waits for its
# slowest receiver (up to the request deadline), so a second webhooks worker takes the
# deliveries committed meanwhile: one tenant's slow receiver does not hold up the others'
# events. A bridge drain returns at once (its syncs run in a pool), so one worker suffices.
WORKER_PROCESSES = {QueueName.WEBHOOKS: 2, QueueName.BRIDGE: 1}


def queue_name(settings: Settings, name: QueueName) -> str:
    return f"{settings.redis_namespace}-{name}"


def job_queue(app: Flask, name: QueueName) -> Queue:
    settings: Settings = app.extensions["kc.settings"]
    return Queue(queue_name(settings, name), connection=app.extensions["kc.redis"])


def bridge_queue(app: Flask) -> Queue:
    return job_queue(app, QueueName.BRIDGE)


def wire_webhook_dispatch(app: Flask) -> None:
    """Deliveries committed by this app wake the delivery workers right after the commit."""
    settings: Settings = app.extensions["kc.settings"]
    queue = job_queue(app, QueueName.WEBHOOKS)
    client: redis.Redis = app.extensions["kc.redis"]

    def wake(when: datetime | None) -> None:
        wake_workers(queue, client, settings.redis_namespace, when)

    app.extensions["kc.wake_delivery_workers"] = wake
    install_dispatch(app.extensions["kc.database"].session_factory, wake)


def sweep_expired_sessions(database: Database) -> int:
    """Expire every overdue session, a batch per transaction; returns how many expired."""
    total = 0
    while True:
        with database.transaction() as session:
            expired = expire_overdue_sessions(session, utcnow(), SWEEP_BATCH)
        total += expired
        if expired < SWEEP_BATCH:
            return total


def _sweeps(app: Flask) -> list[Callable[[], int]]:
    database: Database = app.extensions["kc.database"]
    return [
        lambda: sweep_expired_sessions(database),
        lambda: sweep_pending_money(
            database.session_factory, app.extensions["kc.gateways"], utcnow()
        ),
        lambda: wake_for_overdue_deliveries(app),
        *bridge_sweeps(app),
    ]


def run_sweeps_once(app: Flask) -> None:
    """One round of sweeps, by one worker at a time across machines (a Redis lease)."""
    settings: Settings = app.extensions["kc.settings"]
    client: redis.Redis = app.extensions["kc.redis"]
    lease = f"{settings.redis_namespace}:sweep-lease"
    if not client.set(lease, "1", nx=True, ex=max(1, settings.sweep_interval_seconds - 1)):
        return
    for sweep in _sweeps(app):
        try:
            done = sweep()
            if done:
                logger.info("sweep finished", extra={"count": done})
        except Exception:
            # One failing sweep must not stop the others or the worker; it runs again soon.
            logger.exception("sweep failed")


def run_sweeps_forever(app: Flask, stop: threading.Event) -> None:
    settings: Settings = app.extensions["kc.settings"]
    while not stop.is_set():
        try:
            run_sweeps_once(app)
        except redis.RedisError:
            logger.warning("sweep skipped: redis unreachable", exc_info=True)
        stop.wait(settings.sweep_interval_seconds)
