"""Transformer unit tests over recorded-shape wire payloads of each gateway."""

from app.gateways import (
    FailureCode,
    NotificationKind,
    PaymentMethod,
    PaymentStatus,
    RefundRequest,
)
from app.gateways.inicis import iniapi
from app.gateways.inicis import notices as inicis_notices
from app.gateways.inicis import transformers as inicis
from app.gateways.kcp import notices as kcp_notices
from app.gateways.kcp import transformers as kcp
from app.gateways.toss import transformers as toss

TOSS_DONE = {
    "mId": "tosspayments",
    "version": "2022-11-16",
    "lastTransactionKey": "B7103F204998813B889C77C043D09502",
    "paymentKey": "5zJ4xY7m0kODnyRpQWGrN2xqGlNvLrKwv1M9ENjbeoPaZdL6",
    "orderId": "cs_test_0001",
    "orderName": "토스 티셔츠 외 2건",
    "currency": "KRW",
    "method": "카드",
    "status": "DONE",
    "requestedAt": "2024-02-13T12:17:57+09:00",
    "approvedAt": "2024-02-13T12:18:14+09:00",
    "card": {
        "issuerCode": "41",
        "acquirerCode": "41",
        "number": "43301234****123*",
        "installmentPlanMonths": 3,
        "approveNo": "00000000",
        "cardType": "신용",
    },
    "easyPay": None,
    "secret": None,
    "failure": None,
    "totalAmount": 15000,
    "balanceAmount": 15000,
}


def test_toss_status_map_and_unknown_status_is_pending():
    assert toss.status_of("DONE") is PaymentStatus.APPROVED
    assert toss.status_of("WAITING_FOR_DEPOSIT") is PaymentStatus.WAITING_FOR_DEPOSIT
    assert toss.status_of("ABORTED") is PaymentStatus.FAILED
    assert toss.status_of("CANCELED") is PaymentStatus.CANCELLED
    assert toss.status_of("SOMETHING_NEW") is PaymentStatus.PENDING
    result = toss.parse_payment({**TOSS_DONE, "status": "SOMETHING_NEW"})
    assert result.status is PaymentStatus.PENDING
    assert not result.is_success


def test_toss_payment_object_to_result():
    result = toss.parse_payment(TOSS_DONE)
    assert result.status is PaymentStatus.APPROVED
    assert result.amount == 15000
    assert result.transaction_id == TOSS_DONE["paymentKey"]
    assert result.card.company == "신한카드"
    assert result.card.masked_number == "4330-****-****-123*"
    assert result.card.installment_months == 3


def test_toss_easy_pay_and_virtual_account():
    kakao = toss.parse_payment(
        {
            **TOSS_DONE,
            "method": "간편결제",
            "card": None,
            "easyPay": {"provider": "카카오페이", "amount": 15000, "discountAmount": 0},
        }
    )
    assert kakao.method is PaymentMethod.KAKAO_PAY
    va = toss.parse_payment(
        {
            **TOSS_DONE,
            "method": "가상계좌",
            "status": "WAITING_FOR_DEPOSIT",
            "card": None,
            "approvedAt": None,
            "secret": "ps_abc",
            "virtualAccount": {
                "accountNumber": "X6505636518308",
                "bankCode": "20",
                "customerName": "박토스",
                "dueDate": "2024-02-16T23:59:59+09:00",
            },
        }
    )
    assert va.status is PaymentStatus.WAITING_FOR_DEPOSIT
    assert va.virtual_account.bank == "우리은행"
    assert va.virtual_account.due_date.isoformat() == "2024-02-16T23:59:59+09:00"


