"""Toss Payments sandbox: a real ``Gateway`` that simulates Toss's window and API in process.

The round trip is Toss's: window -> ``successUrl?paymentKey&orderId&amount`` (or
``failUrl?code&message&orderId``) -> confirm with ``{paymentKey, orderId, amount}`` answered
with a Payment object or a Toss error body (``sandbox_api``). Requests and responses go
through the same ``transformers`` as the live client. Nothing is stored.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import replace

from app.gateways.base import (
    CloseAccountRequest,
    ConfirmRequest,
    FailureCode,
    GatewayName,
    Mode,
    Notification,
    NotificationKind,
    PaymentMethod,
    PaymentRequest,
    PaymentResult,
    PaymentStatus,
    RedirectMethod,
    RefundRequest,
    RefundResult,
    SimulatedCallback,
    WindowRedirect,
)
from app.gateways.common import with_query
from app.gateways.errors import (
    GatewayDeclined,
    InvalidNotification,
    InvalidRedirect,
    InvalidWindowSubmission,
)
from app.gateways.sandbox_kit import (
    WINDOW_SEAL_FIELD,
    Authorization,
    TamperedToken,
    check_refund,
    check_secret,
    check_window,
    read_choice,
    require_transaction,
    seal_window,
    transaction_id,
)
from app.gateways.toss import transformers as tx
from app.gateways.toss.sandbox_api import DECLINES, WINDOW_DECLINES, TossSandboxApi

TX_PREFIX = "toss_tx_"
WINDOW_PURPOSE = "toss.window"
#: Window fields sealed by ``start_payment``: the attempt's order, amount, method, returns.
WINDOW_BOUND = ("orderId", "amount", "method", "easyPay", "flowMode", "successUrl", "failUrl")


class TossSandbox:
    """Sandbox Toss Payments. ``secret`` seals keys; ``window_url`` is our simulated window."""

    name = GatewayName.TOSS
    mode = Mode.TEST

    def __init__(
        self, *, secret: bytes, window_url: str, client_key: str = "test_ck_sandbox"
    ) -> None:
        self._secret = check_secret(secret)
        self._api = TossSandboxApi(secret)
        self._window_url = window_url
        self._client_key = client_key

    def __repr__(self) -> str:
        return "TossSandbox(<secret>)"

    def start_payment(self, request: PaymentRequest) -> WindowRedirect:
        fields = tx.window_fields(request, self._client_key)
        fields[WINDOW_SEAL_FIELD] = seal_window(
            self._secret, WINDOW_PURPOSE, request.method, fields, WINDOW_BOUND
        )
        return WindowRedirect(self._window_url, RedirectMethod.POST, fields)

    def submit_window(self, form: Mapping[str, str]) -> WindowRedirect:
        """The customer pressed pay/cancel in the sandbox window: go back like Toss does."""
        try:
            order_id, amount = form["orderId"], int(form["amount"])
            success_url, fail_url = form["successUrl"], form["failUrl"]
            method = _method_from_window(form)
        except (KeyError, ValueError) as exc:
            raise InvalidWindowSubmission() from exc
        # The method the payment was started with, never one switched in the window.
        method = check_window(self._secret, WINDOW_PURPOSE, form, method, WINDOW_BOUND)
        choice = read_choice(form, method)
        if choice.outcome in WINDOW_DECLINES:
            code, message = DECLINES[choice.outcome]
            query = {"code": code, "message": message, "orderId": order_id}
            return WindowRedirect(with_query(fail_url, query), RedirectMethod.GET)
        months = int(form.get("cardInstallmentPlan") or 0)
        key = self._api.issue_payment_key(
            Authorization.from_window(order_id, amount, method, choice, months)
        )
        query = {"paymentKey": key, "orderId": order_id, "amount": str(amount)}
        return WindowRedirect(with_query(success_url, query), RedirectMethod.GET)

    def confirm_payment(self, request: ConfirmRequest) -> PaymentResult:
        body = tx.check_redirect(request)
        if isinstance(body, PaymentResult):
            return body
        status, answer = self._api.confirm(body)
        if status == 404:
            raise InvalidRedirect()
        if status != 200:
            return tx.failed_result(request.order_id, answer["code"], answer["message"])
        result = tx.parse_payment(answer)
        # The sandbox's gatewayTransactionId is the verifiable toss_tx_ id, not the key.
        tx_id = transaction_id(self._secret, TX_PREFIX, result.order_id, result.amount)
        return replace(result, transaction_id=tx_id)

    def refund(self, request: RefundRequest) -> RefundResult:
        check_refund(self._secret, TX_PREFIX, request)
        status, answer = self._api.cancel(
            request.transaction_id,
            tx.cancel_body(request),
            total=request.paid_amount,
            order_id=request.order_id,
            key=request.idempotency_key,
        )
        if status != 200:
            raise GatewayDeclined(answer["message"], gateway_code=answer["code"])
        return tx.parse_cancel(answer, request)

    def close_virtual_account(self, request: CloseAccountRequest) -> None:
        require_transaction(
            self._secret, TX_PREFIX, request.transaction_id, request.order_id, request.amount
        )
        status, answer = self._api.close_account(
            request.transaction_id, tx.close_account_body(request), order_id=request.order_id
        )
        if status != 200:
            raise GatewayDeclined(answer["message"], gateway_code=answer["code"])

    def simulate_deposit(
        self, *, transaction_id: str, order_id: str, expected_amount: int, deposited_amount: int
    ) -> SimulatedCallback:
        require_transaction(self._secret, TX_PREFIX, transaction_id, order_id, expected_amount)
        body = self._api.deposit_callback(
            transaction_id=transaction_id,
            order_id=order_id,
            expected=expected_amount,
            deposited=deposited_amount,
        )
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return SimulatedCallback({"Content-Type": "application/json"}, raw)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        try:
            callback = tx.parse_deposit_callback(json.loads(body))
            deposit = self._api.read_deposit(callback.transaction_key)
        except (ValueError, TypeError, TamperedToken) as exc:
            raise InvalidNotification() from exc
        expected_secret = self._api.deposit_secret(callback.order_id).encode()
        if not hmac.compare_digest(expected_secret, callback.secret.encode()):
            raise InvalidNotification()
        status = tx.status_of(callback.status)
        mismatch = deposit["d"] != deposit["e"]
        if mismatch and status is PaymentStatus.APPROVED:
            status = PaymentStatus.PENDING  # never approved for a wrong deposit
        return Notification(
            gateway=GatewayName.TOSS,
            kind=NotificationKind.DEPOSIT,
            event_id=f"{callback.order_id}:{callback.status}:{callback.transaction_key[-24:]}",
            order_id=callback.order_id,
            transaction_id=str(deposit["x"]),
            status=status,
            amount=int(deposit["d"]),
            expected_amount=int(deposit["e"]),
            failure_code=FailureCode.AMOUNT_MISMATCH if mismatch else None,
            ack_body="",
        )


def _method_from_window(form: Mapping[str, str]) -> PaymentMethod:
    window_method, easy_pay = form["method"], form.get("easyPay", "")
    for ours, (wire, wire_easy) in tx.WINDOW_METHOD.items():
        if wire == window_method and wire_easy == easy_pay:
            return ours
    raise ValueError("unknown window method")
