"""How the hosted page shows money, times, methods and the shop's colours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from app.gateways import PaymentMethod
from app.payments.money import format_won
from app.payments.payment_inputs import INSTALLMENT_MONTHS, installments_allowed
from app.payments.theme import theme as theme  # the page renders the session's brand colours
from app.timezones import KST

METHOD_ORDER = (
    PaymentMethod.CARD,
    PaymentMethod.KAKAO_PAY,
    PaymentMethod.NAVER_PAY,
    PaymentMethod.TOSS_PAY,
    PaymentMethod.SAMSUNG_PAY,
    PaymentMethod.TRANSFER,
    PaymentMethod.VIRTUAL_ACCOUNT,
)


def preselected_method(*candidates: str | None) -> str:
    """The method the page opens on: the first candidate that is a method id (the plugin's
    ``?method=``, then the session's preferredPaymentMethod), else card."""
    known = {method.value for method in PaymentMethod}
    for candidate in candidates:
        if candidate is not None and candidate in known:
            return candidate
    return PaymentMethod.CARD.value


def won(amount: int, lang: str) -> str:
    return format_won(amount) if lang == "ko" else f"₩{amount:,}"


def kst(moment: datetime, lang: str) -> str:
    local = moment.astimezone(KST)
    if lang == "ko":
        return f"{local.year}년 {local.month}월 {local.day}일 {local:%H:%M}"
    return f"{local:%b} {local.day}, {local.year}, {local:%H:%M} KST"


@dataclass(frozen=True)
class LineItem:
    name: str
    description: str
    quantity: int
    line_total: int


def line_items(items: list[dict[str, Any]]) -> list[LineItem]:
    return [
        LineItem(
            name=str(item.get("name", "")),
            description=str(item.get("description", "") or ""),
            quantity=int(item.get("quantity", 1)),
            line_total=int(item.get("price", 0)) * int(item.get("quantity", 1)),
        )
        for item in items
    ]


def installment_options(total: int) -> list[int]:
    return list(INSTALLMENT_MONTHS) if installments_allowed(total) else []


def with_session_id(url: str, session_id: str) -> str:
    """``returnUrl`` / ``cancelUrl`` with ``sessionId`` appended, keeping their own query."""
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'sessionId': session_id})}"


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
