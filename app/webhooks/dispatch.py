"""Wakes the delivery workers after the transaction that made deliveries due commits.

A failed wake-up loses nothing: the rows are in the database and the sweep wakes the
workers for anything overdue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)
WAKE_TIMES_KEY = "kc.delivery_wake_times"

# Wakes the delivery workers now (None) or at a time (a scheduled retry).
Wake = Callable[[datetime | None], None]


def wake_after_commit(db: Session, when: datetime | None = None) -> None:
    """Ask for a wake-up once `db` commits: now, or (for a retry) at `when`, rounded up to
    the second so retries due together share one job."""
    if when is not None:
        when = when.replace(microsecond=0) + timedelta(seconds=1)
    db.info.setdefault(WAKE_TIMES_KEY, set()).add(when)


def install_dispatch(session_factory: sessionmaker[Session], wake: Wake) -> None:
    @event.listens_for(session_factory, "after_commit")
    def _after_commit(session: Session) -> None:
        for when in session.info.pop(WAKE_TIMES_KEY, set()):
            try:
                wake(when)
            except Exception:
                logger.warning("wake-up failed; the sweep will catch up", exc_info=True)

    @event.listens_for(session_factory, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(WAKE_TIMES_KEY, None)
