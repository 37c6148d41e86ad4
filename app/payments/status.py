"""The session status machine: the only place a session's status changes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from app.payments.errors import InvalidState

if TYPE_CHECKING:
    from app.models import CheckoutSession


class SessionStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


S = SessionStatus
# DESIGN.md: pending -> processing -> completed | failed | cancelled; pending|processing ->
# expired; completed -> partially_refunded -> refunded. A customer may also cancel before any
# payment attempt (pending -> cancelled), and a second partial refund keeps
# partially_refunded; completed -> refunded is a full refund in one step.
ALLOWED_TRANSITIONS: dict[SessionStatus, frozenset[SessionStatus]] = {
    S.PENDING: frozenset({S.PROCESSING, S.CANCELLED, S.EXPIRED}),
    S.PROCESSING: frozenset({S.COMPLETED, S.FAILED, S.CANCELLED, S.EXPIRED}),
    S.COMPLETED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
    S.REFUNDED: frozenset(),
}
OPEN_STATUSES = frozenset({S.PENDING, S.PROCESSING})
TIMESTAMP_FIELD = {
    S.COMPLETED: "completed_at",
    S.CANCELLED: "cancelled_at",
    S.EXPIRED: "expired_at",
}


def can_transition(current: SessionStatus, target: SessionStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[current]


def transition(session: CheckoutSession, target: SessionStatus, now: datetime) -> None:
    current = SessionStatus(session.status)
    if not can_transition(current, target):
        raise InvalidState(
            f"A {current} session cannot become {target}",
            details={"sessionId": session.id, "status": str(current), "requested": str(target)},
        )
    session.status = target
    session.updated_at = now
    field = TIMESTAMP_FIELD.get(target)
    if field is not None:
        setattr(session, field, now)


def is_open(session: CheckoutSession) -> bool:
    return SessionStatus(session.status) in OPEN_STATUSES


class RefundState(StrEnum):
    #: Recorded; the gateway's answer is not known yet.
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    #: The gateway accepted it and pays it out later.
    PROCESSING = "processing"
    #: The gateway refused it; nothing was refunded.
    FAILED = "failed"
