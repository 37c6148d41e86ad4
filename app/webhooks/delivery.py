"""Delivery attempts in batches: claim due rows, POST them concurrently, record every attempt.

A claim is a lease on the row, so two workers never attempt one delivery at once and a
worker killed mid-attempt only delays the delivery until its lease runs out. Batching keeps
the database and queue cost per delivery small: one claim and one record transaction for
many deliveries, whose HTTP requests run in parallel.

A batch never waits past its deadline (four fifths of the lease). Each request has its own
wall-clock deadline, cut to end by the batch's; a request starts only while at least half
its deadline is left (the others are released: due again at once, no attempt counted). At
the batch's deadline whatever still runs (stuck outside any socket, say in a name lookup) is
recorded as timed out and abandoned: its thread's eventual result is never read. Outcomes
are recorded only for rows the batch still leases, so nothing is applied twice even if the
lease was lost.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from datetime import datetime, timedelta

import urllib3
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.crypto import DecryptionError, SecretBox
from app.db import Database
from app.models import DeliveryAttempt, Event, EventDelivery, WebhookEndpoint
from app.models.base import utcnow
from app.payments.shops import signing_secrets
from app.webhooks.dispatch import wake_after_commit
from app.webhooks.outbox import DeliveryStatus
from app.webhooks.payload import event_bytes
from app.webhooks.retry_policy import AttemptResult, Decision, NextStep, decide
from app.webhooks.signing import SigningError, build_signature_headers
from app.webhooks.target_guard import Resolver
from app.webhooks.transport import (
    REQUEST_TIMEOUT_SECONDS,
    AttemptOutcome,
    PreparedRequest,
    send,
    timed_out,
)

logger = logging.getLogger(__name__)
DEFAULT_LEASE = timedelta(seconds=30)
BATCH_SIZE = 50
MAX_PARALLEL_REQUESTS = 16
MAX_RETRIES_PER_ENDPOINT = 4
# The part of its lease a batch may spend sending; the rest is for recording the outcomes.
BATCH_SHARE_OF_LEASE = 0.8
# An attempt cut short by its deadline is recorded with this outcome (and retried).
TIMEOUT_OUTCOME = "timeout"
USER_AGENT = "KoreaCheckout-Webhooks/1.0"
STATUS_AFTER = {
    NextStep.DELIVERED: DeliveryStatus.SUCCEEDED,
    NextStep.RETRY: DeliveryStatus.PENDING,
    NextStep.FAILED: DeliveryStatus.FAILED,
    NextStep.DEAD: DeliveryStatus.DEAD,
    NextStep.DISABLE_ENDPOINT: DeliveryStatus.DISABLED,
}


def _due(now: datetime) -> list[object]:
    return [
        EventDelivery.status == DeliveryStatus.PENDING,
        EventDelivery.next_attempt_at <= now,
        or_(EventDelivery.lease_until.is_(None), EventDelivery.lease_until <= now),
    ]


def _claim(
    db: Session,
    box: SecretBox,
    now: datetime,
    lease: timedelta,
    ids: Sequence[str] | None,
    limit: int,
) -> list[PreparedRequest]:
    query = select(EventDelivery).where(*_due(now))  # type: ignore[arg-type]
    if ids is not None:
        query = query.where(EventDelivery.id.in_(ids))
    query = query.order_by(EventDelivery.next_attempt_at).limit(limit)
    deliveries = _fair_share(db.scalars(query.with_for_update(skip_locked=True)))
    if not deliveries:
        return []
    events = {
        e.id: e
        for e in db.scalars(select(Event).where(Event.id.in_({d.event_id for d in deliveries})))
    }
    endpoints = {
        e.id: e
        for e in db.scalars(
            select(WebhookEndpoint).where(
                WebhookEndpoint.id.in_({d.endpoint_id for d in deliveries})
            )
        )
    }
    attempt_counts = db.execute(
        select(DeliveryAttempt.delivery_id, func.max(DeliveryAttempt.attempt_number))
        .where(DeliveryAttempt.delivery_id.in_([d.id for d in deliveries]))
        .group_by(DeliveryAttempt.delivery_id)
    )
    previous: dict[str, int] = {row[0]: row[1] for row in attempt_counts}
    prepared = []
    for delivery in deliveries:
        delivery.lease_until = now + lease
        event = events[delivery.event_id]
        endpoint = endpoints[delivery.endpoint_id]
        body = event_bytes(event)
        request = PreparedRequest(
            delivery_id=delivery.id,
            url=endpoint.url,
            mode=event.mode,
            body=body,
            attempt_number=previous.get(delivery.id, 0) + 1,
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT},
        )
        try:
            active = _signing_secrets(db, box, delivery, endpoint, now)
            signed = build_signature_headers(event.id, body, int(now.timestamp()), active)
        except (DecryptionError, SigningError) as exc:
            # Only this delivery fails (an attempt on record, retried on schedule); the
            # batch and every other shop's deliveries go on.
            logger.warning(
                "webhook signing secret unusable",
                extra={"delivery_id": delivery.id, "endpoint_id": endpoint.id, "reason": str(exc)},
            )
            error = f"signing secret unusable: {exc}"
            _apply(db, delivery, request, AttemptOutcome(None, 0, None, error, None), now, now)
            continue
        prepared.append(replace(request, headers={**signed, **request.headers}))
    return prepared


def _signing_secrets(
    db: Session, box: SecretBox, delivery: EventDelivery, endpoint: WebhookEndpoint, now: datetime
) -> list[str]:
    """The secrets that sign a delivery: the endpoint's own when its receiver registered
    one (app/webhooks/endpoints.py), else the shop's. Decrypted per delivery, so one
    undecryptable stored secret fails only the deliveries it signs."""
    if endpoint.encrypted_secret is not None:
        return [box.decrypt(endpoint.encrypted_secret)]
    return signing_secrets(db, box, delivery.shop_id, now)


def _fair_share(rows: Iterable[EventDelivery]) -> list[EventDelivery]:
    """At most MAX_RETRIES_PER_ENDPOINT retries of one endpoint per batch: a receiver that
    is failing or timing out then holds up a few of its own requests, not a whole batch of
    other merchants' events. First attempts are not limited, so a healthy receiver with a
    burst of events gets full batches."""
    retries: Counter[str] = Counter()
    kept = []
    for delivery in rows:
        if delivery.attempts:
            retries[delivery.endpoint_id] += 1
            if retries[delivery.endpoint_id] > MAX_RETRIES_PER_ENDPOINT:
                continue
        kept.append(delivery)
    return kept


def _decision(attempts: int, outcome: AttemptOutcome, now: datetime) -> Decision:
    if outcome.refused:
        return Decision(NextStep.FAILED, AttemptResult.NON_RETRYABLE)
    return decide(attempts, outcome.status_code, now=now, retry_after_header=outcome.retry_after)


def _apply(
    db: Session,
    delivery: EventDelivery,
    prepared: PreparedRequest,
    outcome: AttemptOutcome,
    started_at: datetime,
    now: datetime,
) -> Decision:
    delivery.attempts += 1
    decision = _decision(delivery.attempts, outcome, now)
    db.add(
        DeliveryAttempt(
            delivery_id=delivery.id,
            attempt_number=prepared.attempt_number,
            started_at=started_at,
            duration_ms=outcome.duration_ms,
            status_code=outcome.status_code,
            outcome=TIMEOUT_OUTCOME if outcome.timed_out else decision.step,
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
        wake_after_commit(db, delivery.next_attempt_at)
    elif decision.step is NextStep.DISABLE_ENDPOINT:
        _disable_endpoint(db, delivery.endpoint_id, now)
    return decision


def _record(
    db: Session,
    results: list[tuple[PreparedRequest, AttemptOutcome]],
    lease_until: datetime,
    started_at: datetime,
    now: datetime,
) -> dict[str, Decision]:
    """Apply the outcomes to the rows this batch still leases (a row whose lease ran out may
    have been claimed again: its new holder records that attempt, not us)."""
    ids = [prepared.delivery_id for prepared, _ in results]
    rows = {
        d.id: d
        for d in db.scalars(
            select(EventDelivery)
            .where(
                EventDelivery.id.in_(ids),
                EventDelivery.status == DeliveryStatus.PENDING,
                EventDelivery.lease_until == lease_until,
            )
            .order_by(EventDelivery.id)
            .with_for_update()
        )
    }
    return {
        prepared.delivery_id: _apply(
            db, rows[prepared.delivery_id], prepared, outcome, started_at, now
        )
        for prepared, outcome in results
        if prepared.delivery_id in rows
    }


def _release(db: Session, ids: list[str], lease_until: datetime) -> None:
    """Requests the batch had no time to start: due again at once, no attempt counted."""
    db.execute(
        update(EventDelivery)
        .where(EventDelivery.id.in_(ids), EventDelivery.lease_until == lease_until)
        .values(lease_until=None)
    )


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


def _interleaved(requests: list[PreparedRequest]) -> list[PreparedRequest]:
    """One request per target in turn: the first round of parallel requests reaches as many
    receivers as it can, so a receiver with many events (slow, say) goes out alongside the
    others instead of before them."""
    by_target: dict[str, list[PreparedRequest]] = {}
    for prepared in requests:
        by_target.setdefault(prepared.url, []).append(prepared)
    queues = list(by_target.values())
    return [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)]


def _send_all(
    claimed: list[PreparedRequest],
    send_one: Callable[[PreparedRequest, float], AttemptOutcome],
    timeout: float,
    batch_seconds: float,
) -> tuple[list[tuple[PreparedRequest, AttemptOutcome]], list[PreparedRequest]]:
    """Send `claimed`, MAX_PARALLEL_REQUESTS at a time, until the batch's deadline: (the
    attempts with their outcomes, the requests never started)."""
    started = time.monotonic()
    batch_end = started + batch_seconds

    def attempt(prepared: PreparedRequest) -> AttemptOutcome | None:
        left = batch_end - time.monotonic()
        # Start only with at least half a request deadline left (the first round always
        # has it), and end by the batch's deadline.
        if left < min(timeout, batch_seconds) / 2:
            return None
        return send_one(prepared, min(timeout, left))

    pool = ThreadPoolExecutor(max_workers=min(len(claimed), MAX_PARALLEL_REQUESTS))
    futures = {p.delivery_id: pool.submit(attempt, p) for p in _interleaved(claimed)}
    wait(futures.values(), timeout=batch_seconds)
    # Never wait for a straggler: its thread ends on its own, and its result is not read.
    pool.shutdown(wait=False, cancel_futures=True)
    elapsed = int((time.monotonic() - started) * 1000)
    attempts, unstarted = [], []
    for prepared in claimed:
        future = futures[prepared.delivery_id]
        if future.cancelled():
            unstarted.append(prepared)
        elif not future.done():
            attempts.append((prepared, timed_out(elapsed)))
        elif (outcome := future.result()) is None:
            unstarted.append(prepared)
        else:
            attempts.append((prepared, outcome))
    return attempts, unstarted


def deliver_batch(
    database: Database,
    box: SecretBox,
    http: urllib3.PoolManager,
    *,
    ids: Sequence[str] | None = None,
    limit: int = BATCH_SIZE,
    clock: Callable[[], datetime] = utcnow,
    resolver: Resolver | None = None,
    lease: timedelta = DEFAULT_LEASE,
    allow_loopback: bool = True,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
) -> dict[str, Decision]:
    """Attempt up to `limit` due, unleased deliveries (only `ids`, if given), each request
    ending by `timeout` seconds and the batch by its deadline."""
    started_at = clock()
    with database.transaction() as db:
        claimed = _claim(db, box, started_at, lease, ids, limit)
    if not claimed:
        return {}

    def send_one(prepared: PreparedRequest, seconds: float) -> AttemptOutcome:
        return send(http, prepared, resolver, allow_loopback, seconds)

    attempts, unstarted = _send_all(
        claimed, send_one, timeout, lease.total_seconds() * BATCH_SHARE_OF_LEASE
    )
    lease_until = started_at + lease
    with database.transaction() as db:
        decisions = _record(db, attempts, lease_until, started_at, clock())
        if unstarted:
            _release(db, [p.delivery_id for p in unstarted], lease_until)
    logger.info("webhook attempts", extra={"count": len(decisions), "released": len(unstarted)})
    return decisions


def attempt_delivery(
    database: Database,
    box: SecretBox,
    http: urllib3.PoolManager,
    delivery_id: str,
    *,
    clock: Callable[[], datetime] = utcnow,
    resolver: Resolver | None = None,
    lease: timedelta = DEFAULT_LEASE,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
) -> Decision | None:
    """One attempt of one delivery if it is due and free; None when there was nothing to do."""
    decisions = deliver_batch(
        database,
        box,
        http,
        ids=[delivery_id],
        limit=1,
        clock=clock,
        resolver=resolver,
        lease=lease,
        timeout=timeout,
    )
    return decisions.get(delivery_id)


def deliver_due(
    database: Database,
    box: SecretBox,
    http: urllib3.PoolManager,
    *,
    lease: timedelta = DEFAULT_LEASE,
    allow_loopback: bool = True,
    max_batches: int = 100,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
) -> int:
    """Drain what is due now, a batch at a time; returns how many attempts were made."""
    total = 0
    for _ in range(max_batches):
        batch = deliver_batch(
            database, box, http, lease=lease, allow_loopback=allow_loopback, timeout=timeout
        )
        done = len(batch)
        total += done
        if done < BATCH_SIZE:
            break
    return total
