"""NHN KCP wire format <-> our types. Pure functions, no I/O.

Documentation followed:
- Standard payment window and its 4 steps (call, authenticate, approve, result), the
  ``order_info`` form (``site_cd``, ``ordr_idxx``, ``good_name``, ``good_mny``,
  ``pay_method``, ``buyr_*``, ``Ret_URL``) and the return of ``res_cd`` (``"0000"``),
  ``res_msg``, ``enc_data``, ``enc_info``, ``tran_cd``:
  https://developer.kcp.co.kr/page/document/web and .../page/document/standardPay
- Approval API ``POST https://spl.kcp.co.kr/gw/enc/v1/payment`` (stage ``stg-spl``) with
  ``tran_cd``, ``site_cd``, ``kcp_cert_info``, ``enc_data``, ``enc_info``, ``ordr_mony`` (the
  amount the merchant expects; KCP refuses a different authenticated amount), ``pay_type``.
- Cancel API ``POST https://spl.kcp.co.kr/gw/mod/v1/cancel`` with ``mod_type`` ``STSC``
  (full) / ``STPC`` (partial, ``mod_mny`` and ``rem_mny``) and ``kcp_sign_data`` =
  SHA256withRSA over ``site_cd^tno^mod_type``: https://developer.kcp.co.kr/en/page/document/cancel
  and https://developer.kcp.co.kr/en/page/refer/server
- Common notification (webhook): form POST with ``tx_cd`` (``TX00`` virtual-account
  deposit), ``ipgm_mnyx`` (deposited) and ``totl_mnyx`` (billed) that may differ, sent from
  fixed IPs; the merchant answers ``result=0000``:
  https://developer.kcp.co.kr/en/page/document/webhook
- Card decline codes ``CC10``/``AC25`` (insufficient funds) and ``CC07``/``8186``/``8188``
  (limit exceeded) as published in ezypay's KCP response guide
  (http://www.ezypay.com/failed-payment-response-guide/SK/KCP-local-cards).
Assumptions not verified against KCP's own pages are marked ASSUMED below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.gateways.base import (
    CardDetails,
    CloseAccountRequest,
    FailureCode,
    GatewayName,
    PaymentMethod,
    PaymentRequest,
    PaymentResult,
    PaymentStatus,
    RefundRequest,
    RefundResult,
    RefundStatus,
    VirtualAccount,
    mask_card_number,
)
from app.gateways.common import failed, parse_kst_stamp, parse_won
from app.gateways.errors import GatewayDeclined, InvalidRequest

API_BASE_URL = "https://spl.kcp.co.kr"
STAGE_BASE_URL = "https://stg-spl.kcp.co.kr"
APPROVAL_PATH = "/gw/enc/v1/payment"
CANCEL_PATH = "/gw/mod/v1/cancel"
SDK_URL = "https://spay.kcp.co.kr/plugin/kcp_spay_hub.js"
SUCCESS = "0000"
USER_CANCEL = "3001"

#: Our method -> (``pay_method`` bitmap, approval ``pay_type``, direct easy-pay flag).
METHODS: Mapping[PaymentMethod, tuple[str, str, str]] = {
    PaymentMethod.CARD: ("100000000000", "PACA", ""),
    PaymentMethod.TRANSFER: ("010000000000", "PABK", ""),
    PaymentMethod.VIRTUAL_ACCOUNT: ("001000000000", "PAVC", ""),
    # ASSUMED: KCP's direct easy-pay call flags on the card window.
    PaymentMethod.KAKAO_PAY: ("100000000000", "PACA", "kakaopay_direct"),
    PaymentMethod.NAVER_PAY: ("100000000000", "PACA", "naverpay_direct"),
}
SUPPORTED_METHODS = frozenset(METHODS)


def check_supported(method: PaymentMethod) -> None:
    if method not in SUPPORTED_METHODS:
        raise InvalidRequest("KCP에서 지원하지 않는 결제수단입니다.", code="unsupported_method")


ERROR_MAP: Mapping[str, FailureCode] = {
    USER_CANCEL: FailureCode.USER_CANCELLED,
    "CC10": FailureCode.INSUFFICIENT_FUNDS,
    "AC25": FailureCode.INSUFFICIENT_FUNDS,
    "CC07": FailureCode.INSUFFICIENT_FUNDS,
    "CC08": FailureCode.INSUFFICIENT_FUNDS,
    "CC09": FailureCode.INSUFFICIENT_FUNDS,
    "CC61": FailureCode.INSUFFICIENT_FUNDS,
    "8186": FailureCode.INSUFFICIENT_FUNDS,
    "8188": FailureCode.INSUFFICIENT_FUNDS,
    # Sandbox-defined codes (S0xx) for outcomes whose KCP code we could not verify.
    "S001": FailureCode.INVALID_CARD,
    "S002": FailureCode.STOLEN_CARD,
    "S003": FailureCode.CARD_DECLINED,
    "S009": FailureCode.AMOUNT_MISMATCH,
}

BANKS: Mapping[str, str] = {
    "BK04": "KB국민은행",
    "BK88": "신한은행",
    "BK20": "우리은행",
    "BK81": "하나은행",
    "BK11": "NH농협은행",
    "BK03": "IBK기업은행",
}


def failure_code(res_cd: str) -> FailureCode:
    return ERROR_MAP.get(
        res_cd,
        FailureCode.CARD_DECLINED
        if res_cd[:2] in {"CC", "80", "81", "83"}
        else FailureCode.GATEWAY_ERROR,
    )


def window_fields(request: PaymentRequest, site_cd: str) -> dict[str, str]:
    check_supported(request.method)
    pay_method, _, direct = METHODS[request.method]
    fields = {
        "site_cd": site_cd,
        "ordr_idxx": request.order_id,
        "good_name": request.order_name,
        "good_mny": str(request.amount),
        "pay_method": pay_method,
        "currency": "410",
        "buyr_name": request.customer.name,
        "buyr_mail": request.customer.email,
        "buyr_tel2": request.customer.phone,
        "quotaopt": "12",
        "Ret_URL": request.success_url,
    }
    if direct:
        fields[direct] = "Y"
    if request.method is PaymentMethod.CARD and request.installment_months:
        fields["fix_inst"] = f"{request.installment_months:02d}"
    return fields


def method_from_window(fields: Mapping[str, str]) -> PaymentMethod:
    for method, (_, _, direct) in METHODS.items():
        if direct and fields.get(direct) == "Y":
            return method
    for method, (pay_method, _, direct) in METHODS.items():
        if not direct and fields.get("pay_method") == pay_method:
            return method
    raise ValueError("unknown pay_method")


@dataclass(frozen=True)
class Return:
    """The form KCP posts back to ``Ret_URL`` after authentication."""

    order_id: str
    amount: int | None
    res_cd: str
    res_msg: str
    tran_cd: str = ""
    enc_data: str = ""
    enc_info: str = ""
    use_pay_method: str = ""


def parse_return(params: Mapping[str, str]) -> Return:
    return Return(
        order_id=params.get("ordr_idxx", ""),
        amount=parse_won(params.get("good_mny", "")),
        res_cd=params.get("res_cd", ""),
        res_msg=params.get("res_msg", ""),
        tran_cd=params.get("tran_cd", ""),
        enc_data=params.get("enc_data", ""),
        enc_info=params.get("enc_info", ""),
        use_pay_method=params.get("use_pay_method", ""),
    )


def approval_body(
    ret: Return, *, site_cd: str, cert_info: str, amount: int, method: PaymentMethod
) -> dict[str, str]:
    return {
        "tran_cd": ret.tran_cd,
        "site_cd": site_cd,
        "kcp_cert_info": cert_info,
        "enc_data": ret.enc_data,
        "enc_info": ret.enc_info,
        "ordr_mony": str(amount),
        "pay_type": METHODS[method][1],
        "ordr_no": ret.order_id,
    }


def failed_result(order_id: str, res_cd: str, res_msg: str) -> PaymentResult:
    return failed(GatewayName.KCP, order_id, failure_code(res_cd), res_msg, res_cd)


def parse_approval(body: Mapping[str, Any], order_id: str, method: PaymentMethod) -> PaymentResult:
    res_cd = str(body.get("res_cd", ""))
    if res_cd != SUCCESS:
        return failed_result(order_id, res_cd, str(body.get("res_msg", "")))
    pay_method = str(body.get("pay_method", ""))
    card = account = None
    status = PaymentStatus.APPROVED
    if pay_method == "PAVC":
        status = PaymentStatus.WAITING_FOR_DEPOSIT
        bank_code = str(body.get("bankcode", ""))
        account = VirtualAccount(
            bank=str(body.get("bankname") or BANKS.get(bank_code, bank_code)),
            account_number=str(body.get("account", "")),
            holder=str(body.get("depositor", "")),
            due_date=parse_kst_stamp(str(body.get("va_date", ""))) or datetime.min,
            bank_code=bank_code,
        )
    elif pay_method == "PACA" and body.get("card_no"):
        card = CardDetails(
            company=str(body.get("card_name", "")),
            masked_number=mask_card_number(str(body.get("card_no", ""))),
            installment_months=int(str(body.get("quota") or "0") or 0),
        )
    elif pay_method not in {"PACA", "PABK"}:
        status = PaymentStatus.PENDING  # an approval shape we do not know is not a success
    return PaymentResult(
        gateway=GatewayName.KCP,
        status=status,
        order_id=order_id,
        method=method,
        transaction_id=str(body.get("tno", "")),
        amount=parse_won(body.get("amount", "")) or 0,
        approved_at=parse_kst_stamp(str(body.get("app_time", ""))),
        card=card,
        virtual_account=account,
    )


def cancel_body(request: RefundRequest, *, site_cd: str, cert_info: str) -> dict[str, str]:
    """``kcp_sign_data`` is added by the caller over :func:`sign_string`."""
    is_va = request.method is PaymentMethod.VIRTUAL_ACCOUNT
    # After an earlier partial cancel, even the last remainder is a partial (STPC) cancel.
    partial = request.is_partial
    mod_type = MOD_TYPES[(is_va, partial)]
    body = {
        "site_cd": site_cd,
        "kcp_cert_info": cert_info,
        "tno": request.transaction_id,
        "mod_type": mod_type,
        "mod_desc": request.reason or "고객 요청",
    }
    if partial:
        body["mod_mny"] = str(request.amount)
        body["rem_mny"] = str(request.refundable_amount)
    if is_va and request.refund_account is not None:
        body["mod_bankcode"] = request.refund_account.bank_code
        body["mod_account"] = request.refund_account.account_number
        body["mod_depositor"] = request.refund_account.holder
    return body


#: (virtual account?, partial?) -> mod_type. The virtual-account pair is ASSUMED.
MOD_TYPES: Mapping[tuple[bool, bool], str] = {
    (False, False): "STSC",
    (False, True): "STPC",
    (True, False): "STHD",
    (True, True): "STPD",
}


def close_account_body(
    request: CloseAccountRequest, *, site_cd: str, cert_info: str
) -> dict[str, str]:
    """ASSUMED: a full cancel (``STSC``) of a virtual account before its deposit withdraws
    the account. KCP has no idempotency key; a repeated close of a closed account is refused
    by KCP, which the core records as a failed close for an operator to look at."""
    return {
        "site_cd": site_cd,
        "kcp_cert_info": cert_info,
        "tno": request.transaction_id,
        "mod_type": "STSC",
        "mod_desc": request.reason,
    }


def check_close(body: Mapping[str, Any]) -> None:
    res_cd = str(body.get("res_cd", ""))
    if res_cd != SUCCESS:
        raise GatewayDeclined(str(body.get("res_msg", "")), gateway_code=res_cd)


def sign_string(body: Mapping[str, str]) -> str:
    return f"{body['site_cd']}^{body['tno']}^{body['mod_type']}"


def parse_cancel(body: Mapping[str, Any], request: RefundRequest) -> RefundResult:
    res_cd = str(body.get("res_cd", ""))
    if res_cd != SUCCESS:
        raise GatewayDeclined(str(body.get("res_msg", "")), gateway_code=res_cd)
    remaining = parse_won(body.get("panc_rem_mny", body.get("rem_mny", "")))
    return RefundResult(
        gateway=GatewayName.KCP,
        status=RefundStatus.SUCCEEDED,
        transaction_id=request.transaction_id,
        # KCP keeps the original tno; (remaining before, amount) is unique per cancel.
        refund_id=f"{request.transaction_id}:{request.refundable_amount}:{request.amount}",
        amount=request.amount,
        remaining_amount=(
            remaining if remaining is not None else request.refundable_amount - request.amount
        ),
        refunded_at=parse_kst_stamp(str(body.get("canc_time", ""))),
    )