def test_toss_redirects_and_error_codes():
    ok = toss.parse_redirect({"paymentKey": "pk", "orderId": "cs_1", "amount": "15000"})
    assert ok.succeeded
    assert ok.amount == 15000
    fail = toss.parse_redirect(
        {
            "code": "PAY_PROCESS_CANCELED",
            "message": "사용자에 의해 결제가 취소되었습니다.",
            "orderId": "cs_1",
        }
    )
    assert not fail.succeeded
    assert toss.failure_code("PAY_PROCESS_CANCELED") is FailureCode.USER_CANCELLED
    assert toss.failure_code("REJECT_CARD_PAYMENT") is FailureCode.INSUFFICIENT_FUNDS
    assert toss.failure_code("INVALID_CARD_LOST_OR_STOLEN") is FailureCode.STOLEN_CARD
    assert toss.failure_code("NEVER_SEEN") is FailureCode.GATEWAY_ERROR


def test_toss_basic_auth_and_cancel_body():
    assert toss.basic_auth("test_sk_abc") == "Basic dGVzdF9za19hYmM6"
    from app.gateways import BankAccount

    request = RefundRequest(
        "pk",
        "cs_1",
        PaymentMethod.VIRTUAL_ACCOUNT,
        15000,
        15000,
        5000,
        "단순 변심",
        "k",
        BankAccount("20", "1002123456789", "홍길동"),
    )
    body = toss.cancel_body(request)
    assert body["cancelAmount"] == 5000
    assert body["refundReceiveAccount"] == {
        "bank": "20",
        "accountNumber": "1002123456789",
        "holderName": "홍길동",
    }


KCP_CARD_APPROVAL = {
    "res_cd": "0000",
    "res_msg": "정상처리",
    "tno": "24123456789012",
    "amount": "29000",
    "pay_method": "PACA",
    "card_cd": "CCLG",
    "card_name": "신한카드",
    "card_no": "433012******1234",
    "app_no": "30012345",
    "app_time": "20240213121814",
    "quota": "03",
    "noinf": "N",
}


def test_kcp_approval_shapes():
    card = kcp.parse_approval(KCP_CARD_APPROVAL, "cs_1", PaymentMethod.CARD)
    assert card.status is PaymentStatus.APPROVED
    assert (card.transaction_id, card.amount) == ("24123456789012", 29000)
    assert card.card.installment_months == 3
    assert card.approved_at.isoformat() == "2024-02-13T12:18:14+09:00"
    va = kcp.parse_approval(
        {
            "res_cd": "0000",
            "tno": "24123456789013",
            "amount": "29000",
            "pay_method": "PAVC",
            "bankname": "국민은행",
            "bankcode": "BK04",
            "account": "12345678901234",
            "depositor": "한국상점",
            "va_date": "20240216235959",
        },
        "cs_1",
        PaymentMethod.VIRTUAL_ACCOUNT,
    )
    assert va.status is PaymentStatus.WAITING_FOR_DEPOSIT
    assert va.virtual_account.account_number == "12345678901234"
    unknown = kcp.parse_approval(
        {**KCP_CARD_APPROVAL, "pay_method": "PAXX"}, "cs_1", PaymentMethod.CARD
    )
    assert unknown.status is PaymentStatus.PENDING
    declined = kcp.parse_approval(
        {"res_cd": "CC10", "res_msg": "잔액부족"}, "cs_1", PaymentMethod.CARD
    )
    assert declined.failure_code is FailureCode.INSUFFICIENT_FUNDS
    assert kcp.failure_code("3001") is FailureCode.USER_CANCELLED


def test_kcp_partial_cancel_body_and_sign_string():
    request = RefundRequest(
        "24123456789012", "cs_1", PaymentMethod.CARD, 29000, 29000, 9000, "부분취소", "k"
    )
    body = kcp.cancel_body(request, site_cd="T0000", cert_info="-----BEGIN CERTIFICATE-----")
    assert (body["mod_type"], body["mod_mny"], body["rem_mny"]) == ("STPC", "9000", "29000")
    assert kcp.sign_string(body) == "T0000^24123456789012^STPC"
    full = RefundRequest(
        "24123456789012", "cs_1", PaymentMethod.CARD, 29000, 29000, 29000, "전체취소", "k"
    )
    assert kcp.cancel_body(full, site_cd="T0000", cert_info="c")["mod_type"] == "STSC"


