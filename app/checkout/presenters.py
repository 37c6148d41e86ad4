"""How the hosted page shows money, times, methods and the shop's colours."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from app.gateways import PaymentMethod
from app.payments.money import format_won
from app.payments.payment_inputs import INSTALLMENT_MONTHS, installments_allowed
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

_COLOR = r"#[0-9a-fA-F]{3,8}|rgba?\(\s*[\d.]+%?(\s*,\s*[\d.]+%?){2,3}\s*\)|[a-zA-Z]{3,20}"
_LENGTH = r"0|\d{1,3}(\.\d{1,2})?(px|rem|em|%)"
_FONT = r"[\w\s,'\"-]{1,120}"
#: The CSS variables a shop or the plugin (``korea_checkout_css_vars``) may set, and the
#: exact shape each value must have: anything else is dropped, never escaped into CSS.
THEME_VARIABLES: Mapping[str, re.Pattern[str]] = {
    name: re.compile(rf"^(?:{pattern})$")
    for name, pattern in {
        "--primary-color": _COLOR,
        "--primary-text-color": _COLOR,
        "--background-color": _COLOR,
        "--surface-color": _COLOR,
        "--text-color": _COLOR,
        "--muted-color": _COLOR,
        "--border-color": _COLOR,
        "--button-radius": _LENGTH,
        "--card-radius": _LENGTH,
        "--font-family": _FONT,
    }.items()
}


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


def theme(metadata: Mapping[str, Any]) -> dict[str, str]:
    """Valid theme variables from the session metadata (keys like ``--primary-color``)."""
    chosen: dict[str, str] = {}
    for name, pattern in THEME_VARIABLES.items():
        value = metadata.get(name)
        if isinstance(value, str) and pattern.fullmatch(value.strip()):
            chosen[name] = value.strip()
    return chosen


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
