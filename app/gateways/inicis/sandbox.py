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
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from app.gateways.base import (
    ConfirmRequest,
    GatewayName,
    Mode,
    Notification,
    PaymentRequest,
    PaymentResult,
    PaymentStatus,
    RedirectMethod,
    RefundRequest,
    RefundResult,
    SimulatedCallback,
    WindowRedirect,
)
from app.gateways.common import amount_mismatch
from app.gateways.errors import (
    InvalidNotification,
    InvalidRedirect,
    InvalidRequest,
    InvalidWindowSubmission,
)
from app.gateways.inicis import iniapi, notices
from app.gateways.inicis import transformers as tx
from app.gateways.inicis.sandbox_api import (
    SANDBOX_INIAPI_KEY,
    SANDBOX_MID,
    SANDBOX_SIGN_KEY,
    TX_PREFIX,
    InicisSandboxApi,
)
from app.gateways.sandbox_kit import (
    Outcome,
    check_refund,
    check_transaction_id,
    mac_hex,
    now_utc,
    read_choice,
)

SIGNATURE_HEADER = "X-Sandbox-Signature"


def _millis(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


class InicisSandbox:
    name = GatewayName.INICIS
    mode = Mode.TEST

    def __init__(self, *, secret: bytes, window_url: str) -> None:
        if len(secret) < 16:
            raise ValueError("sandbox secret must be at least 16 bytes")
        self._secret = secret
        self._api = InicisSandboxApi(secret, auth_url=f"{window_url.rstrip('/')}/auth")

    def __repr__(self) -> str:
        return "InicisSandbox(<secret>)"

    @property
    def _window_url(self) -> str:
        return self._api.auth_url.removesuffix("/auth")

    def start_payment(self, request: PaymentRequest) -> WindowRedirect:
        if request.method not in tx.SUPPORTED_METHODS:
            raise InvalidRequest(
                "이니시스에서 지원하지 않는 결제수단입니다.", code="unsupported_method"
            )
        fields = tx.window_fields(
            request, mid=SANDBOX_MID, sign_key=SANDBOX_SIGN_KEY, timestamp=_millis(now_utc())
        )
        return WindowRedirect(self._window_url, RedirectMethod.POST, fields)

    def submit_window(self, form: Mapping[str, str]) -> WindowRedirect:
        try:
            return_url, close_url = form["returnUrl"], form["closeUrl"]
            int(form["price"])
            method = tx.method_from_window(form)
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
        if not request.params.get("resultCode"):
            return tx.closed_result(request.order_id)
        ret = tx.parse_return(request.params)
        if ret.order_id != request.order_id:
            raise InvalidRedirect()
        if ret.result_code != tx.SUCCESS:
            return tx.failed_result(request.order_id, ret.result_code, ret.result_msg)
        if not hmac.compare_digest(ret.auth_url, self._api.auth_url):
            raise InvalidRedirect()  # the live client checks Inicis's hosts instead
        try:
            method = tx.method_from_merchant_data(ret.merchant_data)
        except ValueError as exc:
            raise InvalidRedirect() from exc
        form = tx.approval_form(
            ret,
            mid=SANDBOX_MID,
            sign_key=SANDBOX_SIGN_KEY,
            timestamp=_millis(now_utc()),
            price=request.expected_amount,
        )
        answer = self._api.approve(form)
        if answer.get("resultCode") == "S404":
            raise InvalidRedirect()
        result = tx.parse_approval(answer, request.order_id, method)
        if result.status is not PaymentStatus.FAILED and (
            result.amount != request.expected_amount or result.order_id != request.order_id
        ):
            return amount_mismatch(GatewayName.INICIS, request.order_id)
        return result

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

    def simulate_deposit(
        self, *, transaction_id: str, order_id: str, expected_amount: int, deposited_amount: int
    ) -> SimulatedCallback:
        if not check_transaction_id(
            self._secret, TX_PREFIX, transaction_id, order_id, expected_amount
        ):
            raise InvalidRequest("결제 정보를 찾을 수 없습니다.", code="unknown_transaction")
        body = urlencode(
            self._api.noti(tid=transaction_id, order_id=order_id, deposited=deposited_amount)
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            SIGNATURE_HEADER: mac_hex(self._secret, "inicis.noti", body.decode(), length=64),
        }
        return SimulatedCallback(headers, body)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        given = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER.lower(), "")
        try:
            text = body.decode("utf-8")
            noti = notices.parse_noti(dict(parse_qsl(text)))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InvalidNotification() from exc
        expected = mac_hex(self._secret, "inicis.noti", text, length=64)
        if not hmac.compare_digest(expected, given) or noti.mid != SANDBOX_MID:
            raise InvalidNotification()
        return notices.to_notification(noti)
