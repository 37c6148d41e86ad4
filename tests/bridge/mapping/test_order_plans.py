"""Plans from the order as it is now: never backwards, notes claimed in meta before writing."""

from __future__ import annotations

from typing import Any

from bridge.mapping.order_plans import (
    MAX_NOTE_CLAIMS,
    NOTES_META_KEY,
    OrderPlan,
    claim_note,
    plan_cancelled,
    plan_paid,
)
from bridge.mapping.payment_facts import facts_from_data
from tests.bridge.support import completed_data


def _order(status: str, claims: list[str] | None = None) -> dict[str, Any]:
    meta = [] if claims is None else [{"id": 9, "key": NOTES_META_KEY, "value": claims}]
    return {"id": 7, "status": status, "total": "29000", "transaction_id": "", "meta_data": meta}


def test_an_unclaimed_note_is_claimed_in_the_same_put() -> None:
    order = _order("pending")
    plan = plan_paid(order, facts_from_data(completed_data("cs_test_1", 7, 29000)))
    body, check = claim_note(order, plan)
    assert check is False
    assert body is not None
    assert body["set_paid"] is True
    claim = [m for m in body["meta_data"] if m["key"] == NOTES_META_KEY]
    assert claim == [{"key": NOTES_META_KEY, "value": [plan.note_marker]}]


def test_a_claimed_note_means_reading_the_notes_first() -> None:
    facts = facts_from_data(completed_data("cs_test_1", 7, 29000))
    marker = plan_paid(_order("pending"), facts).note_marker
    assert marker is not None
    order = _order("processing", ["older", marker])
    plan = plan_paid(order, facts)
    body, check = claim_note(order, plan)
    assert check is True
    assert body == plan.update


def test_claims_keep_earlier_markers_and_stay_bounded() -> None:
    earlier = [f"marker {n}" for n in range(MAX_NOTE_CLAIMS)]
    order = _order("pending", earlier)
    plan = plan_cancelled(order, facts_from_data(completed_data("cs_test_2", 7, 100)), True)
    body, _ = claim_note(order, plan)
    assert body is not None
    claims = body["meta_data"][-1]["value"]
    assert len(claims) == MAX_NOTE_CLAIMS
    assert claims[-1] == plan.note_marker
    assert claims[:-1] == earlier[1:]


def test_a_plan_without_a_note_writes_no_claim() -> None:
    plan = OrderPlan("stale: order is completed")
    assert claim_note(_order("completed"), plan) == (None, False)
