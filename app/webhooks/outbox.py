"""Planning deliveries for a new event, in the transaction that records the event."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import CheckoutSession, Event, EventDelivery, Shop, WebhookEndpoint
from app.payments.ids import IdPrefix, new_id
from app.payments.upsert import first_or_insert
from app.webhooks.dispatch import wake_after_commit


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD = "dead"
    DISABLED = "disabled"


def endpoint_for(
    db: Session, account_id: str, mode: str, url: str, now: datetime
) -> WebhookEndpoint:
    query = select(WebhookEndpoint).where(
        WebhookEndpoint.account_id == account_id,
        WebhookEndpoint.mode == mode,
        WebhookEndpoint.url == url,
    )
    return first_or_insert(
        db,
        query,
        lambda: WebhookEndpoint(
            id=new_id(IdPrefix.ENDPOINT),
            account_id=account_id,
            mode=mode,
            url=url,
            created_at=now,
        ),
    )


def target_url(session: CheckoutSession, shop: Shop) -> str | None:
    """The session's webhookUrl, else the shop's settings.webhook_url."""
    return session.webhook_url or shop.settings.get("webhook_url")


def schedule_delivery(
    db: Session, event: Event, endpoint: WebhookEndpoint, shop_id: str, now: datetime
) -> EventDelivery:
    delivery = EventDelivery(
        id=new_id(IdPrefix.DELIVERY),
        event_id=event.id,
        endpoint_id=endpoint.id,
        shop_id=shop_id,
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    db.add(delivery)
    # The workers are woken once this commits; the sweep covers a lost wake-up.
    wake_after_commit(db)
    return delivery


def reschedule(db: Session, delivery: EventDelivery, now: datetime) -> None:
    """Due now, with a fresh retry schedule; earlier attempts stay on record."""
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.lease_until = None
    delivery.updated_at = now
    wake_after_commit(db)


def plan_deliveries(
    db: Session, event: Event, session: CheckoutSession, now: datetime
) -> list[EventDelivery]:
    if session.shop_id is None:
        return []
    shop = db.get(Shop, session.shop_id)
    url = target_url(session, shop) if shop is not None else None
    if shop is None or not url:
        return []
    endpoint = endpoint_for(db, session.account_id, session.mode, url, now)
    delivery = schedule_delivery(db, event, endpoint, shop.id, now)
    if endpoint.disabled_at is not None:
        # Kept visible (and redeliverable) rather than silently dropped.
        delivery.status = DeliveryStatus.DISABLED
        delivery.next_attempt_at = None
    return [delivery]
