"""NHN KCP live client: approval and cancel over HTTPS, notifications by source IP.

The window is KCP's JS (``KCP_Pay_Execute_Web`` with the ``order_info`` form fields).
``kcp_sign_data`` needs the merchant's private key: inject ``signer`` (see
:func:`rsa_signer`), so no key material lives in this module.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Collection, Mapping
from functools import partial
from typing import Any

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
    validate_refund,
)
from app.gateways.errors import GatewayError, InvalidNotification
from app.gateways.http import CALL_DEADLINE_SECONDS, send
from app.gateways.kcp import approval, notices
from app.gateways.kcp import transformers as tx

Signer = Callable[[str], str]


def rsa_signer(private_key_pem: bytes, password: bytes | None = None) -> Signer:
    """SHA256withRSA (PKCS#1 v1.5), base64: KCP's ``kcp_sign_data``."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = serialization.load_pem_private_key(private_key_pem, password=password)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("KCP needs an RSA private key")

    def sign(text: str) -> str:
        signature = key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    return sign


class KcpClient:
    name = GatewayName.KCP
    mode = Mode.LIVE

    def __init__(
        self,
        *,
        site_cd: str,
        cert_info: str,
        signer: Signer,
        session: requests.Session,
        base_url: str = tx.API_BASE_URL,
        notify_ips: Collection[str] = notices.NOTIFY_IPS,
        timeout: float = CALL_DEADLINE_SECONDS,
    ) -> None:
        self._site_cd = site_cd
        self._cert_info = cert_info
        self._sign = signer
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._notify_ips = frozenset(notify_ips)
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"KcpClient(site_cd={self._site_cd!r}, base_url={self._base_url!r})"

    def _post(self, path: str, body: Mapping[str, str]) -> dict[str, Any]:
        reply = send(
            self._session,
            "POST",
            f"{self._base_url}{path}",
            timeout=self._timeout,
            json_body=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        if not isinstance(reply.body, dict):
            raise GatewayError("KCP 응답을 해석할 수 없습니다.")
        return reply.body

    def start_payment(self, request: PaymentRequest) -> WindowRedirect:
        return WindowRedirect(
            tx.SDK_URL, RedirectMethod.JS_SDK, tx.window_fields(request, self._site_cd)
        )

    def confirm_payment(self, request: ConfirmRequest) -> PaymentResult:
        approve = partial(self._post, tx.APPROVAL_PATH)
        return approval.confirm_payment(
            request, approve, site_cd=self._site_cd, cert_info=self._cert_info
        )

    def refund(self, request: RefundRequest) -> RefundResult:
        validate_refund(request)
        body = tx.cancel_body(request, site_cd=self._site_cd, cert_info=self._cert_info)
        body["kcp_sign_data"] = self._sign(tx.sign_string(body))
        return tx.parse_cancel(self._post(tx.CANCEL_PATH, body), request)

    def close_virtual_account(self, request: CloseAccountRequest) -> None:
        body = tx.close_account_body(request, site_cd=self._site_cd, cert_info=self._cert_info)
        body["kcp_sign_data"] = self._sign(tx.sign_string(body))
        tx.check_close(self._post(tx.CANCEL_PATH, body))

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """KCP signs nothing: accept only its published source IPs and our ``site_cd``."""
        form = ip_notification_form(headers, body, self._notify_ips)
        try:
            notice = notices.parse_notice(form)
        except ValueError as exc:
            raise InvalidNotification() from exc
        if notice.site_cd != self._site_cd:
            raise InvalidNotification()
        return notices.to_notification(notice)
