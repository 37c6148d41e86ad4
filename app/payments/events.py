"""Recording events in the outbox, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.models import CheckoutSession, Event
from app.payments.ids import IdPrefix, new_id


class EventType(StrEnum):
    PAYMENT_COMPLETED = "payment.completed"
    PAYMENT_FAILED = "payment.failed"
    PAYMENT_REFUNDED = "payment.refunded"
    PAYMENT_CANCELLED = "payment.cancelled"
    SESSION_EXPIRED = "session.expired"
    VIRTUAL_ACCOUNT_ISSUED = "virtual_account.issued"


def record_event(
    db: Session,
    session: CheckoutSession,
    event_type: EventType,
    data: dict[str, Any],
    now: datetime,
) -> Event:
    event = Event(
        id=new_id(IdPrefix.EVENT),
        account_id=session.account_id,
        mode=session.mode,
        type=event_type,
        session_id=session.id,
        data=data,
        created_at=now,
    )
    db.add(event)
    return event
