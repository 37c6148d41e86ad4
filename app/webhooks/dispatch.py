"""Hands planned deliveries to the queue after the transaction that created them commits.

A failed enqueue loses nothing: the row is in the database and the sweep re-enqueues it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from app.webhooks.outbox import PENDING_DELIVERIES_KEY

logger = logging.getLogger(__name__)
SCHEDULED_DELIVERIES_KEY = "kc.scheduled_deliveries"

Enqueue = Callable[[str, datetime | None], None]


def schedule_retry(db: Session, delivery_id: str, when: datetime) -> None:
    db.info.setdefault(SCHEDULED_DELIVERIES_KEY, []).append((delivery_id, when))


def install_dispatch(session_factory: sessionmaker[Session], enqueue: Enqueue) -> None:
    @event.listens_for(session_factory, "after_commit")
    def _after_commit(session: Session) -> None:
        due: list[tuple[str, datetime | None]] = [
            (delivery_id, None) for delivery_id in session.info.pop(PENDING_DELIVERIES_KEY, [])
        ]
        due += session.info.pop(SCHEDULED_DELIVERIES_KEY, [])
        for delivery_id, when in due:
            try:
                enqueue(delivery_id, when)
            except Exception:
                logger.warning(
                    "enqueue failed; the sweep will pick the delivery up",
                    extra={"delivery_id": delivery_id},
                    exc_info=True,
                )

    @event.listens_for(session_factory, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(PENDING_DELIVERIES_KEY, None)
        session.info.pop(SCHEDULED_DELIVERIES_KEY, None)
