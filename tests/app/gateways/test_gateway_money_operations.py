"""Money calls the core records around: a refund asked twice with one idempotency key is one
refund, unpaid virtual accounts can be closed, and an approval of another amount is
reported as the approval it is (the core voids it) instead of being dressed as a decline."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from app.gateways import (
    CloseAccountRequest,
    ConfirmRequest,
    GatewayConfig,
    GatewayName,
    InvalidRequest,
    Mode,
    PaymentMethod,
    PaymentStatus,
    RefundRequest,
    build_gateway,
)
from app.gateways.kcp import approval as kcp_approval
from app.gateways.kcp import transformers as kcp_tx
from app.gateways.toss.client import TossClient
from tests.app.gateways.gateway_helpers import APPROVE, SECRET, confirm, make_request, pay


def _paid(sandbox, method=PaymentMethod.CARD):
    choices = {"card_number": APPROVE} if method is PaymentMethod.CARD else {}
    _, params = pay(sandbox, make_request(method=method), choices)
    return confirm(sandbox, params)


def _refund_request(paid, key):
    return RefundRequest(
        transaction_id=paid.transaction_id,
        order_id=paid.order_id,
        method=paid.method,
        paid_amount=paid.amount,
        refundable_amount=paid.amount,
        amount=9000,
        reason="고객 변심",
        idempotency_key=key,
    )


def _close_request(issued, **overrides: Any) -> CloseAccountRequest:
    values: dict[str, Any] = {
        "transaction_id": issued.transaction_id,
        "order_id": issued.order_id,
        "amount": issued.amount,
        "reason": "결제 세션 종료",
        "idempotency_key": "gop_1",
    }
    values.update(overrides)
    return CloseAccountRequest(**values)


def _essence(result):
    return (result.status, result.refund_id, result.amount, result.remaining_amount)


def test_the_same_key_gets_the_same_refund(sandbox):
    paid = _paid(sandbox)
    first = sandbox.refund(_refund_request(paid, "ref_1"))
    again = sandbox.refund(_refund_request(paid, "ref_1"))
    assert _essence(again) == _essence(first)


def test_an_unpaid_virtual_account_can_be_closed(sandbox):
    issued = _paid(sandbox, PaymentMethod.VIRTUAL_ACCOUNT)
    assert issued.status is PaymentStatus.WAITING_FOR_DEPOSIT
    assert sandbox.close_virtual_account(_close_request(issued)) is None
    assert sandbox.close_virtual_account(_close_request(issued)) is None  # a repeat is harmless


def test_closing_an_account_the_sandbox_never_issued_is_refused(sandbox):
    issued = _paid(sandbox, PaymentMethod.VIRTUAL_ACCOUNT)
    with pytest.raises(InvalidRequest):
        sandbox.close_virtual_account(_close_request(issued, amount=issued.amount + 1))


def test_kcp_reports_an_approval_of_another_amount_as_approved():
    _, params = pay(_kcp_sandbox(), make_request(), {"card_number": APPROVE})

    def approve(body):
        return {"res_cd": "0000", "tno": "T1", "amount": "30000", "pay_method": "PACA"}

    request = ConfirmRequest(params, "cs_test_0001", 29000)
    result = kcp_approval.confirm_payment(request, approve, site_cd="T0000", cert_info="c")
    assert (result.status, result.amount, result.transaction_id) == (
        PaymentStatus.APPROVED,
        30000,
        "T1",
    )


def _kcp_sandbox():
    config = GatewayConfig(sandbox_secret=SECRET, sandbox_window_url="https://pay.test/sandbox")
    return build_gateway(GatewayName.KCP, Mode.TEST, config)


class _Response:
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status_code = status
        self._body = body
        self.text = json.dumps(body)

    def json(self) -> dict[str, Any]:
        return self._body


class _RecordingSession(requests.Session):
    """Answers every request with one canned reply and records what was sent."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__()
        self.body = body
        self.calls: list[dict[str, Any]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        self.calls.append({"method": method, "url": url, **kwargs})
        return _Response(200, self.body)


def _toss(body: dict[str, Any]) -> tuple[TossClient, _RecordingSession]:
    session = _RecordingSession(body)
    client = TossClient(secret_key="test_sk", client_key="test_ck", session=session)
    return client, session


def test_toss_reports_an_approval_of_another_amount_as_approved():
    client, _ = _toss(
        {"paymentKey": "pk", "orderId": "cs_test_0001", "status": "DONE", "totalAmount": 30000}
    )
    params = {"paymentKey": "pk", "orderId": "cs_test_0001", "amount": "29000"}
    result = confirm(client, params)
    assert (result.status, result.amount) == (PaymentStatus.APPROVED, 30000)


def test_toss_sends_the_idempotency_key_with_refunds_and_closings():
    client, session = _toss({"paymentKey": "pk", "status": "CANCELED", "cancels": []})
    paid = _paid(_kcp_sandbox())  # any paid result: only its fields are sent
    client.refund(_refund_request(paid, "ref_42"))
    client.close_virtual_account(_close_request(paid, idempotency_key="gop_42"))
    refund_call, close_call = session.calls
    assert refund_call["headers"]["Idempotency-Key"] == "ref_42"
    assert close_call["headers"]["Idempotency-Key"] == "gop_42"
    assert close_call["url"].endswith(f"/v1/payments/{paid.transaction_id}/cancel")
    assert close_call["json"] == {"cancelReason": "결제 세션 종료"}


def test_kcp_close_body_is_a_signed_full_cancel():
    body = kcp_tx.close_account_body(
        _close_request(_paid(_kcp_sandbox(), PaymentMethod.VIRTUAL_ACCOUNT)),
        site_cd="T0000",
        cert_info="c",
    )
    assert (body["mod_type"], body["site_cd"]) == ("STSC", "T0000")
    assert kcp_tx.sign_string(body) == f"T0000^{body['tno']}^STSC"
