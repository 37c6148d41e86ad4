"""KG Inicis's confirm flow, shared by the live client and the sandbox: only the call to
``authUrl`` differs between them.

Wire formats stay in ``transformers``; this module decides what to check, in which order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from app.gateways.base import ConfirmRequest, PaymentResult
from app.gateways.errors import InvalidRedirect
from app.gateways.inicis import transformers as tx

#: Posts the approval form to the return's ``authUrl`` and returns Inicis's answer.
Approve = Callable[[tx.Return, Mapping[str, str]], Mapping[str, Any]]


def timestamp() -> str:
    """INIStdPay's ``timestamp``: milliseconds since the epoch."""
    return str(int(datetime.now(UTC).timestamp() * 1000))


def confirm_payment(
    request: ConfirmRequest,
    approve: Approve,
    *,
    mid: str,
    sign_key: str,
) -> PaymentResult:
    """Check the ``returnUrl`` form against the session and approve the session total as
    ``price``. An approval that still differs (amount or order) is reported as it is: the
    core records a void for it and sends it through INIAPI, like every other void."""
    if not request.params.get("resultCode"):
        return tx.closed_result(request.order_id)
    ret = tx.parse_return(request.params)
    if ret.order_id != request.order_id:
        raise InvalidRedirect()
    if ret.result_code != tx.SUCCESS:
        return tx.failed_result(request.order_id, ret.result_code, ret.result_msg)
    try:
        method = tx.method_from_merchant_data(ret.merchant_data)
    except ValueError as exc:
        raise InvalidRedirect() from exc
    form = tx.approval_form(
        ret, mid=mid, sign_key=sign_key, timestamp=timestamp(), price=request.expected_amount
    )
    return tx.parse_approval(approve(ret, form), request.order_id, method)
