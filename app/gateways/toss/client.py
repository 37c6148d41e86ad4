"""Toss Payments live client: the real HTTP API through an injected ``requests.Session``.

Protocol notes live in ``transformers``; this module only sends and receives. The payment
window itself is Toss's JavaScript SDK (``RedirectMethod.JS_SDK`` with the fields to pass to
``requestPayment``).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import requests

from app.gateways.base import (
    CloseAccountRequest,
    ConfirmRequest,
    GatewayName,
    Mode,
    Notification,
    NotificationKind,
    PaymentRequest,
    PaymentResult,
    PaymentStatus,
    RedirectMethod,
    RefundRequest,
    RefundResult,
    WindowRedirect,
)
from app.gateways.common import validate_refund
from app.gateways.errors import GatewayDeclined, GatewayError, InvalidNotification, InvalidRedirect
from app.gateways.http import CALL_DEADLINE_SECONDS, Reply, send
from app.gateways.toss import transformers as tx
from app.outbound.deadline import deadline

#: Errors that mean our configuration is wrong, not that the customer's payment failed.
CONFIG_ERRORS = frozenset({"UNAUTHORIZED_KEY", "INVALID_API_KEY", "FORBIDDEN_REQUEST"})


class TossClient:
    name = GatewayName.TOSS
    mode = Mode.LIVE

    def __init__(
        self,
        *,
        secret_key: str,
        client_key: str,
        session: requests.Session,
        base_url: str = tx.API_BASE_URL,
        timeout: float = CALL_DEADLINE_SECONDS,
    ) -> None:
        self._auth = tx.basic_auth(secret_key)
        self._client_key = client_key
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"TossClient(base_url={self._base_url!r}, secret_key=<secret>)"

    def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        idempotency_key: str = "",
    ) -> Reply:
        headers = {"Authorization": self._auth}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return send(
            self._session,
            method,
            f"{self._base_url}{path}",
            timeout=self._timeout,
            json_body=body,
            headers=headers,
        )

    def start_payment(self, request: PaymentRequest) -> WindowRedirect:
        return WindowRedirect(
            tx.SDK_URL, RedirectMethod.JS_SDK, tx.window_fields(request, self._client_key)
        )

    def confirm_payment(self, request: ConfirmRequest) -> PaymentResult:
        body = tx.check_redirect(request)
        if isinstance(body, PaymentResult):
            return body
        key = body["paymentKey"]
        # The confirm and its lookup share one deadline: the shopper's request waits for both.
        with deadline(self._timeout):
            reply = self._call(
                "POST", "/v1/payments/confirm", body, idempotency_key=f"confirm:{key}"
            )
            code, message = _error(reply)
            if code == "ALREADY_PROCESSED_PAYMENT":
                # A second confirm of the same payment: answer with what Toss already has.
                reply = self._call("GET", f"/v1/payments/{quote(key, safe='')}")
                code, message = _error(reply)
        if reply.status == 404:
            raise InvalidRedirect()
        if code in CONFIG_ERRORS:
            raise GatewayError(message, gateway_code=code)
        if code:
            return tx.failed_result(request.order_id, code, message)
        # An approval of another amount or order is still money taken: the core voids it.
        return tx.parse_payment(reply.body)

    def refund(self, request: RefundRequest) -> RefundResult:
        validate_refund(request)
        path = f"/v1/payments/{quote(request.transaction_id, safe='')}/cancel"
        reply = self._call(
            "POST", path, tx.cancel_body(request), idempotency_key=request.idempotency_key
        )
        code, message = _error(reply)
        if code:
            raise GatewayDeclined(message, gateway_code=code)
        return tx.parse_cancel(reply.body, request)

    def close_virtual_account(self, request: CloseAccountRequest) -> None:
        path = f"/v1/payments/{quote(request.transaction_id, safe='')}/cancel"
        body = tx.close_account_body(request)
        reply = self._call("POST", path, body, idempotency_key=request.idempotency_key)
        code, message = _error(reply)
        if code:
            raise GatewayDeclined(message, gateway_code=code)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Never trust the body: re-read the payment from Toss and, for DEPOSIT_CALLBACK,
        compare its ``secret`` with the Payment's (Toss's documented verification)."""
        try:
            event = json.loads(body)
            if event.get("eventType") == "PAYMENT_STATUS_CHANGED":
                order_id, secret, kind = str(event["data"]["orderId"]), None, None
            else:
                callback = tx.parse_deposit_callback(event)
                order_id, secret = callback.order_id, callback.secret
                kind = NotificationKind.DEPOSIT
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise InvalidNotification() from exc
        reply = self._call("GET", f"/v1/payments/orders/{quote(order_id, safe='')}")
        if _error(reply)[0] or not isinstance(reply.body, dict):
            raise InvalidNotification()
        payment = reply.body
        if secret is not None and not hmac.compare_digest(
            str(payment.get("secret") or "").encode(), secret.encode()
        ):
            raise InvalidNotification()
        result = tx.parse_payment(payment)
        paid = result.status is PaymentStatus.APPROVED
        return Notification(
            gateway=GatewayName.TOSS,
            kind=kind or NotificationKind.STATUS_CHANGED,
            event_id=f"{order_id}:{payment.get('status')}:{payment.get('lastTransactionKey', '')}",
            order_id=order_id,
            transaction_id=result.transaction_id,
            status=result.status,
            amount=result.amount if paid else None,
            ack_body="",
        )


def _error(reply: Reply) -> tuple[str, str]:
    if reply.status < 400:
        return "", ""
    body = reply.body if isinstance(reply.body, dict) else {}
    return str(body.get("code") or "UNKNOWN"), str(body.get("message") or "")
