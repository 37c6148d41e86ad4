"""Small helpers every gateway (live and sandbox) shares."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from app.gateways.base import (
    FailureCode,
    GatewayName,
    PaymentMethod,
    PaymentResult,
    PaymentStatus,
    RefundRequest,
)
from app.gateways.errors import InvalidRequest

AMOUNT_MISMATCH_MESSAGE = "결제 금액이 주문 금액과 일치하지 않습니다."


def with_query(url: str, params: Mapping[str, str]) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def amount_mismatch(gateway: GatewayName, order_id: str, gateway_code: str = "") -> PaymentResult:
    """The return or the approval disagrees with the session total: fail, never approve."""
    return PaymentResult(
        gateway=gateway,
        status=PaymentStatus.FAILED,
        order_id=order_id,
        failure_code=FailureCode.AMOUNT_MISMATCH,
        failure_message=AMOUNT_MISMATCH_MESSAGE,
        gateway_code=gateway_code,
    )


def parse_won(value: object) -> int | None:
    """``"15000"`` -> 15000; anything that is not a plain non-negative integer -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def validate_refund(request: RefundRequest) -> None:
    """Input checks shared by live and sandbox: never more than what remains."""
    if request.refundable_amount > request.paid_amount:
        raise InvalidRequest("환불 가능 금액이 결제 금액보다 큽니다.")
    if request.amount > request.refundable_amount:
        raise InvalidRequest(
            "환불 금액이 남은 결제 금액을 초과합니다.", code="refund_exceeds_remaining"
        )
    if request.method is PaymentMethod.VIRTUAL_ACCOUNT and request.refund_account is None:
        raise InvalidRequest(
            "가상계좌 환불에는 환불 계좌가 필요합니다.", code="refund_account_required"
        )
