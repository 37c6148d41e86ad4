"""KG Inicis INIAPI refund wire format (pure functions).

``POST https://iniapi.inicis.com/api/v1/refund`` as a urlencoded form (INIAPI refuses
JSON) with ``hashData`` = SHA-512 of key+type+paymethod+timestamp+clientIp+mid+tid, plus
price+confirmPrice for ``PartialRefund`` and the [ENC] refundAcctNum for virtual accounts;
the answer is JSON with ``resultCode`` ``"00"`` and, for partial refunds, ``prtcTid``,
``prtcPrice``, ``prtcRemains`` (https://manual.inicis.com/iniapi/).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.gateways.base import (
    CloseAccountRequest,
    GatewayName,
    PaymentMethod,
    RefundRequest,
    RefundResult,
    RefundStatus,
)
from app.gateways.common import parse_won
from app.gateways.errors import GatewayDeclined
from app.gateways.inicis.transformers import INIAPI_SUCCESS, METHODS, sha512, stamp

REFUND_URL = "https://iniapi.inicis.com/api/v1/refund"


def refund_form(
    request: RefundRequest,
    *,
    mid: str,
    api_key: str,
    client_ip: str,
    timestamp: str,
    encrypted_account: str = "",
) -> dict[str, str]:
    """INIAPI v1 refund form; ``encrypted_account`` is the AES [ENC] refund account."""
    refund_type = "PartialRefund" if request.is_partial else "Refund"
    paymethod = METHODS[request.method][1]
    form = {
        "type": refund_type,
        "paymethod": paymethod,
        "timestamp": timestamp,
        "clientIp": client_ip,
        "mid": mid,
        "tid": request.transaction_id,
        "msg": request.reason or "고객 요청",
    }
    plain = f"{api_key}{refund_type}{paymethod}{timestamp}{client_ip}{mid}{request.transaction_id}"
    if request.is_partial:
        form["price"] = str(request.amount)
        form["confirmPrice"] = str(request.refundable_amount - request.amount)
        plain += form["price"] + form["confirmPrice"]
    if request.refund_account is not None and encrypted_account:
        form["refundAcctNum"] = encrypted_account
        form["refundBankCode"] = request.refund_account.bank_code
        form["refundAcctName"] = request.refund_account.holder
        plain += encrypted_account
    form["hashData"] = sha512(plain)
    return form


def close_form(
    request: CloseAccountRequest, *, mid: str, api_key: str, client_ip: str, timestamp: str
) -> dict[str, str]:
    """ASSUMED: a full ``Refund`` of a VBank payment before its deposit withdraws the
    account (no refund account: nothing was paid). INIAPI has no idempotency key; a repeated
    close is refused, which the core records as a failed close for an operator."""
    paymethod = METHODS[PaymentMethod.VIRTUAL_ACCOUNT][1]
    form = {
        "type": "Refund",
        "paymethod": paymethod,
        "timestamp": timestamp,
        "clientIp": client_ip,
        "mid": mid,
        "tid": request.transaction_id,
        "msg": request.reason,
    }
    plain = f"{api_key}Refund{paymethod}{timestamp}{client_ip}{mid}{request.transaction_id}"
    form["hashData"] = sha512(plain)
    return form


def check_close(body: Mapping[str, Any]) -> None:
    code = str(body.get("resultCode", ""))
    if code != INIAPI_SUCCESS:
        raise GatewayDeclined(str(body.get("resultMsg", "")), gateway_code=code)


def parse_refund(body: Mapping[str, Any], request: RefundRequest) -> RefundResult:
    code = str(body.get("resultCode", ""))
    if code != INIAPI_SUCCESS:
        raise GatewayDeclined(str(body.get("resultMsg", "")), gateway_code=code)
    remains = parse_won(body.get("prtcRemains", ""))
    return RefundResult(
        gateway=GatewayName.INICIS,
        status=RefundStatus.SUCCEEDED,
        transaction_id=request.transaction_id,
        refund_id=str(
            body.get("prtcTid") or f"{request.transaction_id}:{request.refundable_amount}"
        ),
        amount=request.amount,
        remaining_amount=remains
        if remains is not None
        else request.refundable_amount - request.amount,
        refunded_at=stamp(body.get("cancelDate"), body.get("cancelTime")),
    )
