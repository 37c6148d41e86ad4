"""KG Inicis (INIStdPay web standard + INIAPI) wire format <-> our types. Pure functions.

Documentation followed:
- INIStdPay request form (``version``, ``mid``, ``oid``, ``price``, ``timestamp``,
  ``signature`` = SHA-256 of ``oid=..&price=..&timestamp=..``, ``verification`` = SHA-256 of
  ``oid=..&price=..&signKey=..&timestamp=..``, ``mKey`` = SHA-256 of the signKey,
  ``returnUrl``, ``closeUrl``, ``gopaymethod``, ``acceptmethod``) and the authentication
  return (``resultCode`` ``"0000"``, ``orderNumber``, ``authToken``, ``authUrl``,
  ``netCancelUrl``) followed by the approval POST to ``authUrl`` (``authToken``,
  ``signature`` = SHA-256 of ``authToken=..&timestamp=..``, ``format=JSON``) answering
  ``tid``, ``MOID``, ``TotPrice``, ``payMethod``, ``CARD_*``/``VACT_*``: the KG Inicis
  standard-web samples (``INIStdPayRequest``/``INIStdPayReturn``, e.g. the paywelcome
  mirror https://paywelcome.github.io/stdweb02.html) and https://manual.inicis.com/stdpay/
- INIAPI refund ``POST https://iniapi.inicis.com/api/v1/refund`` (form, not JSON) with
  ``type`` ``Refund``/``PartialRefund``, ``paymethod``, ``timestamp``, ``clientIp``, ``mid``,
  ``tid``, ``msg``, ``price``/``confirmPrice`` for partial refunds and ``hashData`` =
  SHA-512 of key+type+paymethod+timestamp+clientIp+mid+tid(+price+confirmPrice)
  (+refundAcctNum), ``refundAcctNum`` AES-encrypted [ENC]: https://manual.inicis.com/iniapi/
  and Inicis's INIAPI FAQ (https://www.inicis.com/blog/archives/category/cs/cs_best/).
Assumptions not verified against Inicis's pages are marked ASSUMED below.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from app.gateways.base import (
    CardDetails,
    FailureCode,
    GatewayName,
    PaymentMethod,
    PaymentRequest,
    PaymentResult,
    PaymentStatus,
    VirtualAccount,
    mask_card_number,
)
from app.gateways.common import failed, parse_kst_stamp, parse_won
from app.gateways.errors import InvalidRequest

SDK_URL = "https://stdpay.inicis.com/stdjs/INIStdPay.js"
INIAPI_BASE_URL = "https://iniapi.inicis.com"
REFUND_PATH = "/api/v1/refund"
SUCCESS = "0000"
INIAPI_SUCCESS = "00"
TRUSTED_AUTH_HOSTS = frozenset(
    {"stdpay.inicis.com", "fcstdpay.inicis.com", "ksstdpay.inicis.com", "stgstdpay.inicis.com"}
)

#: Our method -> (``gopaymethod``, INIAPI ``paymethod``). Easy-pay values are ASSUMED.
METHODS: Mapping[PaymentMethod, tuple[str, str]] = {
    PaymentMethod.CARD: ("Card", "Card"),
    PaymentMethod.TRANSFER: ("DirectBank", "Acct"),
    PaymentMethod.VIRTUAL_ACCOUNT: ("VBank", "Vacct"),
    PaymentMethod.KAKAO_PAY: ("onlykakaopay", "Card"),
    PaymentMethod.NAVER_PAY: ("onlynaverpay", "Card"),
    PaymentMethod.SAMSUNG_PAY: ("onlyssp", "Card"),
}
SUPPORTED_METHODS = frozenset(METHODS)


def check_supported(method: PaymentMethod) -> None:
    if method not in SUPPORTED_METHODS:
        raise InvalidRequest(
            "이니시스에서 지원하지 않는 결제수단입니다.", code="unsupported_method"
        )


#: Approval ``payMethod`` -> status. Unknown values are pending, never approved.
STATUS_MAP: Mapping[str, PaymentStatus] = {
    "Card": PaymentStatus.APPROVED,
    "VCard": PaymentStatus.APPROVED,
    "DirectBank": PaymentStatus.APPROVED,
    "Kakaopay": PaymentStatus.APPROVED,
    "NaverPay": PaymentStatus.APPROVED,
    "SSP": PaymentStatus.APPROVED,
    "VBank": PaymentStatus.WAITING_FOR_DEPOSIT,
}

#: ``resultCode`` -> ours. Inicis's card-issuer codes could not be verified, so the sandbox
#: answers with its own S0xx codes; unknown refusals are a generic decline.
ERROR_MAP: Mapping[str, FailureCode] = {
    "S001": FailureCode.INVALID_CARD,
    "S002": FailureCode.STOLEN_CARD,
    "S003": FailureCode.CARD_DECLINED,
    "S004": FailureCode.INSUFFICIENT_FUNDS,
    "S009": FailureCode.AMOUNT_MISMATCH,
}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha512(text: str) -> str:
    return hashlib.sha512(text.encode("utf-8")).hexdigest()


def request_signature(oid: str, price: str, timestamp: str) -> str:
    return sha256(f"oid={oid}&price={price}&timestamp={timestamp}")


def request_verification(oid: str, price: str, sign_key: str, timestamp: str) -> str:
    return sha256(f"oid={oid}&price={price}&signKey={sign_key}&timestamp={timestamp}")


def failure_code(result_code: str) -> FailureCode:
    return ERROR_MAP.get(result_code, FailureCode.CARD_DECLINED)


def window_fields(
    request: PaymentRequest, *, mid: str, sign_key: str, timestamp: str
) -> dict[str, str]:
    check_supported(request.method)
    price = str(request.amount)
    fields = {
        "version": "1.0",
        "mid": mid,
        "goodname": request.order_name,
        "oid": request.order_id,
        "price": price,
        "currency": "WON",
        "buyername": request.customer.name,
        "buyertel": request.customer.phone,
        "buyeremail": request.customer.email,
        "timestamp": timestamp,
        "signature": request_signature(request.order_id, price, timestamp),
        "verification": request_verification(request.order_id, price, sign_key, timestamp),
        "mKey": sha256(sign_key),
        "returnUrl": request.success_url,
        "closeUrl": request.fail_url,
        "gopaymethod": METHODS[request.method][0],
        "acceptmethod": "HPP(1):below1000:va_receipt:centerCd(Y)",
        "charset": "UTF-8",
        # Echoed back untouched in the return: tells the return which method was chosen.
        "merchantData": f"method={request.method.value}",
    }
    if request.method is PaymentMethod.CARD and request.installment_months:
        fields["quotabase"] = str(request.installment_months)
    return fields


def method_from_window(fields: Mapping[str, str]) -> PaymentMethod:
    for method, (gopaymethod, _) in METHODS.items():
        if fields.get("gopaymethod") == gopaymethod:
            return method
    raise ValueError("unknown gopaymethod")


@dataclass(frozen=True)
class Return:
    """The form Inicis posts to ``returnUrl``; an empty one is the close (cancel) path."""

    result_code: str
    result_msg: str
    order_id: str
    auth_token: str = ""
    auth_url: str = ""
    net_cancel_url: str = ""
    mid: str = ""
    merchant_data: str = ""


def parse_return(params: Mapping[str, str]) -> Return:
    return Return(
        result_code=params.get("resultCode", ""),
        result_msg=params.get("resultMsg", ""),
        order_id=params.get("orderNumber", ""),
        auth_token=params.get("authToken", ""),
        auth_url=params.get("authUrl", ""),
        net_cancel_url=params.get("netCancelUrl", ""),
        mid=params.get("mid", ""),
        merchant_data=params.get("merchantData", ""),
    )


def method_from_merchant_data(merchant_data: str) -> PaymentMethod:
    key, _, value = merchant_data.partition("=")
    if key != "method":
        raise ValueError("no method in merchantData")
    return PaymentMethod(value)


def closed_result(order_id: str) -> PaymentResult:
    """The customer closed the window: Inicis calls ``closeUrl`` with nothing to verify."""
    return failed(
        GatewayName.INICIS, order_id, FailureCode.USER_CANCELLED, "사용자가 결제창을 닫았습니다."
    )


def is_trusted_auth_url(url: str) -> bool:
    """``authUrl`` arrives through the browser: only Inicis hosts over HTTPS are called."""
    parts = urlsplit(url)
    return parts.scheme == "https" and (parts.hostname or "") in TRUSTED_AUTH_HOSTS


def approval_form(
    ret: Return, *, mid: str, sign_key: str, timestamp: str, price: int
) -> dict[str, str]:
    token = ret.auth_token
    return {
        "mid": mid,
        "authToken": token,
        "timestamp": timestamp,
        "signature": sha256(f"authToken={token}&timestamp={timestamp}"),
        "verification": sha256(f"authToken={token}&signKey={sign_key}&timestamp={timestamp}"),
        "charset": "UTF-8",
        "format": "JSON",
        "price": str(price),
    }


def stamp(day: Any, time: Any) -> datetime | None:
    """Inicis sends dates and times apart (``applDate``/``applTime``), both in KST."""
    return parse_kst_stamp(f"{day or ''}{time or ''}")


def failed_result(order_id: str, code: str, message: str) -> PaymentResult:
    return failed(GatewayName.INICIS, order_id, failure_code(code), message, code)


def parse_approval(body: Mapping[str, Any], order_id: str, method: PaymentMethod) -> PaymentResult:
    code = str(body.get("resultCode", ""))
    if code != SUCCESS:
        return failed_result(order_id, code, str(body.get("resultMsg", "")))
    pay_method = str(body.get("payMethod", ""))
    status = STATUS_MAP.get(pay_method, PaymentStatus.PENDING)
    card = account = None
    if body.get("CARD_Num"):
        card = CardDetails(
            company=str(body.get("CARD_Name") or "카드"),
            masked_number=mask_card_number(str(body["CARD_Num"])),
            installment_months=int(str(body.get("CARD_Quota") or "0") or 0),
        )
    if pay_method == "VBank":
        account = VirtualAccount(
            bank=str(body.get("vactBankName", "")),
            account_number=str(body.get("VACT_Num", "")),
            holder=str(body.get("VACT_Name", "")),
            due_date=stamp(body.get("VACT_Date"), body.get("VACT_Time")) or datetime.min,
            bank_code=str(body.get("VACT_BankCode", "")),
        )
    return PaymentResult(
        gateway=GatewayName.INICIS,
        status=status,
        order_id=str(body.get("MOID", order_id)),
        method=method,
        transaction_id=str(body.get("tid", "")),
        amount=parse_won(body.get("TotPrice", "")) or 0,
        approved_at=stamp(body.get("applDate"), body.get("applTime")),
        card=card,
        virtual_account=account,
    )
