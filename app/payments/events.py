"""Recording events in the outbox, inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from app.models import CheckoutSession, Event, EventDelivery, WebhookEndpoint
from app.payments.errors import NotFound
from app.payments.ids import IdPrefix, new_id
from app.payments.tenancy import Tenant
from app.webhooks.outbox import plan_deliveries, reschedule


class EventType(StrEnum):
    PAYMENT_COMPLETED = "payment.completed"
    PAYMENT_FAILED = "payment.failed"
    PAYMENT_REFUNDED = "payment.refunded"
    PAYMENT_CANCELLED = "payment.cancelled"
    SESSION_EXPIRED = "session.expired"
    VIRTUAL_ACCOUNT_ISSUED = "virtual_account.issued"
    SESSION_ADDRESS_UPDATED = "session.address_updated"


#: Kept in the account's event log (GET /api/events) but never sent as a webhook: not one of
#: the documented webhook events, and receivers are not expected to know it.
RECORD_ONLY = frozenset({EventType.SESSION_ADDRESS_UPDATED})


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
    db.flush()
    if event_type not in RECORD_ONLY:
        plan_deliveries(db, event, session, now)
    return event


class EventNotFound(NotFound):
    code = "event_not_found"
    message = "No such event"

    def __init__(self, event_id: str) -> None:
        super().__init__(details={"eventId": event_id, "field": "eventId"})


def get_event(db: Session, tenant: Tenant, event_id: str) -> Event:
    event = db.get(Event, event_id)
    if event is None or event.account_id != tenant.account_id or event.mode != tenant.mode:
        raise EventNotFound(event_id)
    return event


def list_events(
    db: Session,
    tenant: Tenant,
    *,
    event_type: str | None,
    session_id: str | None,
    limit: int,
    before: tuple[datetime, str] | None,
) -> list[Event]:
    query = select(Event).where(Event.account_id == tenant.account_id, Event.mode == tenant.mode)
    if event_type is not None:
        query = query.where(Event.type == event_type)
    if session_id is not None:
        query = query.where(Event.session_id == session_id)
    if before is not None:
        query = query.where(tuple_(Event.created_at, Event.id) < tuple_(*before))
    order = (Event.created_at.desc(), Event.id.desc())
    return list(db.scalars(query.order_by(*order).limit(limit)))


def deliveries_by_event(
    db: Session, event_ids: list[str]
) -> dict[str, list[tuple[EventDelivery, WebhookEndpoint]]]:
    """Every delivery of these events with its endpoint, in one query."""
    rows = db.execute(
        select(EventDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == EventDelivery.endpoint_id)
        .where(EventDelivery.event_id.in_(event_ids))
        .order_by(EventDelivery.created_at)
    )
    found: dict[str, list[tuple[EventDelivery, WebhookEndpoint]]] = {i: [] for i in event_ids}
    for delivery, endpoint in rows:
        found[delivery.event_id].append((delivery, endpoint))
    return found


def redeliver_event(db: Session, tenant: Tenant, event_id: str, now: datetime) -> Event:
    """Start a fresh schedule for every delivery of the event (re-enabling its endpoint),
    or plan one if the event had none (e.g. a webhook URL was configured afterwards)."""
    event = get_event(db, tenant, event_id)
    deliveries = deliveries_by_event(db, [event.id])[event.id]
    if not deliveries and event.session_id is not None and event.type not in RECORD_ONLY:
        session = db.get_one(CheckoutSession, event.session_id)
        plan_deliveries(db, event, session, now)
        return event
    for delivery, endpoint in deliveries:
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
        reschedule(db, delivery, now)
    return event
