"""The simulated Toss Payments server: answers wire requests with wire responses.

Only the sandbox adapter calls it, in process, with the same JSON bodies the live client
sends over HTTP. Keys and transaction keys are sealed tokens (see ``sandbox_kit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.gateways.base import PaymentMethod
from app.gateways.common import KST
from app.gateways.sandbox_kit import (
    SANDBOX_VA_HOLDER,
    Authorization,
    Outcome,
    TamperedToken,
    issue_virtual_account,
    mac_hex,
    now_utc,
    seal,
    unseal,
)
from app.gateways.toss import transformers as tx

KEY_PURPOSE = "toss.paymentKey"
DEPOSIT_PURPOSE = "toss.transactionKey"

#: Sandbox outcome -> the Toss error code and message it answers with.
DECLINES: Mapping[Outcome, tuple[str, str]] = {
    Outcome.USER_CANCEL: ("PAY_PROCESS_CANCELED", "사용자에 의해 결제가 취소되었습니다."),
    Outcome.INVALID_CARD: ("INVALID_CARD_NUMBER", "카드번호를 다시 확인해주세요."),
    Outcome.INSUFFICIENT_FUNDS: (
        "REJECT_CARD_PAYMENT",
        "한도초과 혹은 잔액부족으로 결제에 실패했습니다.",
    ),
    Outcome.STOLEN_CARD: ("INVALID_CARD_LOST_OR_STOLEN", "분실 혹은 도난 카드입니다."),
    Outcome.DECLINED: ("REJECT_CARD_COMPANY", "결제 승인이 거절되었습니다."),
}
#: Declines Toss reports on the window (failUrl); the others surface at confirm.
WINDOW_DECLINES = frozenset({Outcome.USER_CANCEL, Outcome.INVALID_CARD})
NOT_FOUND = {"code": "NOT_FOUND_PAYMENT", "message": "존재하지 않는 결제 정보 입니다."}


def kst_iso(moment: datetime) -> str:
    return moment.astimezone(KST).isoformat()


class TossSandboxApi:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def __repr__(self) -> str:
        return "TossSandboxApi(<secret>)"

    def issue_payment_key(self, authorization: Authorization) -> str:
        return authorization.seal(self._secret, KEY_PURPOSE)

    def deposit_secret(self, order_id: str) -> str:
        """The Payment's ``secret``, echoed by every DEPOSIT_CALLBACK of that order."""
        return mac_hex(self._secret, "toss.secret", order_id, length=32)

    def confirm(self, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """``POST /v1/payments/confirm``. A timeout card raises like a dead socket would."""
        try:
            key = Authorization.unseal(self._secret, KEY_PURPOSE, str(body["paymentKey"]))
        except TamperedToken:
            return 404, dict(NOT_FOUND)
        if key.order_id != body["orderId"] or key.amount != body["amount"]:
            return 400, {"code": "INVALID_REQUEST", "message": "잘못된 요청입니다."}
        declined = key.decline(DECLINES)
        if declined:
            return 403, {"code": declined[0], "message": declined[1]}
        return 200, self._payment_object(key, str(body["paymentKey"]))

    def _payment_object(self, key: Authorization, payment_key: str) -> dict[str, Any]:
        method, issued = key.method, key.issued_at
        payment: dict[str, Any] = {
            "mId": "tosspayments",
            "version": "2022-11-16",
            "paymentKey": payment_key,
            "orderId": key.order_id,
            "currency": "KRW",
            "status": "DONE",
            "requestedAt": kst_iso(issued),
            "approvedAt": kst_iso(issued),
            "totalAmount": key.amount,
            "balanceAmount": key.amount,
            "method": "카드",
            "card": None,
            "virtualAccount": None,
            "easyPay": None,
            "secret": None,
            "failure": None,
        }
        if method is PaymentMethod.VIRTUAL_ACCOUNT:
            payment.update(self._virtual_account(key.order_id, issued))
        elif method is PaymentMethod.TRANSFER:
            payment["method"] = "계좌이체"
            payment["transfer"] = {"bankCode": "88", "settlementStatus": "COMPLETED"}
        elif key.masked_card:
            payment["card"] = {
                "issuerCode": "41",
                "acquirerCode": "41",
                "number": key.card_digits,
                "installmentPlanMonths": key.installment_months,
                "isInterestFree": False,
                "approveNo": mac_hex(self._secret, "approve", payment_key, length=8),
                "cardType": "신용",
                "ownerType": "개인",
                "acquireStatus": "READY",
                "amount": key.amount,
            }
        easy_pay = tx.WINDOW_METHOD[method][1]
        if easy_pay:
            payment["method"] = "간편결제"
            payment["easyPay"] = {
                "provider": tx.EASY_PAY_NAMES[easy_pay],
                "amount": key.amount,
                "discountAmount": 0,
            }
        return payment

    def _virtual_account(self, order_id: str, issued: datetime) -> dict[str, Any]:
        account = issue_virtual_account(self._secret, order_id, issued)
        return {
            "status": "WAITING_FOR_DEPOSIT",
            "approvedAt": None,
            "method": "가상계좌",
            "secret": self.deposit_secret(order_id),
            "virtualAccount": {
                "accountType": "일반",
                "accountNumber": account.account_number,
                "bankCode": "06",
                "customerName": SANDBOX_VA_HOLDER,
                "dueDate": kst_iso(account.due_date),
                "refundStatus": "NONE",
                "expired": False,
                "settlementStatus": "INCOMPLETED",
            },
        }

    def cancel(
        self, payment_key: str, body: Mapping[str, Any], *, total: int, order_id: str, key: str
    ) -> tuple[int, dict[str, Any]]:
        """``POST /v1/payments/{paymentKey}/cancel``; ``key`` is the Idempotency-Key."""
        balance = int(body["refundableAmount"])
        amount = int(body["cancelAmount"])
        if amount > balance:
            return 400, {"code": "NOT_CANCELABLE_AMOUNT", "message": "취소 할 수 없는 금액 입니다."}
        remaining = balance - amount
        cancel = {
            "cancelAmount": amount,
            "cancelReason": body["cancelReason"],
            "canceledAt": kst_iso(now_utc()),
            "transactionKey": mac_hex(self._secret, "toss.cancel", payment_key, key, length=32),
            "cancelStatus": "DONE",
        }
        return 200, {
            "paymentKey": payment_key,
            "orderId": order_id,
            "status": "CANCELED" if remaining == 0 else "PARTIAL_CANCELED",
            "totalAmount": total,
            "balanceAmount": remaining,
            "cancels": [cancel],
        }

    def close_account(
        self, payment_key: str, body: Mapping[str, Any], *, order_id: str
    ) -> tuple[int, dict[str, Any]]:
        """``POST /v1/payments/{paymentKey}/cancel`` of an unpaid virtual account. Nothing is
        stored, so the same request (and Idempotency-Key) always gets the same answer."""
        if not body.get("cancelReason"):
            return 400, {"code": "INVALID_REQUEST", "message": "잘못된 요청입니다."}
        return 200, {"paymentKey": payment_key, "orderId": order_id, "status": "CANCELED"}

    def deposit_callback(
        self, *, transaction_id: str, order_id: str, expected: int, deposited: int
    ) -> dict[str, Any]:
        """A DEPOSIT_CALLBACK body. Toss's bank refuses a deposit of the wrong amount, so
        the payment stays WAITING_FOR_DEPOSIT; the sealed ``transactionKey`` records it."""
        status = "DONE" if deposited == expected else "WAITING_FOR_DEPOSIT"
        deposit = {"x": transaction_id, "d": deposited, "e": expected}
        created = now_utc().astimezone(KST).replace(tzinfo=None).isoformat(timespec="microseconds")
        return {
            "createdAt": created,
            "secret": self.deposit_secret(order_id),
            "status": status,
            "transactionKey": seal(self._secret, DEPOSIT_PURPOSE, deposit),
            "orderId": order_id,
        }

    def read_deposit(self, transaction_key: str) -> dict[str, Any]:
        return unseal(self._secret, DEPOSIT_PURPOSE, transaction_key)
