"""The one gateway interface and the values that cross it.

Every gateway (Toss Payments, NHN KCP, KG Inicis), live or sandbox, implements ``Gateway``
and speaks only these types to the core. Wire formats stay in ``<gateway>/transformers.py``.
Money is always an ``int`` number of won; a float or bool amount is rejected on construction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from app.modes import Mode

#: Header under which the HTTP layer passes the notifier's peer address (set from the socket
#: or the trusted proxy, never copied from the client). KCP and Inicis authenticate their
#: notifications by source IP only.
PEER_ADDRESS_HEADER = "X-Gateway-Peer-Address"


class PaymentMethod(StrEnum):
    """Values are the API strings of ``paymentMethod``."""

    CARD = "card"
    VIRTUAL_ACCOUNT = "virtual_account"
    TRANSFER = "transfer"
    KAKAO_PAY = "kakao_pay"
    NAVER_PAY = "naver_pay"
    TOSS_PAY = "toss_pay"
    SAMSUNG_PAY = "samsung_pay"


EASY_PAY_METHODS = frozenset(
    {
        PaymentMethod.KAKAO_PAY,
        PaymentMethod.NAVER_PAY,
        PaymentMethod.TOSS_PAY,
        PaymentMethod.SAMSUNG_PAY,
    }
)


class GatewayName(StrEnum):
    TOSS = "toss"
    KCP = "kcp"
    INICIS = "inicis"


class PaymentStatus(StrEnum):
    """Unknown gateway states are ``PENDING``, never approved."""

    APPROVED = "approved"
    FAILED = "failed"
    WAITING_FOR_DEPOSIT = "waiting_for_deposit"
    PENDING = "pending"
    CANCELLED = "cancelled"


class FailureCode(StrEnum):
    INSUFFICIENT_FUNDS = "insufficient_funds"
    INVALID_CARD = "invalid_card"
    STOLEN_CARD = "stolen_card"
    CARD_DECLINED = "card_declined"
    TIMEOUT = "timeout"
    AMOUNT_MISMATCH = "amount_mismatch"
    USER_CANCELLED = "user_cancelled"
    EXPIRED = "expired"
    GATEWAY_ERROR = "gateway_error"


class RedirectMethod(StrEnum):
    GET = "GET"
    POST = "POST"
    #: Load the gateway's JavaScript SDK and hand it ``fields`` (live payment windows).
    JS_SDK = "JS_SDK"


class RefundStatus(StrEnum):
    SUCCEEDED = "succeeded"
    PENDING = "pending"


class NotificationKind(StrEnum):
    DEPOSIT = "deposit"
    DEPOSIT_CANCELLED = "deposit_cancelled"
    STATUS_CHANGED = "status_changed"


def _check_won(name: str, value: object, *, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int number of won")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be positive")


def mask_card_number(number: str) -> str:
    """``4330000000000001`` -> ``4330-****-****-0001``; never keep more than first/last 4."""
    digits = "".join(ch for ch in number if ch.isdigit() or ch == "*")
    if len(digits) < 8:
        return "****"
    return f"{digits[:4]}-****-****-{digits[-4:]}"


@dataclass(frozen=True)
class Customer:
    name: str
    email: str = ""
    phone: str = ""

    def __repr__(self) -> str:
        return "Customer(<redacted>)"  # personal data stays out of logs


@dataclass(frozen=True)
class PaymentRequest:
    """Start a payment. ``order_id`` is the checkout session id (``cs_...``)."""

    order_id: str
    amount: int
    order_name: str
    method: PaymentMethod
    customer: Customer
    success_url: str
    fail_url: str
    notify_url: str = ""
    installment_months: int | None = None

    def __post_init__(self) -> None:
        _check_won("amount", self.amount)
        months = self.installment_months
        if months is not None and not (months == 0 or 2 <= months <= 12):
            raise ValueError("installment_months must be 0 or 2..12")


@dataclass(frozen=True)
class WindowRedirect:
    """Where to send the customer's browser: the payment window or back to the shop."""

    url: str
    http_method: RedirectMethod
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConfirmRequest:
    """The window's return (query or form params) plus what the session expects."""

    params: Mapping[str, str]
    order_id: str
    expected_amount: int

    def __post_init__(self) -> None:
        _check_won("expected_amount", self.expected_amount)


@dataclass(frozen=True)
class CardDetails:
    company: str
    masked_number: str
    installment_months: int = 0


