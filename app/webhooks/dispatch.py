"""Hands planned deliveries to the queue after the transaction that created them commits.

A failed enqueue loses nothing: the row is in the database and the sweep re-enqueues it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from app.webhooks.outbox import PENDING_DELIVERIES_KEY

logger = logging.getLogger(__name__)
SCHEDULED_DELIVERIES_KEY = "kc.scheduled_deliveries"

# Wakes the delivery workers now (None) or at a time (a scheduled retry).
Wake = Callable[[datetime | None], None]


def schedule_retry(db: Session, delivery_id: str, when: datetime) -> None:
    # Rounded up to the second, so retries due together share one wake-up job.
    wake_at = when.replace(microsecond=0) + timedelta(seconds=1)
    db.info.setdefault(SCHEDULED_DELIVERIES_KEY, []).append((delivery_id, wake_at))


def install_dispatch(session_factory: sessionmaker[Session], wake: Wake) -> None:
    @event.listens_for(session_factory, "after_commit")
    def _after_commit(session: Session) -> None:
        times: set[datetime | None] = set()
        if session.info.pop(PENDING_DELIVERIES_KEY, []):
            times.add(None)
        times.update(when for _, when in session.info.pop(SCHEDULED_DELIVERIES_KEY, []))
        for when in times:
            try:
                wake(when)
            except Exception:
                logger.warning("wake-up failed; the sweep will catch up", exc_info=True)

    @event.listens_for(session_factory, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(PENDING_DELIVERIES_KEY, None)
        session.info.pop(SCHEDULED_DELIVERIES_KEY, None)
