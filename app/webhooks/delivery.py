"""One delivery attempt: claim the row, POST the signed event, record the attempt, decide.

The claim is a lease on the row, so two workers never attempt one delivery at once and a
worker killed mid-attempt only delays the delivery until its lease runs out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.crypto import SecretBox
from app.db import Database
from app.models import DeliveryAttempt, Event, EventDelivery, WebhookEndpoint
from app.models.base import utcnow
from app.payments.shops import signing_secrets
from app.webhooks.dispatch import schedule_retry
from app.webhooks.outbox import DeliveryStatus
from app.webhooks.payload import event_bytes
from app.webhooks.retry_policy import AttemptResult, Decision, NextStep, decide
from app.webhooks.signing import build_signature_headers
from app.webhooks.target_guard import RefusalReason, Resolver, check_target

logger = logging.getLogger(__name__)
REQUEST_TIMEOUT_SECONDS = 10
DEFAULT_LEASE = timedelta(seconds=30)
EXCERPT_BYTES = 2048
USER_AGENT = "KoreaCheckout-Webhooks/1.0"
STATUS_AFTER = {
    NextStep.DELIVERED: DeliveryStatus.SUCCEEDED,
    NextStep.RETRY: DeliveryStatus.PENDING,
    NextStep.FAILED: DeliveryStatus.FAILED,
    NextStep.DEAD: DeliveryStatus.DEAD,
    NextStep.DISABLE_ENDPOINT: DeliveryStatus.DISABLED,
}


@dataclass(frozen=True)
class PreparedRequest:
    url: str
    mode: str
    body: bytes
    headers: dict[str, str]
    attempt_number: int


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    duration_ms: int
    excerpt: str | None
    error: str | None
    retry_after: str | None
    # The SSRF guard refused the target: retrying will not make it acceptable.
    refused: bool = False


def _claim(
    db: Session, box: SecretBox, delivery_id: str, now: datetime, lease: timedelta
) -> PreparedRequest | None:
    delivery = db.scalars(
        select(EventDelivery)
        .where(EventDelivery.id == delivery_id)
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if (
        delivery is None
        or delivery.status != DeliveryStatus.PENDING
        or delivery.next_attempt_at is None
        or delivery.next_attempt_at > now
        or (delivery.lease_until is not None and delivery.lease_until > now)
    ):
        return None
    delivery.lease_until = now + lease
    event = db.get_one(Event, delivery.event_id)
    endpoint = db.get_one(WebhookEndpoint, delivery.endpoint_id)
    body = event_bytes(event)
    secrets_now = signing_secrets(db, box, delivery.shop_id, now)
    headers = build_signature_headers(event.id, body, int(now.timestamp()), secrets_now)
    previous = db.scalar(
        select(DeliveryAttempt.attempt_number)
        .where(DeliveryAttempt.delivery_id == delivery.id)
        .order_by(DeliveryAttempt.attempt_number.desc())
        .limit(1)
    )
    return PreparedRequest(
        url=endpoint.url,
        mode=event.mode,
        body=body,
        attempt_number=(previous or 0) + 1,
        headers={
            **headers,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
        },
    )


def _send(
    http: requests.Session, prepared: PreparedRequest, resolver: Resolver | None
) -> AttemptOutcome:
    started = time.monotonic()
    guard = check_target(prepared.url, prepared.mode, resolver)
    if not guard.allowed:
        refused = guard.reason is not RefusalReason.RESOLUTION_FAILED
        return AttemptOutcome(None, 0, None, f"target refused: {guard.reason}", None, refused)
    try:
        with http.post(
            prepared.url,
            data=prepared.body,
            headers=prepared.headers,
            timeout=REQUEST_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        ) as response:
            raw = response.raw.read(EXCERPT_BYTES, decode_content=True) or b""
            excerpt = raw.decode("utf-8", errors="replace")
            elapsed = int((time.monotonic() - started) * 1000)
            return AttemptOutcome(
                response.status_code, elapsed, excerpt, None, response.headers.get("Retry-After")
            )
    except requests.RequestException as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return AttemptOutcome(None, elapsed, None, type(exc).__name__, None)


def _decision(delivery: EventDelivery, outcome: AttemptOutcome, now: datetime) -> Decision:
    if outcome.refused:
        return Decision(NextStep.FAILED, AttemptResult.NON_RETRYABLE)
    return decide(
        delivery.attempts, outcome.status_code, now=now, retry_after_header=outcome.retry_after
    )


def _record(
    db: Session,
    delivery_id: str,
    prepared: PreparedRequest,
    outcome: AttemptOutcome,
    started_at: datetime,
    now: datetime,
) -> Decision:
    delivery = db.scalars(
        select(EventDelivery).where(EventDelivery.id == delivery_id).with_for_update()
    ).one()
    delivery.attempts += 1
    decision = _decision(delivery, outcome, now)
    db.add(
        DeliveryAttempt(
            delivery_id=delivery.id,
            attempt_number=prepared.attempt_number,
            started_at=started_at,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            outcome=decision.step,
            response_excerpt=outcome.excerpt,
            error=outcome.error,
        )
    )
    delivery.status = STATUS_AFTER[decision.step]
    delivery.lease_until = None
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    delivery.updated_at = now
    delivery.next_attempt_at = None
    if decision.step is NextStep.DELIVERED:
        delivery.delivered_at = now
    elif decision.step is NextStep.RETRY and decision.delay is not None:
        delivery.next_attempt_at = now + decision.delay
        schedule_retry(db, delivery.id, delivery.next_attempt_at)
    elif decision.step is NextStep.DISABLE_ENDPOINT:
        _disable_endpoint(db, delivery.endpoint_id, now)
    return decision


def _disable_endpoint(db: Session, endpoint_id: str, now: datetime) -> None:
    endpoint = db.get_one(WebhookEndpoint, endpoint_id)
    endpoint.disabled_at = now
    endpoint.disabled_reason = "410 Gone"
    db.execute(
        update(EventDelivery)
        .where(
            EventDelivery.endpoint_id == endpoint_id, EventDelivery.status == DeliveryStatus.PENDING
        )
        .values(status=DeliveryStatus.DISABLED, next_attempt_at=None, updated_at=now)
    )


def attempt_delivery(
    database: Database,
    box: SecretBox,
    http: requests.Session,
    delivery_id: str,
    *,
    clock: Callable[[], datetime] = utcnow,
    resolver: Resolver | None = None,
    lease: timedelta = DEFAULT_LEASE,
) -> Decision | None:
    """Make one attempt if the delivery is due and free; None when there was nothing to do."""
    started_at = clock()
    with database.transaction() as db:
        prepared = _claim(db, box, delivery_id, started_at, lease)
    if prepared is None:
        return None
    outcome = _send(http, prepared, resolver)
    with database.transaction() as db:
        decision = _record(db, delivery_id, prepared, outcome, started_at, clock())
    logger.info(
        "webhook attempt",
        extra={
            "delivery_id": delivery_id,
            "status_code": outcome.status_code,
            "step": str(decision.step),
        },
    )
    return decision
