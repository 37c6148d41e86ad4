"""KCP's confirm flow, shared by the live client and the sandbox: only the approval
transport differs (HTTPS to ``spl.kcp.co.kr`` or the in-process simulated KCP).

Wire formats stay in ``transformers``; this module decides what to check, in which order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.gateways.base import ConfirmRequest, GatewayName, PaymentResult
from app.gateways.common import amount_mismatch
from app.gateways.errors import InvalidRedirect
from app.gateways.kcp import transformers as tx

#: Sends an approval body (``POST /gw/enc/v1/payment``) and returns KCP's answer.
Approve = Callable[[Mapping[str, str]], Mapping[str, Any]]


def confirm_payment(
    request: ConfirmRequest, approve: Approve, *, site_cd: str, cert_info: str
) -> PaymentResult:
    """Check the ``Ret_URL`` return against the session and approve the session total. An
    approval that still differs (amount or order) is reported as it is: money was taken,
    and the core voids what it does not apply."""
    ret = tx.parse_return(request.params)
    if ret.order_id != request.order_id:
        raise InvalidRedirect()
    if ret.res_cd != tx.SUCCESS:
        return tx.failed_result(request.order_id, ret.res_cd, ret.res_msg)
    if ret.amount != request.expected_amount:
        return amount_mismatch(GatewayName.KCP, request.order_id)
    try:
        method = tx.method_from_window(request.params)  # the echoed order_info form
    except ValueError as exc:
        raise InvalidRedirect() from exc
    body = tx.approval_body(
        ret, site_cd=site_cd, cert_info=cert_info, amount=request.expected_amount, method=method
    )
    return tx.parse_approval(approve(body), request.order_id, method)
