"""A payment event's `data` (or a session from the API) as the facts a sync needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.payments.status import SessionStatus
from app.timezones import KST

# Session statuses (the core's status machine) in which the customer has paid.
PAID_SESSION_STATUSES = frozenset(
    {SessionStatus.COMPLETED, SessionStatus.PARTIALLY_REFUNDED, SessionStatus.REFUNDED}
)
# Of those, the ones in which the customer's money is still (at least partly) held: only these
# mark an order paid (the order of a fully refunded session must not ship).
HELD_SESSION_STATUSES = PAID_SESSION_STATUSES - {SessionStatus.REFUNDED}
META_PREFIX = "_korea_checkout_"

METHOD_NAMES = {
    "card": "신용카드",
    "virtual_account": "가상계좌",
    "transfer": "실시간 계좌이체",
    "kakao_pay": "카카오페이",
    "naver_pay": "네이버페이",
    "toss_pay": "토스페이",
    "samsung_pay": "삼성페이",
}
GATEWAY_NAMES = {"toss": "토스페이먼츠", "kcp": "KCP", "inicis": "KG이니시스"}


@dataclass(frozen=True)
class PaymentFacts:
    session_id: str
    session_status: str
    total: int
    method: str | None = None
    gateway: str | None = None
    transaction_id: str | None = None
    installment_months: int | None = None
    virtual_account: Mapping[str, Any] | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    refund_id: str | None = None
    refund_amount: int | None = None
    refund_reason: str | None = None
    refunded_total: int | None = None
    remaining: int | None = None
    paid_amount: int | None = None
    # The session's items as `(productId, unit price, quantity)`, in order.
    items: tuple[tuple[str | None, int, int], ...] = ()


def facts_from_data(data: Mapping[str, Any]) -> PaymentFacts:
    """Event `data` and `GET session` `data` share these field names."""
    return PaymentFacts(
        session_id=str(data.get("sessionId") or ""),
        session_status=str(data.get("status") or ""),
        total=_int(data.get("totalAmount")) or 0,
        method=optional_text(data.get("paymentMethod")),
        gateway=optional_text(data.get("gateway")),
        transaction_id=optional_text(data.get("gatewayTransactionId")),
        installment_months=_int(data.get("installmentMonths")),
        virtual_account=data.get("virtualAccount")
        if isinstance(data.get("virtualAccount"), Mapping)
        else None,
        failure_code=optional_text(data.get("failureCode")),
        failure_message=optional_text(data.get("failureMessage")),
        refund_id=optional_text(data.get("refundId")),
        refund_amount=_int(data.get("amount")),
        refund_reason=optional_text(data.get("reason")),
        refunded_total=_int(data.get("refundedAmount")),
        remaining=_int(data.get("remainingAmount")),
        paid_amount=_int(data.get("paidAmount")),
        items=_items(data.get("items")),
    )


def _items(value: Any) -> tuple[tuple[str | None, int, int], ...]:
    entries = value if isinstance(value, list) else []
    return tuple(
        (
            optional_text(item.get("productId")),
            _int(item.get("price")) or 0,
            _int(item.get("quantity")) or 0,
        )
        for item in entries
        if isinstance(item, Mapping)
    )


def payment_meta(facts: PaymentFacts) -> list[dict[str, Any]]:
    """Order meta written with the payment; underscore keys stay hidden in wp-admin."""
    values: dict[str, Any] = {
        "session_id": facts.session_id,
        "payment_method": facts.method,
        "gateway": facts.gateway,
        "transaction_id": facts.transaction_id,
        "installment_months": facts.installment_months,
        "virtual_account": dict(facts.virtual_account) if facts.virtual_account else None,
    }
    return [
        {"key": f"{META_PREFIX}{key}", "value": value}
        for key, value in values.items()
        if value not in (None, "")
    ]


def won_text(amount: int | None) -> str:
    return f"{amount or 0:,}원"


def method_text(facts: PaymentFacts) -> str:
    name = METHOD_NAMES.get(facts.method or "", facts.method or "결제")
    if facts.method == "card":
        months = facts.installment_months or 0
        return f"{name} {'일시불' if months <= 1 else f'{months}개월 할부'}"
    return name


def gateway_text(facts: PaymentFacts) -> str:
    return GATEWAY_NAMES.get(facts.gateway or "", facts.gateway or "")


def kst_text(iso: str | None) -> str:
    """`2024-01-04T14:59:00Z` -> `2024-01-04 23:59 (KST)`."""
    if not iso:
        return "-"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(KST).strftime("%Y-%m-%d %H:%M (KST)")


def optional_text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
