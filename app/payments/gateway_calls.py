"""Calling a gateway from the core: its exceptions become our one error hierarchy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.gateways import errors as gw
from app.payments.errors import CheckoutError, Conflict, InvalidRequest


class GatewayUnavailable(CheckoutError):
    """No usable answer from the gateway (timeout, transport): 500, safe to retry."""

    code = "gateway_unavailable"
    message = "The payment gateway did not answer; it is safe to retry"


@contextmanager
def gateway_call() -> Iterator[None]:
    try:
        yield
    except gw.InvalidRedirect as exc:
        raise InvalidRequest(
            "The payment result is not valid for this session",
            code="invalid_redirect",
            details={"field": "params"},
        ) from exc
    except gw.InvalidRequest as exc:
        raise InvalidRequest(exc.message, code=exc.code) from exc
    except gw.GatewayDeclined as exc:
        raise Conflict(
            exc.message, code="gateway_declined", details={"gatewayCode": exc.gateway_code}
        ) from exc
    except gw.GatewayTimeout as exc:
        raise GatewayUnavailable(code="gateway_timeout") from exc
    except gw.GatewayError as exc:
        raise GatewayUnavailable() from exc
