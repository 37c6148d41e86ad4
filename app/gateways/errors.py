"""Our gateway exception hierarchy.

Gateways translate every wire or transport problem into one of these, wrapping the original
exception with ``from`` so the cause stays in the traceback but never in the message.
Business declines (insufficient funds, stolen card, ...) are *results*, not exceptions: the
core records them. Exceptions are for "the outcome is unknown" or "this request is invalid".
"""

from __future__ import annotations


class GatewayError(Exception):
    """Base class: the gateway call did not produce a usable answer."""

    def __init__(
        self, message: str, *, code: str = "gateway_error", gateway_code: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.gateway_code = gateway_code


class GatewayTimeout(GatewayError):
    """No answer in time: the outcome is unknown; retry the same call or query later."""

    def __init__(self, message: str = "게이트웨이 응답 시간이 초과되었습니다.") -> None:
        super().__init__(message, code="timeout")


class GatewayDeclined(GatewayError):
    """The gateway answered and refused the operation (e.g. a refund it cannot cancel)."""


class InvalidRequest(GatewayError):
    """Our own input is invalid (refund above the remaining amount, missing refund account)."""

    def __init__(self, message: str, *, code: str = "invalid_request") -> None:
        super().__init__(message, code=code)


class InvalidRedirect(GatewayError):
    """A return from the payment window that is forged, tampered or for another order.

    The core must reject the request and change nothing: a tampered redirect is not a
    customer's decline and must not fail the session on an attacker's behalf.
    """

    def __init__(self, message: str = "결제 결과 파라미터가 올바르지 않습니다.") -> None:
        super().__init__(message, code="invalid_redirect")


class InvalidWindowSubmission(GatewayError):
    """The sandbox payment window received a form it cannot accept (tampered or incomplete)."""

    def __init__(self, message: str = "결제창 요청이 올바르지 않습니다.") -> None:
        super().__init__(message, code="invalid_window_submission")


class InvalidNotification(GatewayError):
    """A gateway notification that fails verification; answer 4xx and change nothing."""

    def __init__(self, message: str = "검증할 수 없는 알림입니다.") -> None:
        super().__init__(message, code="invalid_notification")
