"""Toss Payments wire format <-> our types. Pure functions, no I/O.

Documentation followed:
- Payment window and return: https://docs.tosspayments.com/guides/v2/payment-window
  (``requestPayment`` with ``method``/``amount``/``orderId``/``orderName``/``successUrl``/
  ``failUrl``; success returns ``successUrl?paymentKey&orderId&amount``, failure returns
  ``failUrl?code&message&orderId``; the merchant checks ``amount`` before confirming).
- Confirm: ``POST /v1/payments/confirm`` with ``{paymentKey, orderId, amount}`` and
  ``Authorization: Basic base64(secretKey + ":")``
  (https://docs.tosspayments.com/reference#결제-승인, sample ``tosspayments-sample``).
- Payment object, statuses READY / IN_PROGRESS / WAITING_FOR_DEPOSIT / DONE / CANCELED /
  PARTIAL_CANCELED / ABORTED / EXPIRED: https://docs.tosspayments.com/reference#payment-객체
- Cancel: ``POST /v1/payments/{paymentKey}/cancel`` with ``cancelReason``, ``cancelAmount``
  and ``refundReceiveAccount {bank, accountNumber, holderName}`` for virtual accounts
  (https://docs.tosspayments.com/guides/v2/cancel-payment); the ``Idempotency-Key`` header
  makes a repeated cancel answer with the first one's result (the reference's 멱등키
  section). Cancelling a
  ``WAITING_FOR_DEPOSIT`` payment withdraws its virtual account.
- Error codes: https://docs.tosspayments.com/reference/error-codes
- Webhooks ``DEPOSIT_CALLBACK`` ``{createdAt, secret, status, transactionKey, orderId}``
  whose ``secret`` equals the Payment's ``secret``: https://docs.tosspayments.com/en/webhooks
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.gateways.base import (
    CardDetails,
    CloseAccountRequest,
    ConfirmRequest,
    FailureCode,
    GatewayName,
    PaymentMethod,
    PaymentRequest,
    PaymentResult,
    PaymentStatus,
    RefundRequest,
    RefundResult,
    RefundStatus,
    VirtualAccount,
    mask_card_number,
)
from app.gateways.common import amount_mismatch, failed
from app.gateways.errors import InvalidRedirect
from app.gateways.toss.codes import BANKS, CARD_ISSUERS

API_BASE_URL = "https://api.tosspayments.com"
SDK_URL = "https://js.tosspayments.com/v2/standard"

STATUS_MAP: Mapping[str, PaymentStatus] = {
    "READY": PaymentStatus.PENDING,
    "IN_PROGRESS": PaymentStatus.PENDING,
    "WAITING_FOR_DEPOSIT": PaymentStatus.WAITING_FOR_DEPOSIT,
    "DONE": PaymentStatus.APPROVED,
    "CANCELED": PaymentStatus.CANCELLED,
    # Still a paid payment; the core's refund ledger knows how much was returned.
    "PARTIAL_CANCELED": PaymentStatus.APPROVED,
    "ABORTED": PaymentStatus.FAILED,
    "EXPIRED": PaymentStatus.FAILED,
}

ERROR_MAP: Mapping[str, FailureCode] = {
    "PAY_PROCESS_CANCELED": FailureCode.USER_CANCELLED,
    "PAY_PROCESS_ABORTED": FailureCode.CARD_DECLINED,
    "REJECT_CARD_COMPANY": FailureCode.CARD_DECLINED,
    "INVALID_REJECT_CARD": FailureCode.CARD_DECLINED,
    "EXCEED_MAX_DAILY_PAYMENT_COUNT": FailureCode.CARD_DECLINED,
    "EXCEED_MAX_PAYMENT_AMOUNT": FailureCode.CARD_DECLINED,
    "REJECT_CARD_PAYMENT": FailureCode.INSUFFICIENT_FUNDS,
    "REJECT_ACCOUNT_PAYMENT": FailureCode.INSUFFICIENT_FUNDS,
    "NOT_ENOUGH_BALANCE": FailureCode.INSUFFICIENT_FUNDS,
    "INVALID_CARD_NUMBER": FailureCode.INVALID_CARD,
    "INVALID_CARD_EXPIRATION": FailureCode.INVALID_CARD,
    "INVALID_STOPPED_CARD": FailureCode.INVALID_CARD,
    "INVALID_CARD_LOST_OR_STOLEN": FailureCode.STOLEN_CARD,
    "NOT_FOUND_PAYMENT_SESSION": FailureCode.EXPIRED,
}

#: ``method`` of the Payment object (Korean) -> ours; easy pay is refined by provider.
_WIRE_METHOD: Mapping[str, PaymentMethod] = {
    "카드": PaymentMethod.CARD,
    "가상계좌": PaymentMethod.VIRTUAL_ACCOUNT,
    "계좌이체": PaymentMethod.TRANSFER,
}
_EASY_PAY_PROVIDER: Mapping[str, PaymentMethod] = {
    "카카오페이": PaymentMethod.KAKAO_PAY,
    "네이버페이": PaymentMethod.NAVER_PAY,
    "토스페이": PaymentMethod.TOSS_PAY,
    "삼성페이": PaymentMethod.SAMSUNG_PAY,
}
#: Our method -> (window ``method``, ``easyPay`` for the direct easy-pay window).
WINDOW_METHOD: Mapping[PaymentMethod, tuple[str, str]] = {
    PaymentMethod.CARD: ("CARD", ""),
    PaymentMethod.VIRTUAL_ACCOUNT: ("VIRTUAL_ACCOUNT", ""),
    PaymentMethod.TRANSFER: ("TRANSFER", ""),
    PaymentMethod.KAKAO_PAY: ("CARD", "KAKAOPAY"),
    PaymentMethod.NAVER_PAY: ("CARD", "NAVERPAY"),
    PaymentMethod.TOSS_PAY: ("CARD", "TOSSPAY"),
    PaymentMethod.SAMSUNG_PAY: ("CARD", "SAMSUNGPAY"),
}
EASY_PAY_NAMES: Mapping[str, str] = {
    "KAKAOPAY": "카카오페이",
    "NAVERPAY": "네이버페이",
    "TOSSPAY": "토스페이",
    "SAMSUNGPAY": "삼성페이",
}


@dataclass(frozen=True)
class Redirect:
    """A parsed return from the window: success has a payment key, failure a code."""

    order_id: str
    payment_key: str = ""
    amount: int | None = None
    code: str = ""
    message: str = ""

    @property
    def succeeded(self) -> bool:
        return bool(self.payment_key) and not self.code


def basic_auth(secret_key: str) -> str:
    token = base64.b64encode(f"{secret_key}:".encode()).decode("ascii")
    return f"Basic {token}"


def window_fields(request: PaymentRequest, client_key: str) -> dict[str, str]:
    """The ``requestPayment`` parameters, flattened to strings for a form or the SDK."""
    method, easy_pay = WINDOW_METHOD[request.method]
    fields = {
        "clientKey": client_key,
        "method": method,
        "amount": str(request.amount),
        "currency": "KRW",
        "orderId": request.order_id,
        "orderName": request.order_name,
        "successUrl": request.success_url,
        "failUrl": request.fail_url,
        "customerName": request.customer.name,
        "customerEmail": request.customer.email,
        "customerMobilePhone": request.customer.phone.replace("-", ""),
    }
    if easy_pay:
        fields["flowMode"] = "DIRECT"
        fields["easyPay"] = easy_pay
    if request.method is PaymentMethod.CARD and request.installment_months:
        fields["cardInstallmentPlan"] = str(request.installment_months)
    return fields


def parse_redirect(params: Mapping[str, str]) -> Redirect:
    order_id = params.get("orderId", "")
    if params.get("code"):
        return Redirect(order_id=order_id, code=params["code"], message=params.get("message", ""))
    raw_amount = params.get("amount", "")
    amount = int(raw_amount) if raw_amount.isdecimal() else None
    return Redirect(order_id=order_id, payment_key=params.get("paymentKey", ""), amount=amount)


def confirm_body(payment_key: str, order_id: str, amount: int) -> dict[str, Any]:
    return {"paymentKey": payment_key, "orderId": order_id, "amount": amount}


def check_redirect(request: ConfirmRequest) -> dict[str, Any] | PaymentResult:
    """The window's return against the session: the confirm body to send, or the final
    result without a call (declined in the window; Toss's rule: an ``amount`` other than
    the order's is never confirmed). A return for another order is forged."""
    redirect = parse_redirect(request.params)
    if redirect.order_id != request.order_id:
        raise InvalidRedirect()
    if not redirect.succeeded:
        return failed_result(request.order_id, redirect.code, redirect.message)
    if redirect.amount != request.expected_amount:
        return amount_mismatch(GatewayName.TOSS, request.order_id)
    return confirm_body(redirect.payment_key, request.order_id, request.expected_amount)


def failure_code(code: str) -> FailureCode:
    """Unknown error codes of a refused payment are a gateway error, never a success."""
    return ERROR_MAP.get(code, FailureCode.GATEWAY_ERROR)


def failed_result(order_id: str, code: str, message: str) -> PaymentResult:
    return failed(GatewayName.TOSS, order_id, failure_code(code), message, code)


def status_of(wire_status: str) -> PaymentStatus:
    return STATUS_MAP.get(wire_status, PaymentStatus.PENDING)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value)


