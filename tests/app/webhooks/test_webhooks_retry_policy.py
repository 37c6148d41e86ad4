"""app.webhooks.retry_policy: schedule, jitter, Retry-After, classification, decisions."""

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.webhooks.retry_policy import (
    MAX_ATTEMPTS,
    RETRY_AFTER_CAP,
    SCHEDULE,
    AttemptResult,
    Decision,
    NextStep,
    classify_response,
    decide,
    jittered,
    parse_retry_after,
    retry_delay,
)

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class Fixed:
    """A uniform source that always returns one end of the range and records its calls."""

    def __init__(self, end):
        self.end = end
        self.calls = []

    def uniform(self, a, b):
        self.calls.append((a, b))
        return a if self.end == "low" else b


MIDDLE = random.Random(0)


def test_schedule_is_the_documented_one():
    assert [d.total_seconds() for d in SCHEDULE] == [
        5,
        60,
        300,
        1800,
        7200,
        18000,
        36000,
        86400,
        86400,
    ]
    assert MAX_ATTEMPTS == 10


def test_schedule_totals_about_three_days():
    total = sum(SCHEDULE, timedelta())
    assert timedelta(days=2.5) < total <= timedelta(days=3)
    # Even with every delay at a jitter extreme, the window stays "about three days".
    assert timedelta(days=2) < total * 0.8
    assert total * 1.2 < timedelta(days=3.5)


@pytest.mark.parametrize(("end", "factor"), [("low", 0.8), ("high", 1.2)])
def test_jitter_extremes_are_plus_minus_twenty_percent(end, factor):
    source = Fixed(end)
    assert jittered(timedelta(minutes=5), source) == timedelta(minutes=5) * factor
    assert source.calls == [(0.8, 1.2)]


def test_jitter_stays_in_bounds_and_varies():
    rng = random.Random(42)
    delays = [retry_delay(2, rng=rng) for _ in range(500)]
    assert all(timedelta(seconds=48) <= d <= timedelta(seconds=72) for d in delays)
    assert len(set(delays)) > 400


def test_default_random_source_is_used_when_none_given():
    delays = {retry_delay(1) for _ in range(20)}
    assert all(timedelta(seconds=4) <= d <= timedelta(seconds=6) for d in delays)
    assert len(delays) > 1


@pytest.mark.parametrize("attempts_made", range(1, MAX_ATTEMPTS))
def test_each_retry_follows_its_schedule_slot(attempts_made):
    base = SCHEDULE[attempts_made - 1]
    assert retry_delay(attempts_made, rng=Fixed("low")) == base * 0.8
    assert retry_delay(attempts_made, rng=Fixed("high")) == base * 1.2


def test_no_delay_after_the_last_attempt():
    assert retry_delay(MAX_ATTEMPTS, rng=MIDDLE) is None
    assert retry_delay(MAX_ATTEMPTS + 5, rng=MIDDLE) is None


def test_attempt_count_starts_at_one():
    with pytest.raises(ValueError, match="starts at 1"):
        retry_delay(0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 120 ", timedelta(seconds=120)),
        ("0", timedelta(0)),
        ("Thu, 01 Jan 2026 13:00:00 GMT", timedelta(hours=1)),
        ("Thu, 01 Jan 2026 13:00:00 -0000", timedelta(hours=1)),
        ("Thu, 01 Jan 2026 21:00:00 +0900", timedelta(0)),  # 12:00 UTC: now
        ("Wed, 31 Dec 2025 12:00:00 GMT", timedelta(0)),  # in the past: no extra wait
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("١٢٠", None),  # non-ASCII digits
        ("9" * 13, None),
        ("Thu, 99 Jan 2026 13:00:00 GMT", None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, NOW) == expected


def test_parse_retry_after_needs_an_aware_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_retry_after("120", NOW.replace(tzinfo=None))


def test_longer_retry_after_wins():
    assert retry_delay(1, timedelta(minutes=2), Fixed("high")) == timedelta(minutes=2)


def test_shorter_retry_after_is_ignored():
    assert retry_delay(4, timedelta(seconds=1), Fixed("low")) == timedelta(minutes=24)


def test_retry_after_is_capped_at_24_hours():
    assert retry_delay(1, timedelta(days=30), Fixed("high")) == timedelta(hours=24)
    assert retry_delay(1, timedelta(days=30), Fixed("high")) == RETRY_AFTER_CAP


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, AttemptResult.RETRYABLE),  # connect error, timeout, TLS failure
        (200, AttemptResult.SUCCESS),
        (201, AttemptResult.SUCCESS),
        (202, AttemptResult.SUCCESS),
        (204, AttemptResult.SUCCESS),
        (299, AttemptResult.SUCCESS),
        (410, AttemptResult.GONE),
        (408, AttemptResult.RETRYABLE),
        (409, AttemptResult.RETRYABLE),
        (425, AttemptResult.RETRYABLE),
        (429, AttemptResult.RETRYABLE),
        (500, AttemptResult.RETRYABLE),
        (502, AttemptResult.RETRYABLE),
        (503, AttemptResult.RETRYABLE),
        (504, AttemptResult.RETRYABLE),
        (599, AttemptResult.RETRYABLE),
        (100, AttemptResult.NON_RETRYABLE),
        (301, AttemptResult.NON_RETRYABLE),
        (302, AttemptResult.NON_RETRYABLE),
        (304, AttemptResult.NON_RETRYABLE),
        (307, AttemptResult.NON_RETRYABLE),
        (308, AttemptResult.NON_RETRYABLE),
        (400, AttemptResult.NON_RETRYABLE),
        (401, AttemptResult.NON_RETRYABLE),
        (403, AttemptResult.NON_RETRYABLE),
        (404, AttemptResult.NON_RETRYABLE),
        (405, AttemptResult.NON_RETRYABLE),
        (413, AttemptResult.NON_RETRYABLE),
        (422, AttemptResult.NON_RETRYABLE),
        (451, AttemptResult.NON_RETRYABLE),
        (0, AttemptResult.RETRYABLE),  # not an HTTP status: a broken server
        (600, AttemptResult.RETRYABLE),
    ],
)
def test_classify_response(status, expected):
    assert classify_response(status) is expected


