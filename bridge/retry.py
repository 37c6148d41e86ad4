"""When to try a sync task again: back-off with jitter for a little over three days."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

# Seconds before attempt n+1 after attempt n failed: over 3 days even with -20 % jitter.
RETRY_DELAYS = (5, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 86400, 86400)
MAX_RETRY_AFTER = 86400
JITTER = 0.2
# A store that keeps failing is probed less and less often, up to every 5 minutes.
STORE_BACKOFF_BASE = 5.0
STORE_BACKOFF_MAX = 300.0


def next_attempt_at(
    attempts: int,
    now: datetime,
    scale: float = 1.0,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> datetime | None:
    """None once the schedule is used up (the task is dead)."""
    if attempts > len(RETRY_DELAYS):
        return None
    base = RETRY_DELAYS[attempts - 1]
    jitter = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    delay = base * jitter
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return now + timedelta(seconds=delay * scale)


def store_backoff_seconds(consecutive_failures: int, scale: float = 1.0) -> float:
    exponent = max(0, consecutive_failures - 1)
    return min(STORE_BACKOFF_BASE * 2**exponent, STORE_BACKOFF_MAX) * scale


def jitter(low: float, high: float) -> float:
    """A random pause between low and high seconds (spreads retries; not security)."""
    return random.uniform(low, high)  # noqa: S311
