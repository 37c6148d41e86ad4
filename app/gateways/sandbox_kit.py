"""Shared machinery of the three sandboxes: signed tokens, test cards, window choices.

"Connectors store nothing": a sandbox never remembers a payment. Everything it must know
later (order id, amount, method, card outcome) travels inside the gateway's own opaque
values (Toss ``paymentKey``, KCP ``enc_data``, Inicis ``authToken``), sealed with an
HMAC-SHA256 over a sandbox secret and checked with ``hmac.compare_digest``. Transaction ids
are MACs of (order id, amount), so a refund can prove the id belongs to that payment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from app.gateways.base import (
    EASY_PAY_METHODS,
    FailureCode,
    PaymentMethod,
    RefundRequest,
    VirtualAccount,
    mask_card_number,
)
from app.gateways.common import validate_refund
from app.gateways.errors import InvalidRequest

SANDBOX_VA_HOLDER = "코리아체크아웃(주)"
VA_VALID_DAYS = 3


class TamperedToken(ValueError):
    """A sealed value whose MAC does not verify."""


class Outcome(StrEnum):
    APPROVE = "approve"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    INVALID_CARD = "invalid_card"
    STOLEN_CARD = "stolen_card"
    DECLINED = "declined"
    TIMEOUT = "timeout"
    USER_CANCEL = "user_cancel"


#: Sandbox test cards (digits only). Any other number is an invalid card. See SANDBOX.md.
TEST_CARDS: Mapping[str, Outcome] = {
    "4330000000000001": Outcome.APPROVE,
    "4330000000000002": Outcome.INSUFFICIENT_FUNDS,
    "4330000000000003": Outcome.INVALID_CARD,
    "4330000000000004": Outcome.STOLEN_CARD,
    "4330000000000005": Outcome.TIMEOUT,
    "4330000000000006": Outcome.DECLINED,
}

#: Our failure code for each declining outcome (the gateway code sits in between).
OUTCOME_FAILURE: Mapping[Outcome, FailureCode] = {
    Outcome.INSUFFICIENT_FUNDS: FailureCode.INSUFFICIENT_FUNDS,
    Outcome.INVALID_CARD: FailureCode.INVALID_CARD,
    Outcome.STOLEN_CARD: FailureCode.STOLEN_CARD,
    Outcome.DECLINED: FailureCode.CARD_DECLINED,
    Outcome.USER_CANCEL: FailureCode.USER_CANCELLED,
}

SANDBOX_CARD_COMPANY = "신한카드"
#: (bank code used by the KFTC list, Korean bank name) for issued virtual accounts.
SANDBOX_VA_BANK = ("004", "KB국민은행")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mac_hex(secret: bytes, *parts: str, length: int = 24) -> str:
    msg = "\x1f".join(parts).encode("utf-8")
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()[:length]


def seal(secret: bytes, purpose: str, payload: Mapping[str, Any]) -> str:
    """Self-describing, tamper-proof value: ``<b64 json>.<b64 mac>`` (URL safe)."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    tag = hmac.new(secret, f"{purpose}.{body}".encode("ascii"), hashlib.sha256).digest()[:18]
    return f"{body}.{_b64(tag)}"


def unseal(secret: bytes, purpose: str, token: str) -> dict[str, Any]:
    body, sep, tag = token.partition(".")
    if not sep or not body or not tag:
        raise TamperedToken("malformed token")
    try:
        expected = hmac.new(secret, f"{purpose}.{body}".encode("ascii"), hashlib.sha256)
        given = _unb64(tag)
    except (UnicodeEncodeError, ValueError) as exc:
        raise TamperedToken("malformed token") from exc
    if not hmac.compare_digest(expected.digest()[:18], given):
        raise TamperedToken("bad signature")
    try:
        payload = json.loads(_unb64(body))
    except ValueError as exc:
        raise TamperedToken("malformed payload") from exc
    if not isinstance(payload, dict):
        raise TamperedToken("malformed payload")
    return payload


def transaction_id(secret: bytes, prefix: str, order_id: str, amount: int) -> str:
    """``toss_tx_<mac>``: verifiable later from (order id, paid amount) without storage."""
    return f"{prefix}{mac_hex(secret, 'tx', order_id, str(amount))}"


def check_transaction_id(
    secret: bytes, prefix: str, tx_id: str, order_id: str, amount: int
) -> bool:
    return hmac.compare_digest(transaction_id(secret, prefix, order_id, amount), tx_id)


@dataclass(frozen=True)
class WindowChoice:
    """What the customer did in the sandbox window (the page's own form fields)."""

    outcome: Outcome
    masked_card: str
    installment_months: int


def read_choice(form: Mapping[str, str], method: PaymentMethod) -> WindowChoice:
    """Interpret the sandbox window's fields ``card_number``, ``installment_months``,
    ``action`` (``approve``/``cancel``; the page's cancel button and the easy-pay screens)."""
    if form.get("action", "approve") == "cancel":
        return WindowChoice(Outcome.USER_CANCEL, "", 0)
    if method is not PaymentMethod.CARD:
        # Easy pay, transfer and virtual accounts approve unless the customer cancels;
        # easy pay may still carry a card (the wallet's card) for decline testing.
        card = form.get("card_number", "")
        if method in EASY_PAY_METHODS and card:
            return _card_choice(card, form)
        return WindowChoice(Outcome.APPROVE, "", 0)
    return _card_choice(form.get("card_number", ""), form)


def _card_choice(card_number: str, form: Mapping[str, str]) -> WindowChoice:
    digits = "".join(ch for ch in card_number if ch.isdigit())
    outcome = TEST_CARDS.get(digits, Outcome.INVALID_CARD)
    raw_months = form.get("installment_months", "") or "0"
    months = int(raw_months) if raw_months.isdigit() else 0
    masked = mask_card_number(digits) if digits else "****"
    return WindowChoice(outcome, masked, months if 2 <= months <= 12 else 0)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def issue_virtual_account(secret: bytes, order_id: str, issued_at: datetime) -> VirtualAccount:
    """A deterministic account per order, due ``VA_VALID_DAYS`` after issue (23:59:59 KST)."""
    digits = str(int(mac_hex(secret, "va", order_id, length=14), 16))[:12].rjust(12, "0")
    number = f"{digits[:3]}-{digits[3:9]}-{digits[9:]}"
    kst = timedelta(hours=9)
    due_local = (issued_at + kst + timedelta(days=VA_VALID_DAYS)).replace(
        hour=23, minute=59, second=59, microsecond=0
    )
    bank_code, bank = SANDBOX_VA_BANK
    return VirtualAccount(
        bank=bank,
        account_number=number,
        holder=SANDBOX_VA_HOLDER,
        due_date=(due_local - kst).replace(tzinfo=UTC),
        bank_code=bank_code,
    )


def check_refund(secret: bytes, prefix: str, request: RefundRequest) -> None:
    """The checks every sandbox refund makes before "calling" its gateway."""
    if not check_transaction_id(
        secret, prefix, request.transaction_id, request.order_id, request.paid_amount
    ):
        raise InvalidRequest("결제 정보를 찾을 수 없습니다.", code="unknown_transaction")
    validate_refund(request)