def method_of(payment: Mapping[str, Any]) -> PaymentMethod | None:
    easy_pay = payment.get("easyPay") or {}
    provider = easy_pay.get("provider", "") if isinstance(easy_pay, dict) else ""
    if provider in _EASY_PAY_PROVIDER:
        return _EASY_PAY_PROVIDER[provider]
    return _WIRE_METHOD.get(str(payment.get("method", "")))


def parse_payment(payment: Mapping[str, Any]) -> PaymentResult:
    """A Payment object -> our result. The ``status`` alone decides approval."""
    status = status_of(str(payment.get("status", "")))
    card = None
    raw_card = payment.get("card")
    if isinstance(raw_card, dict):
        card = CardDetails(
            company=CARD_ISSUERS.get(str(raw_card.get("issuerCode", "")), "카드"),
            masked_number=mask_card_number(str(raw_card.get("number", ""))),
            installment_months=int(raw_card.get("installmentPlanMonths") or 0),
        )
    account = None
    raw_va = payment.get("virtualAccount")
    if isinstance(raw_va, dict) and raw_va.get("accountNumber"):
        bank_code = str(raw_va.get("bankCode", ""))
        account = VirtualAccount(
            bank=BANKS.get(bank_code, bank_code),
            account_number=str(raw_va["accountNumber"]),
            holder=str(raw_va.get("customerName", "")),
            due_date=_parse_time(raw_va.get("dueDate")) or datetime.min,
            bank_code=bank_code,
        )
    failure = payment.get("failure") if isinstance(payment.get("failure"), dict) else None
    return PaymentResult(
        gateway=GatewayName.TOSS,
        status=status,
        order_id=str(payment.get("orderId", "")),
        method=method_of(payment),
        transaction_id=str(payment.get("paymentKey", "")),
        amount=int(payment.get("totalAmount") or 0),
        approved_at=_parse_time(payment.get("approvedAt")),
        card=card,
        virtual_account=account,
        failure_code=failure_code(str(failure["code"])) if failure else None,
        failure_message=str(failure["message"]) if failure else "",
        gateway_code=str(failure["code"]) if failure else "",
        currency=str(payment.get("currency") or "KRW"),
    )


