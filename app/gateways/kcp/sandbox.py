"""NHN KCP sandbox: a real ``Gateway`` simulating KCP's standard window round trip.

Window form (``order_info``) -> POST back to ``Ret_URL`` with ``res_cd``/``enc_data``/
``enc_info``/``tran_cd`` -> approval with ``ordr_mony`` = the session total -> ``tno``.
Deposits arrive as KCP common notifications (``tx_cd=TX00``). In production those are
authenticated by KCP's source IPs; the sandbox signs them with ``X-Sandbox-Signature``
(HMAC of the body) instead, because its notifications come from our own process.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
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
from app.gateways.kcp import notices
from app.gateways.kcp import transformers as tx
from app.gateways.kcp.sandbox_api import SANDBOX_SITE_CD, TX_PREFIX, KcpSandboxApi
from app.gateways.sandbox_kit import (
    check_refund,
    check_transaction_id,
    mac_hex,
    read_choice,
)

SIGNATURE_HEADER = "X-Sandbox-Signature"


class KcpSandbox:
    name = GatewayName.KCP
    mode = Mode.TEST

    def __init__(self, *, secret: bytes, window_url: str) -> None:
        if len(secret) < 16:
            raise ValueError("sandbox secret must be at least 16 bytes")
        self._secret = secret
        self._api = KcpSandboxApi(secret)
        self._window_url = window_url

    def __repr__(self) -> str:
        return "KcpSandbox(<secret>)"

    def start_payment(self, request: PaymentRequest) -> WindowRedirect:
        if request.method not in tx.SUPPORTED_METHODS:
            raise InvalidRequest("KCP에서 지원하지 않는 결제수단입니다.", code="unsupported_method")
        fields = tx.window_fields(request, SANDBOX_SITE_CD)
        return WindowRedirect(self._window_url, RedirectMethod.POST, fields)

    def submit_window(self, form: Mapping[str, str]) -> WindowRedirect:
        """Pay or cancel in the sandbox window: POST the result to ``Ret_URL`` like KCP."""
        try:
            ret_url = form["Ret_URL"]
            int(form["good_mny"])
            method = tx.method_from_window(form)
            back = self._api.authenticate(form, method, read_choice(form, method))
        except (KeyError, ValueError) as exc:
            raise InvalidWindowSubmission() from exc
        return WindowRedirect(ret_url, RedirectMethod.POST, back)

    def confirm_payment(self, request: ConfirmRequest) -> PaymentResult:
        ret = tx.parse_return(request.params)
        if ret.order_id != request.order_id:
            raise InvalidRedirect()
        if ret.res_cd != tx.SUCCESS:
            return tx.failed_result(request.order_id, ret.res_cd, ret.res_msg)
        if ret.amount != request.expected_amount:
            return amount_mismatch(GatewayName.KCP, request.order_id)
        try:
            method = tx.method_from_window(request.params)  # the echoed order_info form
        except ValueError as exc:
            raise InvalidRedirect() from exc
        body = tx.approval_body(
            ret,
            site_cd=SANDBOX_SITE_CD,
            cert_info="sandbox",
            amount=request.expected_amount,
            method=method,
        )
        answer = self._api.approve(body)
        if answer.get("res_cd") == "S404":
            raise InvalidRedirect()
        result = tx.parse_approval(answer, request.order_id, method)
        if result.status is not PaymentStatus.FAILED and result.amount != request.expected_amount:
            return amount_mismatch(GatewayName.KCP, request.order_id)
        return result

    def refund(self, request: RefundRequest) -> RefundResult:
        check_refund(self._secret, TX_PREFIX, request)
        body = tx.cancel_body(request, site_cd=SANDBOX_SITE_CD, cert_info="sandbox")
        body["kcp_sign_data"] = self._api.sign(tx.sign_string(body))
        return tx.parse_cancel(self._api.cancel(body), request)

    def simulate_deposit(
        self, *, transaction_id: str, order_id: str, expected_amount: int, deposited_amount: int
    ) -> SimulatedCallback:
        if not check_transaction_id(
            self._secret, TX_PREFIX, transaction_id, order_id, expected_amount
        ):
            raise InvalidRequest("결제 정보를 찾을 수 없습니다.", code="unknown_transaction")
        form = self._api.notice(
            tno=transaction_id,
            order_id=order_id,
            billed=expected_amount,
            deposited=deposited_amount,
        )
        body = urlencode(form).encode("utf-8")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            SIGNATURE_HEADER: self._body_signature(body),
        }
        return SimulatedCallback(headers, body)

    def _body_signature(self, body: bytes) -> str:
        return mac_hex(self._secret, "kcp.notice", body.decode("utf-8"), length=64)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        given = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER.lower(), "")
        try:
            expected = self._body_signature(body)
        except UnicodeDecodeError as exc:
            raise InvalidNotification() from exc
        if not hmac.compare_digest(expected, given):
            raise InvalidNotification()
        try:
            notice = notices.parse_notice(dict(parse_qsl(body.decode("utf-8"))))
        except ValueError as exc:
            raise InvalidNotification() from exc
        if (
            notice.site_cd != SANDBOX_SITE_CD
            or notice.billed is None
            or not check_transaction_id(
                self._secret, TX_PREFIX, notice.tno, notice.order_id, notice.billed
            )
        ):
            raise InvalidNotification()
        return notices.to_notification(notice)
