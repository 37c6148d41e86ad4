"""When to retry a webhook delivery: pure functions, no clock reads, no database.

The first attempt is immediate; then ``SCHEDULE`` spaces retries over about three days (issue 4),
each delay with +/-20 % jitter so endpoints recovering from an outage are not hit by a thundering
herd. Response classification follows saleor's webhook transport: a 3xx/4xx means the receiver
rejected the request and resending the same bytes will not help, except 408/409/425/429, which
say "later". 410 Gone is the receiver telling us to stop: the endpoint gets disabled.
"""

from __future__ import annotations

import email.utils
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=24),
    timedelta(hours=24),
)
MAX_ATTEMPTS = 1 + len(SCHEDULE)  # the immediate attempt plus one per scheduled retry
JITTER = 0.2
# A receiver may ask for a longer pause, but not one that silently parks an event for weeks.
RETRY_AFTER_CAP = timedelta(hours=24)

_RETRYABLE_CLIENT_ERRORS = frozenset({408, 409, 425, 429})
_GONE = 410


class UniformSource(Protocol):
    """Anything with ``uniform``: ``random.Random(seed)`` in tests, ``SystemRandom`` in prod."""

    def uniform(self, a: float, b: float) -> float: ...


class AttemptResult(StrEnum):
    """What one HTTP attempt says about the endpoint."""

    SUCCESS = "success"
    RETRYABLE = "retryable"
    NON_RETRYABLE = "non_retryable"
    GONE = "gone"


class NextStep(StrEnum):
    """What the delivery does next; the terminal values match the delivery statuses."""

    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"  # the receiver rejected the request; retrying the same bytes cannot help
    DEAD = "dead"  # the schedule is exhausted
    DISABLE_ENDPOINT = "disable_endpoint"  # 410: stop this delivery and the endpoint


@dataclass(frozen=True, slots=True)
class Decision:
    step: NextStep
    result: AttemptResult
    delay: timedelta | None = None  # set only when step is RETRY

    def next_attempt_at(self, now: datetime) -> datetime | None:
        return None if self.delay is None else now + self.delay


def classify_response(status_code: int | None) -> AttemptResult:
    """Classify an attempt; ``None`` means no HTTP response (connect error, timeout, TLS)."""
    if status_code is None:
        return AttemptResult.RETRYABLE
    if 200 <= status_code <= 299:
        return AttemptResult.SUCCESS
    if status_code == _GONE:
        return AttemptResult.GONE
    if status_code in _RETRYABLE_CLIENT_ERRORS or 500 <= status_code <= 599:
        return AttemptResult.RETRYABLE
    if 100 <= status_code <= 499:
        # 1xx as final, 3xx (redirects are never followed) and the remaining 4xx.
        return AttemptResult.NON_RETRYABLE
    # Not an HTTP status at all: a broken server, treated like a network error.
    return AttemptResult.RETRYABLE


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Parse ``Retry-After`` (delay-seconds or HTTP-date, RFC 9110 10.2.3); None if unusable."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # Bound the digits before int(): ~30,000 years is already far past any cap.
        return timedelta(seconds=int(value)) if len(value) <= 12 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # HTTP-dates are GMT; "-0000" parses naive
    return max(timedelta(0), when - now)


def jittered(delay: timedelta, rng: UniformSource) -> timedelta:
    """``delay`` scaled by a uniform factor in [1 - JITTER, 1 + JITTER]."""
    return delay * rng.uniform(1 - JITTER, 1 + JITTER)


def retry_delay(
    attempts_made: int, retry_after: timedelta | None = None, rng: UniformSource | None = None
) -> timedelta | None:
    """Delay before the next attempt after ``attempts_made`` attempts; None when exhausted.

    A ``Retry-After`` longer than the jittered schedule wins, capped at ``RETRY_AFTER_CAP``; a
    shorter one is ignored, so a receiver cannot make us hammer it.
    """
    if attempts_made < 1:
        raise ValueError("attempts_made counts the attempt just made, so starts at 1")
    if attempts_made >= MAX_ATTEMPTS:
        return None
    delay = jittered(SCHEDULE[attempts_made - 1], rng or secrets.SystemRandom())
    if retry_after is not None:
        delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
    return delay


def decide(
    attempts_made: int,
    status_code: int | None,
    *,
    now: datetime,
    retry_after_header: str | None = None,
    rng: UniformSource | None = None,
) -> Decision:
    """The next step for a delivery after its ``attempts_made``-th attempt got ``status_code``.

    ``now`` must be timezone-aware (it is only used to read an HTTP-date ``Retry-After``).
    """
    result = classify_response(status_code)
    if result is AttemptResult.SUCCESS:
        return Decision(NextStep.DELIVERED, result)
    if result is AttemptResult.GONE:
        return Decision(NextStep.DISABLE_ENDPOINT, result)
    if result is AttemptResult.NON_RETRYABLE:
        return Decision(NextStep.FAILED, result)
    delay = retry_delay(attempts_made, parse_retry_after(retry_after_header, now), rng)
    if delay is None:
        return Decision(NextStep.DEAD, result)
    return Decision(NextStep.RETRY, result, delay)