def cancel_body(request: RefundRequest) -> dict[str, Any]:
    body: dict[str, Any] = {
        "cancelReason": request.reason or "고객 요청",
        "cancelAmount": request.amount,
    }
    # Guards against a concurrent refund on the gateway side as well: Toss refuses the
    # cancel when its balance differs from what we believe remains.
    body["refundableAmount"] = request.refundable_amount
    if request.refund_account is not None:
        body["refundReceiveAccount"] = {
            "bank": request.refund_account.bank_code,
            "accountNumber": request.refund_account.account_number,
            "holderName": request.refund_account.holder,
        }
    return body


def close_account_body(request: CloseAccountRequest) -> dict[str, Any]:
    """A cancel without ``cancelAmount`` cancels all of it: for an unpaid virtual account,
    the account itself."""
    return {"cancelReason": request.reason}


def parse_cancel(payment: Mapping[str, Any], request: RefundRequest) -> RefundResult:
    cancels = payment.get("cancels") or []
    last = cancels[-1] if cancels and isinstance(cancels[-1], dict) else {}
    wire_status = str(last.get("cancelStatus", "DONE"))
    return RefundResult(
        gateway=GatewayName.TOSS,
        status=RefundStatus.SUCCEEDED if wire_status == "DONE" else RefundStatus.PENDING,
        transaction_id=request.transaction_id,
        refund_id=str(last.get("transactionKey", "")),
        amount=int(last.get("cancelAmount") or request.amount),
        remaining_amount=int(payment.get("balanceAmount") or 0),
        refunded_at=_parse_time(last.get("canceledAt")),
    )


@dataclass(frozen=True)
class DepositCallback:
    order_id: str
    secret: str
    status: str
    transaction_key: str
    created_at: str


def parse_deposit_callback(body: Mapping[str, Any]) -> DepositCallback:
    """``DEPOSIT_CALLBACK``: no event type, no amount; ``secret`` authenticates it."""
    try:
        return DepositCallback(
            order_id=str(body["orderId"]),
            secret=str(body["secret"]),
            status=str(body["status"]),
            transaction_key=str(body.get("transactionKey", "")),
            created_at=str(body.get("createdAt", "")),
        )
    except KeyError as exc:
        raise ValueError("not a DEPOSIT_CALLBACK body") from exc
