"""KG Inicis sandbox: a real ``Gateway`` simulating the INIStdPay round trip.

Window form (``oid``/``price``/``timestamp``/``signature``/``verification``) -> POST to
``returnUrl`` with ``resultCode``/``authToken``/``authUrl`` (or the ``closeUrl`` when the
customer closes the window) -> approval at ``authUrl`` with the session total as ``price``
-> ``tid``. Refunds speak INIAPI with a real SHA-512 ``hashData``. Deposits arrive as
Inicis NOTI forms, signed here with ``X-Sandbox-Signature`` in place of Inicis's source IPs.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from app.gateways.base import (
    CloseAccountRequest,
    ConfirmRequest,
    GatewayName,
    Mode,
    Notification,
    PaymentMethod,
    PaymentRequest,
    PaymentResult,
    RedirectMethod,
    RefundRequest,
    RefundResult,
    SimulatedCallback,
    WindowRedirect,
)
from app.gateways.errors import (
    InvalidNotification,
    InvalidRedirect,
    InvalidWindowSubmission,
)
from app.gateways.inicis import approval, iniapi, notices
from app.gateways.inicis import transformers as tx
from app.gateways.inicis.sandbox_api import (
    SANDBOX_INIAPI_KEY,
    SANDBOX_MID,
    SANDBOX_SIGN_KEY,
    TX_PREFIX,
    InicisSandboxApi,
)
from app.gateways.sandbox_kit import (
    WINDOW_SEAL_FIELD,
    Outcome,
    check_refund,
    check_secret,
    check_window,
    mac_hex,
    now_utc,
    read_choice,
    require_transaction,
    seal_window,
    signed_form_callback,
    verified_form,
)

NOTI_PURPOSE = "inicis.noti"
WINDOW_PURPOSE = "inicis.window"
#: Window fields sealed by ``start_payment``: the order, amount, the method (``gopaymethod``
#: and the ``merchantData`` the return reads it from) and the return/close URLs.
WINDOW_BOUND = ("oid", "price", "gopaymethod", "merchantData", "returnUrl", "closeUrl")


class InicisSandbox:
    name = GatewayName.INICIS
    mode = Mode.TEST

    def __init__(self, *, secret: bytes, window_url: str) -> None:
        self._secret = check_secret(secret)
        self._api = InicisSandboxApi(secret, auth_url=f"{window_url.rstrip('/')}/auth")

    def __repr__(self) -> str:
        return "InicisSandbox(<secret>)"

    @property
    def _window_url(self) -> str:
        return self._api.auth_url.removesuffix("/auth")

    def start_payment(self, request: PaymentRequest) -> WindowRedirect:
        fields = tx.window_fields(
            request, mid=SANDBOX_MID, sign_key=SANDBOX_SIGN_KEY, timestamp=approval.timestamp()
        )
        fields[WINDOW_SEAL_FIELD] = seal_window(
            self._secret, WINDOW_PURPOSE, request.method, fields, WINDOW_BOUND
        )
        return WindowRedirect(self._window_url, RedirectMethod.POST, fields)

    def submit_window(self, form: Mapping[str, str]) -> WindowRedirect:
        try:
            return_url, close_url = form["returnUrl"], form["closeUrl"]
            int(form["price"])
            method = tx.method_from_window(form)
            # The method the payment was started with, never one switched in the window.
            method = check_window(self._secret, WINDOW_PURPOSE, form, method, WINDOW_BOUND)
            choice = read_choice(form, method)
            if choice.outcome is Outcome.USER_CANCEL:
                # Closing INIStdPay calls closeUrl; nothing is posted to returnUrl.
                self._api.authenticate(form, method, choice)  # still rejects tampering
                return WindowRedirect(close_url, RedirectMethod.GET)
            back = self._api.authenticate(form, method, choice)
        except (KeyError, ValueError) as exc:
            raise InvalidWindowSubmission() from exc
        return WindowRedirect(return_url, RedirectMethod.POST, back)

    def confirm_payment(self, request: ConfirmRequest) -> PaymentResult:
        return approval.confirm_payment(
            request, self._approve, mid=SANDBOX_MID, sign_key=SANDBOX_SIGN_KEY
        )

    def _approve(self, ret: tx.Return, form: Mapping[str, str]) -> Mapping[str, Any]:
        # As bytes: compare_digest refuses non-ASCII str, and this came through the browser.
        if not hmac.compare_digest(ret.auth_url.encode(), self._api.auth_url.encode()):
            raise InvalidRedirect()  # the live client checks Inicis's hosts instead
        # The result's method is read from the returned merchantData, which passes through
        # the browser: it must be the method the window authenticated (sealed in authToken).
        sealed = self._api.sealed_method(ret.auth_token)
        if sealed is not None and _claimed_method(ret) is not sealed:
            raise InvalidRedirect()
        answer = self._api.approve(form)
        if answer.get("resultCode") == "S404":
            raise InvalidRedirect()  # an authToken the simulated Inicis never issued
        return answer

    def refund(self, request: RefundRequest) -> RefundResult:
        check_refund(self._secret, TX_PREFIX, request)
        account = ""
        if request.refund_account is not None:
            # Stand-in for INIAPI's AES [ENC] value; the hash covers it exactly the same way.
            account = mac_hex(self._secret, "inicis.acct", request.refund_account.account_number)
        form = iniapi.refund_form(
            request,
            mid=SANDBOX_MID,
            api_key=SANDBOX_INIAPI_KEY,
            client_ip="127.0.0.1",
            timestamp=now_utc().strftime("%Y%m%d%H%M%S"),
            encrypted_account=account,
        )
        return iniapi.parse_refund(self._api.refund(form), request)

    def close_virtual_account(self, request: CloseAccountRequest) -> None:
        require_transaction(
            self._secret, TX_PREFIX, request.transaction_id, request.order_id, request.amount
        )
        form = iniapi.close_form(
            request,
            mid=SANDBOX_MID,
            api_key=SANDBOX_INIAPI_KEY,
            client_ip="127.0.0.1",
            timestamp=now_utc().strftime("%Y%m%d%H%M%S"),
        )
        iniapi.check_close(self._api.refund(form))

    def simulate_deposit(
        self, *, transaction_id: str, order_id: str, expected_amount: int, deposited_amount: int
    ) -> SimulatedCallback:
        require_transaction(self._secret, TX_PREFIX, transaction_id, order_id, expected_amount)
        form = self._api.noti(tid=transaction_id, order_id=order_id, deposited=deposited_amount)
        return signed_form_callback(self._secret, NOTI_PURPOSE, form)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        form = verified_form(self._secret, NOTI_PURPOSE, headers, body)
        try:
            noti = notices.parse_noti(form)
        except ValueError as exc:
            raise InvalidNotification() from exc
        if noti.mid != SANDBOX_MID:
            raise InvalidNotification()
        return notices.to_notification(noti)


def _claimed_method(ret: tx.Return) -> PaymentMethod | None:
    try:
        return tx.method_from_merchant_data(ret.merchant_data)
    except ValueError:
        return None
