"""Small helpers every gateway (live and sandbox) shares."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from app.gateways.base import (
    PEER_ADDRESS_HEADER,
    FailureCode,
    GatewayName,
    PaymentMethod,
    PaymentResult,
    PaymentStatus,
    RefundRequest,
)
from app.gateways.errors import InvalidNotification, InvalidRequest
from app.timezones import KST

AMOUNT_MISMATCH_MESSAGE = "결제 금액이 주문 금액과 일치하지 않습니다."
#: KCP's and Inicis's wire times: KST without an offset.
_STAMP_FORMAT = "%Y%m%d%H%M%S"


def with_query(url: str, params: Mapping[str, str]) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def header(headers: Mapping[str, str], name: str) -> str:
    """A header's value, matched case-insensitively; ``""`` when it is absent."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


def failed(
    gateway: GatewayName,
    order_id: str,
    failure_code: FailureCode,
    message: str,
    gateway_code: str = "",
) -> PaymentResult:
    """A payment that did not go through, with our code and the gateway's own."""
    return PaymentResult(
        gateway=gateway,
        status=PaymentStatus.FAILED,
        order_id=order_id,
        failure_code=failure_code,
        failure_message=message,
        gateway_code=gateway_code,
    )


def amount_mismatch(gateway: GatewayName, order_id: str, gateway_code: str = "") -> PaymentResult:
    """The return or the approval disagrees with the session total: fail, never approve."""
    return failed(
        gateway, order_id, FailureCode.AMOUNT_MISMATCH, AMOUNT_MISMATCH_MESSAGE, gateway_code
    )


def parse_kst_stamp(text: str) -> datetime | None:
    """``20240213121814`` (KST, KCP's and Inicis's wire time) -> an aware datetime."""
    if len(text) != 14 or not text.isdigit():
        return None
    return datetime.strptime(text, _STAMP_FORMAT).replace(tzinfo=KST)


def kst_stamp(moment: datetime, fmt: str = _STAMP_FORMAT) -> str:
    return moment.astimezone(KST).strftime(fmt)


def ip_notification_form(
    headers: Mapping[str, str], body: bytes, allowed_ips: Collection[str]
) -> dict[str, str]:
    """The form of a notification authenticated by source IP only (KCP, Inicis): the peer
    must be one of ``allowed_ips``; the body is UTF-8 or, by both gateways' default, EUC-KR."""
    if header(headers, PEER_ADDRESS_HEADER) not in allowed_ips:
        raise InvalidNotification()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = body.decode("euc-kr")
        except UnicodeDecodeError as exc:
            raise InvalidNotification() from exc
    return dict(parse_qsl(text))


def parse_won(value: object) -> int | None:
    """``"15000"`` -> 15000; anything that is not a plain non-negative integer -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip()
    return int(text) if text.isdecimal() else None


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