@pytest.mark.parametrize(
    ("attempts_made", "status", "step"),
    [
        (1, 200, NextStep.DELIVERED),
        (MAX_ATTEMPTS, 204, NextStep.DELIVERED),
        (1, 410, NextStep.DISABLE_ENDPOINT),
        (MAX_ATTEMPTS, 410, NextStep.DISABLE_ENDPOINT),
        (1, 404, NextStep.FAILED),
        (3, 302, NextStep.FAILED),
        (1, 500, NextStep.RETRY),
        (MAX_ATTEMPTS - 1, None, NextStep.RETRY),
        (MAX_ATTEMPTS, 500, NextStep.DEAD),
        (MAX_ATTEMPTS, None, NextStep.DEAD),
        (MAX_ATTEMPTS, 429, NextStep.DEAD),
    ],
)
def test_decide(attempts_made, status, step):
    decision = decide(attempts_made, status, now=NOW, rng=MIDDLE)
    assert decision.step is step
    assert (decision.delay is not None) == (step is NextStep.RETRY)
    assert (decision.next_attempt_at(NOW) is not None) == (step is NextStep.RETRY)


def test_decide_honours_retry_after_header():
    decision = decide(1, 429, now=NOW, retry_after_header="120", rng=Fixed("high"))
    assert decision == Decision(NextStep.RETRY, AttemptResult.RETRYABLE, timedelta(minutes=2))
    assert decision.next_attempt_at(NOW) == NOW + timedelta(minutes=2)


def test_decide_ignores_unparseable_retry_after():
    decision = decide(1, 503, now=NOW, retry_after_header="later", rng=Fixed("low"))
    assert decision.delay == timedelta(seconds=4)


def test_decision_is_frozen():
    decision = decide(1, 200, now=NOW)
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.step = NextStep.DEAD


def test_always_failing_receiver_ends_dead_after_about_three_days():
    rng = random.Random(7)
    clock = NOW
    attempts = 0
    while True:
        attempts += 1
        decision = decide(attempts, 503, now=clock, rng=rng)
        if decision.step is not NextStep.RETRY:
            break
        clock = decision.next_attempt_at(clock)
    assert decision.step is NextStep.DEAD
    assert attempts == MAX_ATTEMPTS
    total = sum(SCHEDULE, timedelta())
    assert total * 0.8 <= clock - NOW <= total * 1.2


def test_enum_values_are_the_stored_strings():
    assert NextStep.DEAD == "dead"
    assert NextStep.DISABLE_ENDPOINT == "disable_endpoint"
    assert AttemptResult.NON_RETRYABLE == "non_retryable"


def test_receiver_docs_state_this_schedule():
    def spoken(delay):
        seconds = int(delay.total_seconds())
        if seconds < 60:
            return f"{seconds} s"
        if seconds < 3600:
            return f"{seconds // 60} min"
        return f"{seconds // 3600} h"

    words = [spoken(d) for d in SCHEDULE]
    sentence = ", ".join(words[:-1]) + " and " + words[-1]
    docs = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"
    text = " ".join(docs.read_text(encoding="utf-8").split())
    assert sentence in text
    assert f"{MAX_ATTEMPTS} attempts" in text
