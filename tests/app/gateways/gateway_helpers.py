"""Helpers shared by the gateway tests (conftest is not importable in importlib mode)."""

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

from app.gateways import (
    ConfirmRequest,
    Customer,
    PaymentMethod,
    PaymentRequest,
    PaymentResult,
    RedirectMethod,
    WindowRedirect,
)

SECRET = b"sandbox-secret-for-tests-0123456789"
APPROVE = "4330-0000-0000-0001"


def make_request(method=PaymentMethod.CARD, amount=29000, order_id="cs_test_0001", months=None):
    return PaymentRequest(
        order_id=order_id,
        amount=amount,
        order_name="한정판 티셔츠 외 1건",
        method=method,
        customer=Customer("홍길동", "hong@example.com", "010-1234-5678"),
        success_url="https://shop.test/checkout/cs_test_0001/return?gw=1",
        fail_url="https://shop.test/checkout/cs_test_0001/fail",
        notify_url="https://shop.test/gateways/notify",
        installment_months=months,
    )


def returned_params(redirect: WindowRedirect) -> dict[str, str]:
    """What the core's return endpoint receives: the query of a GET, the form of a POST."""
    if redirect.http_method is RedirectMethod.GET:
        return dict(parse_qsl(urlsplit(redirect.url).query))
    return dict(redirect.fields)


def pay(gateway, request: PaymentRequest, choices: Mapping[str, str]):
    window = gateway.start_payment(request)
    back = gateway.submit_window({**window.fields, **choices})
    return back, returned_params(back)


def confirm(gateway, params, order_id="cs_test_0001", amount=29000) -> PaymentResult:
    return gateway.confirm_payment(ConfirmRequest(params, order_id, amount))
