"""What the customer chose on the page, checked, and the gateway's view of the session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.gateways import Customer, PaymentMethod
from app.models import CheckoutSession
from app.payments.errors import InvalidRequest

MIN_INSTALLMENT_TOTAL = 50_000
INSTALLMENT_MONTHS = range(2, 13)


@dataclass(frozen=True)
class PaymentChoice:
    method: PaymentMethod
    installment_months: int | None = None


def installments_allowed(total: int) -> bool:
    return total >= MIN_INSTALLMENT_TOTAL


def check_choice(session: CheckoutSession, choice: PaymentChoice) -> int | None:
    months = choice.installment_months or None
    if months is None:
        return None
    if choice.method is not PaymentMethod.CARD:
        return None  # only cards have 할부; other methods ignore the field
    if months not in INSTALLMENT_MONTHS or not installments_allowed(session.total_amount):
        raise InvalidRequest(
            "Installments of 2-12 months are for card totals of 50,000 won or more",
            code="invalid_installment",
            details={"field": "installmentMonths"},
        )
    return months


def order_name(items: list[dict[str, Any]]) -> str:
    """``한정판 티셔츠 외 1건``: the gateways' one-line order name."""
    first = str(items[0].get("name", "")) if items else "주문"
    return first if len(items) <= 1 else f"{first} 외 {len(items) - 1}건"


def _local_phone(phone: str) -> str:
    return "0" + phone.removeprefix("+82-") if phone.startswith("+82-") else phone


def gateway_customer(session: CheckoutSession) -> Customer:
    data = session.customer
    return Customer(
        name=str(data.get("name", "")),
        email=str(data.get("email", "")),
        phone=_local_phone(str(data.get("phone", ""))),
    )
