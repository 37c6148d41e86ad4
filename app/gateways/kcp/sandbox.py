"""NHN KCP sandbox: a real ``Gateway`` simulating KCP's standard window round trip.

Window form (``order_info``) -> POST back to ``Ret_URL`` with ``res_cd``/``enc_data``/
``enc_info``/``tran_cd`` -> approval with ``ordr_mony`` = the session total -> ``tno``.
Deposits arrive as KCP common notifications (``tx_cd=TX00``). In production those are
authenticated by KCP's source IPs; the sandbox signs them with ``X-Sandbox-Signature``
(HMAC of the body) instead, because its notifications come from our own process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.gateways.base import (
    CloseAccountRequest,
    ConfirmRequest,
    GatewayName,
    Mode,
    Notification,
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
from app.gateways.kcp import approval, notices
from app.gateways.kcp import transformers as tx
from app.gateways.kcp.sandbox_api import SANDBOX_SITE_CD, TX_PREFIX, KcpSandboxApi
from app.gateways.sandbox_kit import (
    WINDOW_SEAL_FIELD,
    check_refund,
    check_secret,
    check_transaction_id,
    check_window,
    read_choice,
    require_transaction,
    seal_window,
    signed_form_callback,
    verified_form,
)

NOTICE_PURPOSE = "kcp.notice"
WINDOW_PURPOSE = "kcp.window"
#: Window fields sealed by ``start_payment``: the order, amount, every field that selects
#: the method (``pay_method`` and the easy-pay direct flags) and ``Ret_URL``.
WINDOW_BOUND = (
    "site_cd",
    "ordr_idxx",
    "good_mny",
    "pay_method",
    *sorted({direct for _, _, direct in tx.METHODS.values() if direct}),
    "Ret_URL",
)


class KcpSandbox:
    name = GatewayName.KCP
    mode = Mode.TEST

    def __init__(self, *, secret: bytes, window_url: str) -> None:
        self._secret = check_secret(secret)
        self._api = KcpSandboxApi(secret)
        self._window_url = window_url

    def __repr__(self) -> str:
        return "KcpSandbox(<secret>)"

    def start_payment(self, request: PaymentRequest) -> WindowRedirect:
        fields = tx.window_fields(request, SANDBOX_SITE_CD)
        fields[WINDOW_SEAL_FIELD] = seal_window(
            self._secret, WINDOW_PURPOSE, request.method, fields, WINDOW_BOUND
        )
        return WindowRedirect(self._window_url, RedirectMethod.POST, fields)

    def submit_window(self, form: Mapping[str, str]) -> WindowRedirect:
        """Pay or cancel in the sandbox window: POST the result to ``Ret_URL`` like KCP."""
        try:
            ret_url = form["Ret_URL"]
            int(form["good_mny"])
            method = tx.method_from_window(form)
            # The method the payment was started with, never one switched in the window.
            method = check_window(self._secret, WINDOW_PURPOSE, form, method, WINDOW_BOUND)
            back = self._api.authenticate(form, method, read_choice(form, method))
        except (KeyError, ValueError) as exc:
            raise InvalidWindowSubmission() from exc
        return WindowRedirect(ret_url, RedirectMethod.POST, back)

    def confirm_payment(self, request: ConfirmRequest) -> PaymentResult:
        self._check_return_method(request.params)
        return approval.confirm_payment(
            request, self._approve, site_cd=SANDBOX_SITE_CD, cert_info="sandbox"
        )

    def _check_return_method(self, params: Mapping[str, str]) -> None:
        """The result's method is read from the echoed order form, which passes through the
        browser: it must be the method the window authenticated (sealed in ``enc_data``)."""
        sealed = self._api.sealed_method(params.get("enc_data", ""))
        if sealed is None or params.get("res_cd") != tx.SUCCESS:
            return  # unknown enc_data or a decline: the shared flow answers those
        try:
            claimed = tx.method_from_window(params)
        except ValueError as exc:
            raise InvalidRedirect() from exc
        if claimed is not sealed:
            raise InvalidRedirect()

    def _approve(self, body: Mapping[str, str]) -> dict[str, Any]:
        answer = self._api.approve(body)
        if answer.get("res_cd") == "S404":
            raise InvalidRedirect()  # enc_data that the simulated KCP never issued
        return answer

    def refund(self, request: RefundRequest) -> RefundResult:
        check_refund(self._secret, TX_PREFIX, request)
        body = tx.cancel_body(request, site_cd=SANDBOX_SITE_CD, cert_info="sandbox")
        body["kcp_sign_data"] = self._api.sign(tx.sign_string(body))
        return tx.parse_cancel(self._api.cancel(body), request)

    def close_virtual_account(self, request: CloseAccountRequest) -> None:
        require_transaction(
            self._secret, TX_PREFIX, request.transaction_id, request.order_id, request.amount
        )
        body = tx.close_account_body(request, site_cd=SANDBOX_SITE_CD, cert_info="sandbox")
        body["kcp_sign_data"] = self._api.sign(tx.sign_string(body))
        tx.check_close(self._api.cancel(body))

    def simulate_deposit(
        self, *, transaction_id: str, order_id: str, expected_amount: int, deposited_amount: int
    ) -> SimulatedCallback:
        require_transaction(self._secret, TX_PREFIX, transaction_id, order_id, expected_amount)
        form = self._api.notice(
            tno=transaction_id,
            order_id=order_id,
            billed=expected_amount,
            deposited=deposited_amount,
        )
        return signed_form_callback(self._secret, NOTICE_PURPOSE, form)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        form = verified_form(self._secret, NOTICE_PURPOSE, headers, body)
        try:
            notice = notices.parse_notice(form)
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