def test_kcp_common_notification_compares_deposit_with_bill():
    form = {
        "site_cd": "T0000",
        "tno": "24123456789013",
        "order_no": "cs_1",
        "tx_cd": "TX00",
        "tx_tm": "20240214093000",
        "ipgm_name": "홍길동",
        "ipgm_mnyx": "29000",
        "totl_mnyx": "29000",
        "bank_code": "BK04",
        "account": "12345678901234",
        "op_cd": "00",
    }
    ok = kcp_notices.to_notification(kcp_notices.parse_notice(form))
    assert (ok.kind, ok.status, ok.amount) == (
        NotificationKind.DEPOSIT,
        PaymentStatus.APPROVED,
        29000,
    )
    assert 'value="0000"' in ok.ack_body
    short = kcp_notices.to_notification(kcp_notices.parse_notice({**form, "ipgm_mnyx": "28000"}))
    assert short.status is PaymentStatus.PENDING
    assert short.failure_code is FailureCode.AMOUNT_MISMATCH
    other = kcp_notices.to_notification(kcp_notices.parse_notice({**form, "tx_cd": "TX99"}))
    assert other.status is PaymentStatus.PENDING


def test_inicis_request_signature_matches_the_documented_hash():
    import hashlib

    expected = hashlib.sha256(b"oid=cs_1&price=1000&timestamp=1700000000000").hexdigest()
    assert inicis.request_signature("cs_1", "1000", "1700000000000") == expected


def test_inicis_approval_and_unknown_pay_method():
    body = {
        "resultCode": "0000",
        "resultMsg": "성공",
        "tid": "StdpayCARDINIpayTest20240213121814",
        "MOID": "cs_1",
        "TotPrice": "1000",
        "payMethod": "Card",
        "applDate": "20240213",
        "applTime": "121814",
        "CARD_Num": "43301234****1234",
        "CARD_Quota": "00",
    }
    result = inicis.parse_approval(body, "cs_1", PaymentMethod.CARD)
    assert (result.status, result.amount) == (PaymentStatus.APPROVED, 1000)
    weird = inicis.parse_approval({**body, "payMethod": "NewWallet"}, "cs_1", PaymentMethod.CARD)
    assert weird.status is PaymentStatus.PENDING
    assert inicis.is_trusted_auth_url("https://fcstdpay.inicis.com/api/payAuth")
    assert not inicis.is_trusted_auth_url("https://evil.example/api/payAuth")


def test_iniapi_partial_refund_hash():
    import hashlib

    request = RefundRequest("tid1", "cs_1", PaymentMethod.CARD, 1000, 1000, 300, "부분", "k")
    form = iniapi.refund_form(
        request,
        mid="INIpayTest",
        api_key="ItEQKi3rY7uvDS8l",
        client_ip="192.0.0.1",
        timestamp="20240213121814",
    )
    plain = "ItEQKi3rY7uvDS8lPartialRefundCard20240213121814192.0.0.1INIpayTesttid1300700"
    assert form["hashData"] == hashlib.sha512(plain.encode()).hexdigest()
    assert (form["price"], form["confirmPrice"]) == ("300", "700")


def test_inicis_noti():
    form = {
        "no_tid": "tid1",
        "no_oid": "cs_1",
        "id_merchant": "INIpayTest",
        "type_msg": "0200",
        "amt_input": "1000",
        "no_vacct": "12345678901234",
        "dt_trans": "20240214",
        "tm_trans": "093000",
    }
    notice = inicis_notices.to_notification(inicis_notices.parse_noti(form), expected_amount=1000)
    assert (notice.status, notice.ack_body) == (PaymentStatus.APPROVED, "OK")
    wrong = inicis_notices.to_notification(inicis_notices.parse_noti(form), expected_amount=2000)
    assert wrong.failure_code is FailureCode.AMOUNT_MISMATCH
