"""`confirmed_facts` plans from the API's session, not from the event."""

from __future__ import annotations

import pytest

from bridge.mapping.verification import RefundNotSettled, Unconfirmed, confirmed_facts
from bridge.task_actions import TaskAction

SESSION_ID = "cs_0123456789abcdef0123456789abcdef"


def session(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "sessionId": SESSION_ID,
        "status": "partially_refunded",
        "totalAmount": 29000,
        "paidAmount": 29000,
        "refundedAmount": 10000,
        "refundableAmount": 5000,  # 14,000 won more is pending at the gateway
        "refunds": [
            {"refundId": "ref_a", "status": "succeeded", "amount": 10000},
            {"refundId": "ref_b", "status": "pending", "amount": 14000},
        ],
    }
    data.update(extra)
    return data


def test_a_refund_note_counts_only_settled_refunds_as_gone() -> None:
    hint = {"sessionId": SESSION_ID, "refundId": "ref_a", "amount": 10000}
    facts = confirmed_facts(TaskAction.RECORD_REFUND, hint, session())
    assert (facts.refund_id, facts.refund_amount, facts.remaining) == ("ref_a", 10000, 19000)


def test_a_pending_refund_is_not_recorded_yet() -> None:
    hint = {"sessionId": SESSION_ID, "refundId": "ref_b", "amount": 14000}
    with pytest.raises(RefundNotSettled):
        confirmed_facts(TaskAction.RECORD_REFUND, hint, session())


def test_a_refund_of_another_amount_than_the_session_lists_is_refused() -> None:
    hint = {"sessionId": SESSION_ID, "refundId": "ref_a", "amount": 29000}
    with pytest.raises(Unconfirmed):
        confirmed_facts(TaskAction.RECORD_REFUND, hint, session())
