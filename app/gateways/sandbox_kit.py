"""Shared machinery of the three sandboxes: signed tokens, test cards, window choices.

"Connectors store nothing": a sandbox never remembers a payment. Everything it must know
later (order id, amount, method, card outcome) travels inside the gateway's own opaque
values (Toss ``paymentKey``, KCP ``enc_data``, Inicis ``authToken``), sealed with an
HMAC-SHA256 over a sandbox secret and checked with ``hmac.compare_digest``. Transaction ids
are MACs of (order id, amount), so a refund can prove the id belongs to that payment.

The window form itself passes through the customer's browser, so ``start_payment`` seals the
attempt (method, order id, amount, return URLs) into ``WINDOW_SEAL_FIELD`` and
``submit_window`` refuses a form whose fields no longer match it (``check_window``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, urlencode

from app.gateways.base import (
    EASY_PAY_METHODS,
    FailureCode,
    PaymentMethod,
    RefundRequest,
    SimulatedCallback,
    VirtualAccount,
    mask_card_number,
)
from app.gateways.common import KST, header, validate_refund
from app.gateways.errors import (
    GatewayTimeout,
    InvalidNotification,
    InvalidRequest,
    InvalidWindowSubmission,
)

log = logging.getLogger(__name__)

#: Sandbox notifications come from our own process, so they are signed with an HMAC of the
#: body under this header, where KCP and Inicis rely on their source IPs.
SIGNATURE_HEADER = "X-Sandbox-Signature"
MIN_SECRET_BYTES = 16
SANDBOX_VA_HOLDER = "코리아체크아웃(주)"
VA_VALID_DAYS = 3
#: Sandbox-only window field: ``start_payment``'s seal over the attempt it opened.
WINDOW_SEAL_FIELD = "sandbox_seal"


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


def check_secret(secret: bytes) -> bytes:
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"sandbox secret must be at least {MIN_SECRET_BYTES} bytes")
    return secret


def transaction_id(secret: bytes, prefix: str, order_id: str, amount: int) -> str:
    """``toss_tx_<mac>``: verifiable later from (order id, paid amount) without storage."""
    return f"{prefix}{mac_hex(secret, 'tx', order_id, str(amount))}"


def check_transaction_id(
    secret: bytes, prefix: str, tx_id: str, order_id: str, amount: int
) -> bool:
    return hmac.compare_digest(transaction_id(secret, prefix, order_id, amount), tx_id)


def require_transaction(secret: bytes, prefix: str, tx_id: str, order_id: str, amount: int) -> None:
    """A sandbox only acts on transaction ids it issued for that order and amount."""
    if not check_transaction_id(secret, prefix, tx_id, order_id, amount):
        raise InvalidRequest("결제 정보를 찾을 수 없습니다.", code="unknown_transaction")


def seal_window(
    secret: bytes,
    purpose: str,
    method: PaymentMethod,
    fields: Mapping[str, str],
    bound: Iterable[str],
) -> str:
    """The ``WINDOW_SEAL_FIELD`` value for a window ``start_payment`` opened: the attempt's
    method and the ``bound`` fields (order id, amount, method fields, return URLs) as sent."""
    payload = {"m": method.value, "f": {name: fields.get(name, "") for name in bound}}
    return seal(secret, purpose, payload)


def check_window(
    secret: bytes,
    purpose: str,
    form: Mapping[str, str],
    method: PaymentMethod,
    bound: Iterable[str],
) -> PaymentMethod:
    """The method ``start_payment`` sealed, if the submitted window still matches it: the
    seal verifies, ``method`` (read from the form) is the sealed one and every ``bound``
    field is unchanged. Anything else (a method switched to one that needs no test card, a
    swapped return URL, a missing seal) is ``InvalidWindowSubmission``."""
    names = tuple(bound)
    try:
        payload = unseal(secret, purpose, form.get(WINDOW_SEAL_FIELD, ""))
        sealed_method = PaymentMethod(payload["m"])
        sealed_fields = payload["f"]
    except (TamperedToken, KeyError, TypeError, ValueError) as exc:
        raise InvalidWindowSubmission() from exc
    if not isinstance(sealed_fields, dict) or set(sealed_fields) != set(names):
        raise InvalidWindowSubmission()
    same = method is sealed_method
    for name in names:
        sealed_value = str(sealed_fields[name]).encode("utf-8")
        same &= hmac.compare_digest(sealed_value, form.get(name, "").encode("utf-8"))
    if not same:
        log.info("sandbox window form does not match its seal")
        raise InvalidWindowSubmission()
    return sealed_method


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
    months = int(raw_months) if raw_months.isdecimal() else 0
    masked = mask_card_number(digits) if digits else "****"
    return WindowChoice(outcome, masked, months if 2 <= months <= 12 else 0)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Authorization:
    """What the sandbox window authorized, sealed into the gateway's opaque value (Toss
    ``paymentKey``, KCP ``enc_data``, Inicis ``authToken``) until the approval call."""

    order_id: str
    amount: int
    method: PaymentMethod
    outcome: Outcome
    masked_card: str
    installment_months: int
    issued_at: datetime

    @classmethod
    def from_window(
        cls, order_id: str, amount: int, method: PaymentMethod, choice: WindowChoice, months: int
    ) -> Authorization:
        """``months`` is the window's own plan, used when the customer picked none."""
        return cls(
            order_id=order_id,
            amount=amount,
            method=method,
            outcome=choice.outcome,
            masked_card=choice.masked_card,
            installment_months=choice.installment_months or months,
            issued_at=now_utc(),
        )

    def seal(self, secret: bytes, purpose: str) -> str:
        payload = {
            "o": self.order_id,
            "a": self.amount,
            "m": self.method.value,
            "c": self.outcome.value,
            "n": self.masked_card,
            "i": self.installment_months,
            "t": int(self.issued_at.timestamp()),
        }
        return seal(secret, purpose, payload)

    @classmethod
    def unseal(cls, secret: bytes, purpose: str, token: str) -> Authorization:
        payload = unseal(secret, purpose, token)
        try:
            return cls(
                order_id=str(payload["o"]),
                amount=int(payload["a"]),
                method=PaymentMethod(payload["m"]),
                outcome=Outcome(payload["c"]),
                masked_card=str(payload["n"]),
                installment_months=int(payload["i"]),
                issued_at=datetime.fromtimestamp(payload["t"], UTC),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TamperedToken("malformed payload") from exc

    @classmethod
    def sealed_method(cls, secret: bytes, purpose: str, token: str) -> PaymentMethod | None:
        """The method `token` was authorized for; None if this sandbox never issued it."""
        try:
            return cls.unseal(secret, purpose, token).method
        except TamperedToken:
            return None

    @property
    def card_digits(self) -> str:
        return self.masked_card.replace("-", "")

    def decline(self, declines: Mapping[Outcome, tuple[str, str]]) -> tuple[str, str] | None:
        """The gateway's (code, message) for a declining card, or None to approve. A timeout
        card raises like a dead socket would, so the caller sees an unknown outcome."""
        if self.outcome is Outcome.TIMEOUT:
            log.info("sandbox simulated an approval timeout", extra={"order_id": self.order_id})
            raise GatewayTimeout()
        return declines.get(self.outcome)


def signed_form_callback(secret: bytes, purpose: str, form: Mapping[str, str]) -> SimulatedCallback:
    """A form-encoded sandbox notification, signed under ``SIGNATURE_HEADER``."""
    body = urlencode(form).encode("utf-8")
    headers = {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        SIGNATURE_HEADER: _body_signature(secret, purpose, body.decode("utf-8")),
    }
    return SimulatedCallback(headers, body)


def verified_form(
    secret: bytes, purpose: str, headers: Mapping[str, str], body: bytes
) -> dict[str, str]:
    """The form of a sandbox notification whose signature verifies; else InvalidNotification."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidNotification() from exc
    expected = _body_signature(secret, purpose, text)
    if not hmac.compare_digest(expected, header(headers, SIGNATURE_HEADER)):
        raise InvalidNotification()
    return dict(parse_qsl(text))


def _body_signature(secret: bytes, purpose: str, text: str) -> str:
    return mac_hex(secret, purpose, text, length=64)


def issue_virtual_account(secret: bytes, order_id: str, issued_at: datetime) -> VirtualAccount:
    """A deterministic account per order, due ``VA_VALID_DAYS`` after issue (23:59:59 KST)."""
    digits = str(int(mac_hex(secret, "va", order_id, length=14), 16))[:12].rjust(12, "0")
    number = f"{digits[:3]}-{digits[3:9]}-{digits[9:]}"
    due_local = (issued_at.astimezone(KST) + timedelta(days=VA_VALID_DAYS)).replace(
        hour=23, minute=59, second=59, microsecond=0
    )
    bank_code, bank = SANDBOX_VA_BANK
    return VirtualAccount(
        bank=bank,
        account_number=number,
        holder=SANDBOX_VA_HOLDER,
        due_date=due_local.astimezone(UTC),
        bank_code=bank_code,
    )


def check_refund(secret: bytes, prefix: str, request: RefundRequest) -> None:
    """The checks every sandbox refund makes before "calling" its gateway."""
    require_transaction(
        secret, prefix, request.transaction_id, request.order_id, request.paid_amount
    )
    validate_refund(request)
