"""The status machine allows exactly DESIGN.md's transitions."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product

import pytest

from app.models import CheckoutSession
from app.payments.errors import InvalidState
from app.payments.status import ALLOWED_TRANSITIONS, SessionStatus, can_transition, transition

S = SessionStatus
EXPECTED = {
    (S.PENDING, S.PROCESSING),
    (S.PENDING, S.CANCELLED),
    (S.PENDING, S.EXPIRED),
    (S.PROCESSING, S.COMPLETED),
    (S.PROCESSING, S.FAILED),
    (S.PROCESSING, S.CANCELLED),
    (S.PROCESSING, S.EXPIRED),
    (S.COMPLETED, S.PARTIALLY_REFUNDED),
    (S.COMPLETED, S.REFUNDED),
    (S.PARTIALLY_REFUNDED, S.PARTIALLY_REFUNDED),
    (S.PARTIALLY_REFUNDED, S.REFUNDED),
}


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_transition_table(current: SessionStatus, target: SessionStatus):
    assert can_transition(current, target) is ((current, target) in EXPECTED)


def test_every_status_has_an_entry():
    assert set(ALLOWED_TRANSITIONS) == set(S)


def test_transition_sets_timestamp_and_refuses_regression():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    session = CheckoutSession(id="cs_x", status=S.PROCESSING)
    transition(session, S.COMPLETED, now)
    assert session.status == S.COMPLETED
    assert session.completed_at == now
    with pytest.raises(InvalidState) as caught:
        transition(session, S.FAILED, now)
    assert caught.value.details["status"] == "completed"
    assert session.status == S.COMPLETED
