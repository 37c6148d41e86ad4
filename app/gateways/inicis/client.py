"""KG Inicis live client: INIStdPay approval at ``authUrl``, INIAPI refunds, NOTI by IP.

The window is ``INIStdPay.js`` (``INIStdPay.pay(formId)`` over the fields we return).
``authUrl`` comes through the customer's browser, so only Inicis hosts are ever called.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

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
    WindowRedirect,
)
from app.gateways.common import (
    ip_notification_form,
    kst_stamp,
    validate_refund,
)
from app.gateways.errors import GatewayError, InvalidNotification, InvalidRedirect, InvalidRequest
from app.gateways.http import CALL_DEADLINE_SECONDS, send
from app.gateways.inicis import approval, iniapi, notices
from app.gateways.inicis import transformers as tx

#: Encrypts the refund account number for INIAPI's [ENC] fields (AES with the INIAPI key/IV).
AccountCipher = Callable[[str], str]


class InicisClient:
    name = GatewayName.INICIS
    mode = Mode.LIVE

    def __init__(
        self,
        *,
        mid: str,
        sign_key: str,
        iniapi_key: str,
        session: requests.Session,
        notify_ips: Collection[str],
        account_cipher: AccountCipher | None = None,
        refund_url: str = iniapi.REFUND_URL,
        trusted_auth_hosts: Collection[str] = tx.TRUSTED_AUTH_HOSTS,
        server_ip: str = "127.0.0.1",
        timeout: float = CALL_DEADLINE_SECONDS,
    ) -> None:
        self._mid = mid
        self._sign_key = sign_key
        self._iniapi_key = iniapi_key
        self._session = session
        self._notify_ips = frozenset(notify_ips)
        self._cipher = account_cipher
        self._refund_url = refund_url
        self._auth_hosts = frozenset(trusted_auth_hosts)
        self._server_ip = server_ip
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"InicisClient(mid={self._mid!r}, keys=<secret>)"

    def start_payment(self, request: PaymentRequest) -> WindowRedirect:
        fields = tx.window_fields(
            request, mid=self._mid, sign_key=self._sign_key, timestamp=approval.timestamp()
        )
        return WindowRedirect(tx.SDK_URL, RedirectMethod.JS_SDK, fields)

    def confirm_payment(self, request: ConfirmRequest) -> PaymentResult:
        return approval.confirm_payment(
            request,
            self._approve,
            mid=self._mid,
            sign_key=self._sign_key,
        )

    def _approve(self, ret: tx.Return, form: Mapping[str, str]) -> Mapping[str, Any]:
        if not _trusted(ret.auth_url, self._auth_hosts):
            raise InvalidRedirect()
        reply = send(self._session, "POST", ret.auth_url, timeout=self._timeout, form=form)
        if not isinstance(reply.body, dict):
            raise GatewayError("이니시스 승인 응답을 해석할 수 없습니다.")
        return reply.body

    def refund(self, request: RefundRequest) -> RefundResult:
        validate_refund(request)
        account = ""
        if request.refund_account is not None:
            if self._cipher is None:
                raise InvalidRequest("환불 계좌 암호화 설정이 없습니다.")
            account = self._cipher(request.refund_account.account_number)
        form = iniapi.refund_form(
            request,
            mid=self._mid,
            api_key=self._iniapi_key,
            client_ip=self._server_ip,
            timestamp=kst_stamp(datetime.now(UTC)),
            encrypted_account=account,
        )
        reply = send(self._session, "POST", self._refund_url, timeout=self._timeout, form=form)
        if not isinstance(reply.body, dict):
            raise GatewayError("이니시스 환불 응답을 해석할 수 없습니다.")
        return iniapi.parse_refund(reply.body, request)

    def close_virtual_account(self, request: CloseAccountRequest) -> None:
        form = iniapi.close_form(
            request,
            mid=self._mid,
            api_key=self._iniapi_key,
            client_ip=self._server_ip,
            timestamp=kst_stamp(datetime.now(UTC)),
        )
        reply = send(self._session, "POST", self._refund_url, timeout=self._timeout, form=form)
        if not isinstance(reply.body, dict):
            raise GatewayError("이니시스 응답을 해석할 수 없습니다.")
        iniapi.check_close(reply.body)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Inicis signs nothing: accept only its source IPs and our ``mid``."""
        form = ip_notification_form(headers, body, self._notify_ips)
        try:
            noti = notices.parse_noti(form)
        except ValueError as exc:
            raise InvalidNotification() from exc
        if noti.mid != self._mid:
            raise InvalidNotification()
        return notices.to_notification(noti)


def _trusted(url: str, hosts: frozenset[str]) -> bool:
    """HTTPS to an allowed host; plain HTTP only to a loopback host someone allowed."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False  # came through the browser: unparsable is untrusted
    return (
        parts.scheme in {"https", "http"}
        and (parts.hostname or "") in hosts
        and (parts.scheme == "https" or (parts.hostname or "") in {"127.0.0.1", "localhost"})
    )
