"""What a sandbox payment window shows, read from the gateway's own window fields.

The app renders the simulated window; it must not parse wire formats itself, so each
gateway's field names stay here beside its transformers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.gateways.base import GatewayName, PaymentMethod
from app.gateways.errors import InvalidWindowSubmission
from app.gateways.inicis import transformers as inicis_tx
from app.gateways.kcp import transformers as kcp_tx
from app.gateways.toss import transformers as toss_tx


@dataclass(frozen=True)
class WindowSummary:
    gateway: GatewayName
    method: PaymentMethod
    amount: int
    order_name: str
    installment_months: int


def _toss_method(fields: Mapping[str, str]) -> PaymentMethod:
    wire = (fields.get("method", ""), fields.get("easyPay", ""))
    for ours, pair in toss_tx.WINDOW_METHOD.items():
        if pair == wire:
            return ours
    raise ValueError("unknown window method")


def _months(value: str) -> int:
    return int(value) if value.isdecimal() and 2 <= int(value) <= 12 else 0


def describe_window(gateway: GatewayName | str, fields: Mapping[str, str]) -> WindowSummary:
    try:
        name = GatewayName(gateway)
        if name is GatewayName.TOSS:
            method, amount, title = _toss_method(fields), fields["amount"], fields["orderName"]
            months = _months(fields.get("cardInstallmentPlan", ""))
        elif name is GatewayName.KCP:
            method, amount, title = (
                kcp_tx.method_from_window(fields),
                fields["good_mny"],
                fields["good_name"],
            )
            months = _months(fields.get("fix_inst", "").lstrip("0"))
        else:
            method, amount, title = (
                inicis_tx.method_from_window(fields),
                fields["price"],
                fields["goodname"],
            )
            months = _months(fields.get("quotabase", ""))
        return WindowSummary(name, method, int(amount), title, months)
    except (KeyError, ValueError) as exc:
        raise InvalidWindowSubmission() from exc
