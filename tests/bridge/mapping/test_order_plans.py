"""Plans from the order as it is now: never backwards, notes claimed in meta before writing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.mapping.amounts import map_amounts
from bridge.mapping.order_plans import (
    MAX_NOTE_CLAIMS,
    NOTES_META_KEY,
    PAID_ORDER_STATUSES,
    OrderPlan,
    claim_note,
    payment_mismatch,
    plan_cancelled,
    plan_paid,
    same_meta_value,
)
from bridge.mapping.payment_facts import PaymentFacts, facts_from_data
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


def _line(product_id: int, quantity: int, unit: int) -> dict[str, Any]:
    gross = str(unit * quantity)
    return {
        "product_id": product_id,
        "quantity": quantity,
        "subtotal": gross,
        "subtotal_tax": "0",
        "total": gross,
        "total_tax": "0",
    }


def _paid_facts(order: dict[str, Any], paid: int) -> PaymentFacts:
    """The facts of a session made from `order` (its items as the bridge mapped them) and
    paid `paid` won."""
    items = [
        {"productId": line.product_id, "price": line.price, "quantity": line.quantity}
        for line in map_amounts(order).lines
    ]
    data = completed_data("cs_test_paid", 7, paid, items=items)
    return facts_from_data(data)


def _priced(status: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(int(line["total"]) for line in lines)
    return {**_order(status), "total": str(total), "line_items": lines}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (None, None),
        ({"total": "41500"}, "paid 29000 won, the order total is 41500 won"),
        ({"line_items": [_line(17, 1, 12500), _line(18, 1, 16500)]}, "items are not"),
        ({"line_items": [_line(17, 2, 14500)]}, "items are not"),
        ({"total": "abc"}, "cannot be read"),
    ],
)
def test_only_a_payment_of_the_order_as_it_is_now_marks_it_paid(
    change: dict[str, Any] | None, reason: str | None
) -> None:
    original = _priced("pending", [_line(17, 1, 29000)])
    facts = _paid_facts(original, 29000)
    order = {**original, **(change or {})}
    mismatch = payment_mismatch(order, facts)
    plan = plan_paid(order, facts)
    if reason is None:
        assert mismatch is None
        assert plan.update is not None
        assert plan.update["set_paid"] is True
        return
    assert mismatch is not None
    assert reason in mismatch
    assert plan.update is not None
    assert "set_paid" not in plan.update
    assert plan.update["status"] == "on-hold"
    assert plan.expect == frozenset({"on-hold"})
    assert plan.update["transaction_id"] == facts.transaction_id
    assert {m["key"] for m in plan.update["meta_data"]} >= {"_korea_checkout_session_id"}
    assert plan.note is not None
    assert "29,000원" in plan.note
    assert "cs_test_paid" in plan.note


@given(
    unit=st.integers(min_value=1, max_value=1_000_000),
    quantity=st.integers(min_value=1, max_value=20),
    paid=st.integers(min_value=1, max_value=30_000_000),
    status=st.sampled_from(["pending", "failed", "on-hold", "cancelled", "checkout-draft"]),
)
def test_no_amount_but_the_order_total_ever_pays_an_unpaid_order(
    unit: int, quantity: int, paid: int, status: str
) -> None:
    order = _priced(status, [_line(17, quantity, unit)])
    plan = plan_paid(order, _paid_facts(order, paid))
    body = plan.update or {}
    pays = body.get("set_paid") is True or body.get("status") in PAID_ORDER_STATUSES
    assert pays == (paid == unit * quantity)
    if not pays:
        assert plan.expect <= frozenset({"on-hold"})


@pytest.mark.parametrize(
    ("stored", "ours", "same"),
    [
        ("6", 6, True),
        ("1", True, True),
        ("", False, True),
        ("cs_1", "cs_1", True),
        ("7", 6, False),
        ({"amount": 29000, "bank": "KB"}, {"amount": 29000, "bank": "KB"}, True),
        ({"amount": "29000"}, {"amount": 29000}, True),
        ({"amount": 29000}, {"amount": 29000, "bank": "KB"}, False),
        ("29000", {"amount": 29000}, False),
    ],
)
def test_meta_read_back_as_text_is_the_same_value(stored: Any, ours: Any, same: bool) -> None:
    assert same_meta_value(stored, ours) is same
