"""What to write to a WooCommerce order for a payment outcome, given the order as it is now.

Every plan is computed from the order's *current* state (fetched just before writing), so a
duplicate or late event plans nothing, and no plan ever moves an order backwards: a paid
order is never made failed, on-hold or cancelled again, and an order whose total or items
changed since its session was made is put on hold, never paid. WooCommerce itself accepts
any status change (fixtures order-status-*), so this module is the only guard. The facts
come from the API's session (`bridge.mapping.verification`), never from a webhook alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bridge.mapping.amounts import map_amounts
from bridge.mapping.errors import OrderMappingError
from bridge.mapping.payment_facts import (
    PaymentFacts,
    gateway_text,
    kst_text,
    method_text,
    payment_meta,
    won_text,
)

# WooCommerce order statuses of a paid order (not the session statuses of the same idea).
PAID_ORDER_STATUSES = frozenset({"processing", "completed", "refunded"})
# Order meta listing the notes the bridge has set out to add (written before each note).
NOTES_META_KEY = "_korea_checkout_notes"
MAX_NOTE_CLAIMS = 50
UNPAID_STATUSES = frozenset({"pending", "failed"})
NOTE_TAG = "[Korea Checkout]"


@dataclass(frozen=True)
class OrderPlan:
    """`update` is a PUT body, `refund` a POST refunds body, `note` added unless a note
    holding `note_marker` exists. `expect` lists the statuses acceptable after the PUT."""

    reason: str
    update: dict[str, Any] | None = None
    refund: dict[str, Any] | None = None
    note: str | None = None
    note_marker: str | None = None
    expect: frozenset[str] = field(default_factory=frozenset)


def same_meta_value(stored: Any, ours: Any) -> bool:
    """WordPress keeps a scalar meta value as text (6 is read back as "6", True as "1");
    arrays and objects keep their types. Equal as WooCommerce would store them."""
    if isinstance(ours, Mapping):
        return (
            isinstance(stored, Mapping)
            and set(stored) == set(ours)
            and all(same_meta_value(stored[key], value) for key, value in ours.items())
        )
    if isinstance(ours, list):
        return (
            isinstance(stored, list)
            and len(stored) == len(ours)
            and all(same_meta_value(a, b) for a, b in zip(stored, ours, strict=True))
        )
    if isinstance(stored, Mapping | list):
        return False
    return _meta_text(stored) == _meta_text(ours)


def _meta_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else ""
    return "" if value is None else str(value)


def _meta_missing(order: Mapping[str, Any], wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    current = {
        entry.get("key"): entry.get("value")
        for entry in order.get("meta_data") or []
        if isinstance(entry, Mapping)
    }
    return [
        entry
        for entry in wanted
        if entry["key"] not in current or not same_meta_value(current[entry["key"]], entry["value"])
    ]


def claimed_notes(order: Mapping[str, Any]) -> list[str]:
    for entry in order.get("meta_data") or []:
        if isinstance(entry, Mapping) and entry.get("key") == NOTES_META_KEY:
            value = entry.get("value")
            return [str(v) for v in value] if isinstance(value, list) else []
    return []


def claim_note(order: Mapping[str, Any], plan: OrderPlan) -> tuple[dict[str, Any] | None, bool]:
    """The PUT body that also records the plan's note marker in the order's meta, and
    whether the order's notes must be read first. A marker absent from the meta proves no
    attempt ever added that note (each writes the marker before the note), so the note is
    added without listing the notes; a marker present means an attempt got that far, and
    the notes are read to see whether the note made it."""
    if not plan.note or not plan.note_marker:
        return plan.update, False
    claimed = claimed_notes(order)
    if plan.note_marker in claimed:
        return plan.update, True
    body = dict(plan.update or {})
    claims = [*claimed, plan.note_marker][-MAX_NOTE_CLAIMS:]
    body["meta_data"] = [*body.get("meta_data", []), {"key": NOTES_META_KEY, "value": claims}]
    return body, False


def _marker(kind: str, key: str) -> str:
    return f"{NOTE_TAG} {kind} ({key})"


def _note(marker: str, *lines: str) -> str:
    return "\n".join([marker, *[line for line in lines if line]])


def payment_mismatch(order: Mapping[str, Any], facts: PaymentFacts) -> str | None:
    """Why the payment does not pay the order as it is now, or None. WooCommerce reuses a
    pending order when the shopper checks out again, so its total and lines can change after
    the session was made; only a payment of exactly the current order pays it."""
    try:
        amounts = map_amounts(order)
    except OrderMappingError as exc:
        return f"the order's amounts cannot be read ({exc.message})"
    if facts.paid_amount != amounts.total:
        return f"paid {facts.paid_amount} won, the order total is {amounts.total} won"
    lines = tuple((line.product_id, line.price, line.quantity) for line in amounts.lines)
    if facts.items and lines != facts.items:
        return "the order's items are not the items paid for"
    return None


def plan_paid(order: Mapping[str, Any], facts: PaymentFacts) -> OrderPlan:
    status = str(order.get("status"))
    meta = _meta_missing(order, payment_meta(facts))
    marker = _marker("결제 완료", facts.session_id)
    tx = facts.transaction_id or facts.session_id
    note = _note(
        marker,
        f"{method_text(facts)} · {won_text(facts.total)}",
        f"{gateway_text(facts)} 거래번호 {tx}".strip(),
    )
    if status in PAID_ORDER_STATUSES:
        update: dict[str, Any] | None = {"meta_data": meta} if meta else None
        if not order.get("transaction_id"):
            update = {**(update or {}), "transaction_id": tx}
        return OrderPlan("already paid", update=update, note=note, note_marker=marker)
    mismatch = payment_mismatch(order, facts)
    if mismatch is not None:
        return _plan_mismatch(order, facts, mismatch, meta, tx)
    if status in UNPAID_STATUSES:
        # set_paid lets WooCommerce choose processing or completed (virtual-only orders).
        body = {"set_paid": True, "transaction_id": tx, "meta_data": meta}
        return OrderPlan(
            "mark paid", body, note=note, note_marker=marker, expect=PAID_ORDER_STATUSES
        )
    # on-hold, cancelled, drafts: set_paid would only store transaction_id (fixtures
    # order-set-paid-on-hold / -cancelled), so name the paid status explicitly.
    target = "processing" if order.get("needs_processing", True) else "completed"
    body = {"status": target, "transaction_id": tx, "meta_data": meta}
    return OrderPlan(
        f"mark paid from {status}", body, note=note, note_marker=marker, expect=frozenset({target})
    )


def _plan_mismatch(
    order: Mapping[str, Any],
    facts: PaymentFacts,
    mismatch: str,
    meta: list[dict[str, Any]],
    tx: str,
) -> OrderPlan:
    """On hold, never paid: the merchant sees the payment (and can refund it with the
    transaction id and session in the meta) and decides."""
    marker = _marker("결제 금액 불일치", facts.session_id)
    note = _note(
        marker,
        f"결제된 금액 {won_text(facts.paid_amount)}이(가) 현재 주문 금액 "
        f"{won_text(_order_total(order))}과(와) 다르거나 주문 상품이 바뀌어 "
        "주문을 결제 완료로 처리하지 않고 보류했습니다.",
        f"결제 세션 {facts.session_id} · {gateway_text(facts)} 거래번호 {tx}".strip(),
        "금액을 확인한 뒤 주문을 처리하거나 결제를 환불해 주세요.",
    )
    body: dict[str, Any] = {"transaction_id": tx, "meta_data": meta}
    reason = f"amount mismatch, order put on hold: {mismatch}"
    if str(order.get("status")) == "on-hold":
        if not meta and order.get("transaction_id") == tx:
            return OrderPlan(reason, note=note, note_marker=marker)
        return OrderPlan(reason, body, note=note, note_marker=marker)
    body["status"] = "on-hold"
    return OrderPlan(reason, body, note=note, note_marker=marker, expect=frozenset({"on-hold"}))


def _order_total(order: Mapping[str, Any]) -> int | None:
    try:
        return map_amounts(order).total
    except OrderMappingError:
        return None


def plan_virtual_account(order: Mapping[str, Any], facts: PaymentFacts) -> OrderPlan:
    status = str(order.get("status"))
    account = facts.virtual_account or {}
    marker = _marker("가상계좌 발급", facts.session_id)
    note = _note(
        marker,
        f"입금 은행: {account.get('bank', '-')}",
        f"계좌번호: {account.get('accountNumber', '-')}",
        f"예금주: {account.get('holder', '-')}",
        f"입금 금액: {won_text(_as_int(account.get('amount')) or facts.total)}",
        f"입금 기한: {kst_text(account.get('dueDate'))}",
    )
    meta = _meta_missing(order, payment_meta(facts))
    if status in UNPAID_STATUSES:
        body = {"status": "on-hold", "meta_data": meta}
        return OrderPlan(
            "await deposit", body, note=note, note_marker=marker, expect=frozenset({"on-hold"})
        )
    if status == "on-hold":
        return OrderPlan(
            "already on-hold", {"meta_data": meta} if meta else None, note=note, note_marker=marker
        )
    return OrderPlan(f"stale: order is {status}")


def plan_failed(order: Mapping[str, Any], facts: PaymentFacts, event_id: str) -> OrderPlan:
    status = str(order.get("status"))
    reason = facts.failure_message or facts.failure_code or "사유 미상"
    if facts.session_status != "failed":
        # A decline the customer may retry: the order stays payable; record it only.
        if status not in UNPAID_STATUSES | {"on-hold"}:
            return OrderPlan(f"stale decline: order is {status}")
        marker = _marker("결제 시도 실패", event_id)
        return OrderPlan("decline noted", note=_note(marker, f"사유: {reason}"), note_marker=marker)
    marker = _marker("결제 실패", facts.session_id)
    note = _note(marker, f"사유: {reason}")
    if status == "pending":
        body = {"status": "failed"}
        return OrderPlan(
            "mark failed", body, note=note, note_marker=marker, expect=frozenset({"failed"})
        )
    if status == "failed":
        return OrderPlan("already failed", note=note, note_marker=marker)
    return OrderPlan(f"stale: order is {status}")


def plan_cancelled(order: Mapping[str, Any], facts: PaymentFacts, expired: bool) -> OrderPlan:
    status = str(order.get("status"))
    kind = "결제 기한 만료" if expired else "결제 취소"
    marker = _marker(kind, facts.session_id)
    note = _note(marker, "주문이 취소되었습니다.")
    if status in ("pending", "on-hold"):
        body = {"status": "cancelled"}
        return OrderPlan(
            "cancel order", body, note=note, note_marker=marker, expect=frozenset({"cancelled"})
        )
    if status == "cancelled":
        return OrderPlan("already cancelled", note=note, note_marker=marker)
    return OrderPlan(f"stale: order is {status}")


def refund_reason_tag(refund_id: str) -> str:
    return f"Korea Checkout {refund_id}"


def has_refund(order: Mapping[str, Any], refund_id: str) -> bool:
    """Whether the order lists a refund record this refund made (tagged in its reason)."""
    tag = refund_reason_tag(refund_id)
    return any(
        tag in str(entry.get("reason") or "")
        for entry in order.get("refunds") or []
        if isinstance(entry, Mapping)
    )


def plan_refund(order: Mapping[str, Any], facts: PaymentFacts) -> OrderPlan:
    refund_id = facts.refund_id or ""
    marker = _marker("환불", refund_id)
    note = _note(
        marker,
        f"환불 금액: {won_text(facts.refund_amount)}",
        f"누적 환불: {won_text(facts.refunded_total)}",
        f"남은 결제 금액: {won_text(facts.remaining)}",
        f"사유: {facts.refund_reason}" if facts.refund_reason else "",
    )
    if has_refund(order, refund_id):
        return OrderPlan("refund already recorded", note=note, note_marker=marker)
    reason = refund_reason_tag(refund_id)
    if facts.refund_reason:
        reason = f"{reason}: {facts.refund_reason}"
    body = {"amount": str(facts.refund_amount or 0), "reason": reason[:200], "api_refund": False}
    return OrderPlan("record refund", refund=body, note=note, note_marker=marker)


def refund_refused_note(facts: PaymentFacts, answer: str) -> tuple[str, str]:
    """(note, marker) for a refund WooCommerce would not record (e.g. more than the order's
    remaining amount): the money moved at checkout, the order does not show it."""
    marker = _marker("환불 기록 실패", facts.refund_id or "")
    note = _note(
        marker,
        f"결제 서비스에서 {won_text(facts.refund_amount)} 환불이 완료되었지만 "
        "WooCommerce가 환불 기록을 거부했습니다.",
        f"WooCommerce 응답: {answer[:200]}",
        "주문의 환불 금액을 확인해 주세요.",
    )
    return note, marker


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