@dataclass(frozen=True)
class VirtualAccount:
    bank: str
    account_number: str
    holder: str
    due_date: datetime
    bank_code: str = ""


@dataclass(frozen=True)
class BankAccount:
    """The customer's account for a virtual-account refund."""

    bank_code: str
    account_number: str
    holder: str

    def __repr__(self) -> str:
        return f"BankAccount(bank_code={self.bank_code!r}, account_number='****')"


@dataclass(frozen=True)
class PaymentResult:
    gateway: GatewayName
    status: PaymentStatus
    order_id: str
    method: PaymentMethod | None = None
    transaction_id: str = ""
    amount: int = 0
    approved_at: datetime | None = None
    card: CardDetails | None = None
    virtual_account: VirtualAccount | None = None
    failure_code: FailureCode | None = None
    failure_message: str = ""
    gateway_code: str = ""
    #: ISO 4217 code of ``amount``; the core applies an approval only in the session's.
    currency: str = "KRW"

    @property
    def is_success(self) -> bool:
        return self.status is PaymentStatus.APPROVED


@dataclass(frozen=True)
class RefundRequest:
    """Refund ``amount``; ``refundable_amount`` is what remains before it (the core's
    ledger). ``amount > refundable_amount`` is rejected before any gateway call."""

    transaction_id: str
    order_id: str
    method: PaymentMethod
    paid_amount: int
    refundable_amount: int
    amount: int
    reason: str
    idempotency_key: str
    refund_account: BankAccount | None = None

    def __post_init__(self) -> None:
        _check_won("amount", self.amount)
        _check_won("paid_amount", self.paid_amount)
        _check_won("refundable_amount", self.refundable_amount, allow_zero=True)

    @property
    def is_partial(self) -> bool:
        return self.amount < self.paid_amount


@dataclass(frozen=True)
class RefundResult:
    gateway: GatewayName
    status: RefundStatus
    transaction_id: str
    refund_id: str
    amount: int
    remaining_amount: int
    refunded_at: datetime | None = None


@dataclass(frozen=True)
class CloseAccountRequest:
    """Close a virtual account that was never paid into (its session ended without the
    deposit), so a late deposit is refused by the bank instead of landing on a closed
    session. ``idempotency_key`` makes a repeated close one close."""

    transaction_id: str
    order_id: str
    amount: int
    reason: str
    idempotency_key: str

    def __post_init__(self) -> None:
        _check_won("amount", self.amount)


@dataclass(frozen=True)
class Notification:
    """A verified notification. ``amount`` is what actually moved (the deposit); the core
    completes a session only if ``status`` is APPROVED *and* ``amount`` equals its total.
    A known wrong deposit already comes as non-approved with ``AMOUNT_MISMATCH``."""

    gateway: GatewayName
    kind: NotificationKind
    event_id: str
    order_id: str
    transaction_id: str
    status: PaymentStatus
    amount: int | None = None
    expected_amount: int | None = None
    failure_code: FailureCode | None = None
    #: Body the HTTP layer must answer with (KCP and Inicis parse it), as text/plain or html.
    ack_body: str = "OK"
    ack_content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class SimulatedCallback:
    """A sandbox notification to deliver to our own notify endpoint (or parse directly)."""

    headers: Mapping[str, str]
    body: bytes


@runtime_checkable
class Gateway(Protocol):
    """What the core calls. Implementations store nothing; the core persists results."""

    name: GatewayName
    mode: Mode

    def start_payment(self, request: PaymentRequest) -> WindowRedirect: ...

    def confirm_payment(self, request: ConfirmRequest) -> PaymentResult: ...

    def refund(self, request: RefundRequest) -> RefundResult:
        """Refund (or void, for the whole amount). The same ``idempotency_key`` with the same
        request answers with the same refund, never a second one."""
        ...

    def close_virtual_account(self, request: CloseAccountRequest) -> None:
        """Close an unpaid virtual account; raises ``GatewayDeclined`` when refused."""
        ...

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification: ...


@runtime_checkable
class SandboxGateway(Gateway, Protocol):
    """Extra hooks only sandboxes have: the simulated window and simulated deposits."""

    def submit_window(self, form: Mapping[str, str]) -> WindowRedirect: ...

    def simulate_deposit(
        self, *, transaction_id: str, order_id: str, expected_amount: int, deposited_amount: int
    ) -> SimulatedCallback: ...
