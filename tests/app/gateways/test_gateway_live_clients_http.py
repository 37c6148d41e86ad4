"""Live clients against a tiny fake gateway speaking real HTTP on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qsl

import pytest
import requests

from app.gateways import (
    FailureCode,
    GatewayDeclined,
    GatewayTimeout,
    InvalidRedirect,
    PaymentMethod,
    PaymentStatus,
    RefundRequest,
)
from app.gateways.inicis.client import InicisClient
from app.gateways.toss.client import TossClient
from app.gateways.toss.transformers import basic_auth
from tests.app.gateways.gateway_helpers import confirm

SECRET_KEY = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"


class FakeGateway(BaseHTTPRequestHandler):
    """Routes: Toss confirm/cancel/lookup, an Inicis authUrl. Records what it received."""

    seen: ClassVar[list] = []

    def log_message(self, *args):
        pass

    def _reply(self, status, body):
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self):
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, dict(self.headers), raw))
        if self.path == "/v1/payments/confirm":
            if self.headers["Authorization"] != basic_auth(SECRET_KEY):
                return self._reply(401, {"code": "UNAUTHORIZED_KEY", "message": "인증 실패"})
            body = json.loads(raw)
            if body["paymentKey"] == "pk_declined":
                return self._reply(
                    403,
                    {
                        "code": "REJECT_CARD_PAYMENT",
                        "message": "한도초과 혹은 잔액부족으로 결제에 실패했습니다.",
                    },
                )
            if body["paymentKey"] == "pk_again":
                return self._reply(
                    400,
                    {"code": "ALREADY_PROCESSED_PAYMENT", "message": "이미 처리된 결제 입니다."},
                )
            if body["paymentKey"] == "pk_boom":
                return self._reply(
                    500,
                    {
                        "code": "FAILED_INTERNAL_SYSTEM_PROCESSING",
                        "message": "내부 시스템 처리 작업이 실패했습니다.",
                    },
                )
            return self._reply(200, _payment(body["paymentKey"], body["orderId"], body["amount"]))
        if self.path.endswith("/cancel"):
            body = json.loads(raw)
            if body["cancelReason"] == "거절" or body["cancelAmount"] > body["refundableAmount"]:
                return self._reply(
                    400,
                    {"code": "NOT_CANCELABLE_AMOUNT", "message": "취소 할 수 없는 금액 입니다."},
                )
            rest = body["refundableAmount"] - body["cancelAmount"]
            return self._reply(
                200,
                {
                    **_payment("pk_ok", "cs_test_0001", 29000),
                    "status": "PARTIAL_CANCELED",
                    "balanceAmount": rest,
                    "cancels": [
                        {
                            "cancelAmount": body["cancelAmount"],
                            "transactionKey": "tk_1",
                            "canceledAt": "2024-02-13T12:20:00+09:00",
                            "cancelStatus": "DONE",
                        }
                    ],
                },
            )
        if self.path == "/inicis/auth":
            form = dict(parse_qsl(raw.decode()))
            return self._reply(
                200,
                {
                    "resultCode": "0000",
                    "resultMsg": "성공",
                    "tid": "StdpayT1",
                    "MOID": "cs_test_0001",
                    "TotPrice": form["price"],
                    "payMethod": "Card",
                    "applDate": "20240213",
                    "applTime": "121814",
                    "CARD_Num": "43301234****0001",
                },
            )
        if self.path == "/inicis/netcancel":
            return self._reply(200, {"resultCode": "0000"})
        return self._reply(404, {"code": "NOT_FOUND", "message": "없음"})

    def do_GET(self):
        self.seen.append((self.path, dict(self.headers), b""))
        if self.path == "/v1/payments/pk_again":
            return self._reply(200, _payment("pk_again", "cs_test_0001", 29000))
        return self._reply(404, {"code": "NOT_FOUND_PAYMENT", "message": "존재하지 않는 결제"})


def _payment(key, order_id, amount):
    return {
        "paymentKey": key,
        "orderId": order_id,
        "status": "DONE",
        "method": "카드",
        "totalAmount": amount,
        "balanceAmount": amount,
        "approvedAt": "2024-02-13T12:18:14+09:00",
        "card": {"issuerCode": "41", "number": "43301234****123*", "installmentPlanMonths": 0},
    }


@pytest.fixture
def server():
    FakeGateway.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)  # bound before serving
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def toss(server):
    return TossClient(
        secret_key=SECRET_KEY, client_key="test_ck", session=requests.Session(), base_url=server
    )


def _toss_params(key, amount="29000"):
    return {"paymentKey": key, "orderId": "cs_test_0001", "amount": amount}


def test_toss_confirm_sends_basic_auth_and_idempotency_key(toss):
    result = confirm(toss, _toss_params("pk_ok"))
    assert result.status is PaymentStatus.APPROVED
    assert result.transaction_id == "pk_ok"
    path, headers, raw = FakeGateway.seen[-1]
    assert path == "/v1/payments/confirm"
    assert headers["Idempotency-Key"] == "confirm:pk_ok"
    assert json.loads(raw) == {"paymentKey": "pk_ok", "orderId": "cs_test_0001", "amount": 29000}


def test_toss_amount_mismatch_never_reaches_the_gateway(toss):
    result = confirm(toss, _toss_params("pk_ok", amount="100"))
    assert result.failure_code is FailureCode.AMOUNT_MISMATCH
    assert FakeGateway.seen == []


def test_toss_decline_and_double_confirm_and_forged_key(toss):
    assert confirm(toss, _toss_params("pk_declined")).failure_code is FailureCode.INSUFFICIENT_FUNDS
    again = confirm(toss, _toss_params("pk_again"))
    assert again.status is PaymentStatus.APPROVED
    assert FakeGateway.seen[-1][0] == "/v1/payments/pk_again"


def test_toss_server_error_is_a_gateway_error_not_a_decline(toss):
    from app.gateways import GatewayError

    with pytest.raises(GatewayError) as info:
        confirm(toss, _toss_params("pk_boom"))
    assert info.value.gateway_code == "FAILED_INTERNAL_SYSTEM_PROCESSING"


def test_toss_refund_and_refusal(toss):
    request = RefundRequest(
        "pk_ok", "cs_test_0001", PaymentMethod.CARD, 29000, 29000, 9000, "부분 환불", "ref-key-1"
    )
    result = toss.refund(request)
    assert (result.amount, result.remaining_amount, result.refund_id) == (9000, 20000, "tk_1")
    assert FakeGateway.seen[-1][1]["Idempotency-Key"] == "ref-key-1"


def test_toss_timeout_is_gateway_timeout():
    listener = __import__("socket").socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        client = TossClient(
            secret_key=SECRET_KEY,
            client_key="c",
            session=requests.Session(),
            base_url=f"http://127.0.0.1:{listener.getsockname()[1]}",
            timeout=1.0,
        )
        with pytest.raises(GatewayTimeout):
            confirm(client, _toss_params("pk_ok"))
    finally:
        listener.close()


def test_inicis_approval_only_calls_trusted_auth_urls(server):
    client = InicisClient(
        mid="INIpayTest",
        sign_key="SU5JTElURV9UUklQTEVERVNfS0VZU1RS",
        iniapi_key="ItEQKi3rY7uvDS8l",
        session=requests.Session(),
        notify_ips=(),
        trusted_auth_hosts={"127.0.0.1"},
    )
    params = {
        "resultCode": "0000",
        "resultMsg": "성공",
        "mid": "INIpayTest",
        "orderNumber": "cs_test_0001",
        "authToken": "tok",
        "authUrl": f"{server}/inicis/auth",
        "netCancelUrl": f"{server}/inicis/netcancel",
        "merchantData": "method=card",
    }
    result = confirm(client, params)
    assert (result.status, result.transaction_id) == (PaymentStatus.APPROVED, "StdpayT1")
    sent = dict(parse_qsl(FakeGateway.seen[-1][2].decode()))
    assert (sent["authToken"], sent["price"], sent["format"]) == ("tok", "29000", "JSON")
    # authUrl comes through the browser: a foreign host or an unparsable URL is a forged return.
    for forged in ("https://evil.example/auth", "https://[127.0.0.1/auth"):
        with pytest.raises(InvalidRedirect):
            confirm(client, {**params, "authUrl": forged})


def test_declined_refund_raises(toss):
    request = RefundRequest(
        "pk_ok", "cs_test_0001", PaymentMethod.CARD, 29000, 29000, 1000, "거절", "k2"
    )
    with pytest.raises(GatewayDeclined) as info:
        toss.refund(request)
    assert info.value.gateway_code == "NOT_CANCELABLE_AMOUNT"
