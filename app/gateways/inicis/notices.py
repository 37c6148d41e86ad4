"""KG Inicis virtual-account deposit notification (NOTI) <-> our ``Notification``.

The web-standard NOTI is a form POST from Inicis's servers (authenticated by source IP
only) with ``no_tid``, ``no_oid``, ``id_merchant``, ``type_msg`` (``0200`` deposit),
``amt_input`` (the deposited amount), ``no_vacct``, ``dt_trans``/``tm_trans``; the merchant
answers the plain text ``OK`` (KG Inicis standard-web ``INIStdPayNoti`` sample, see the
transformers docstring). The NOTI carries no billed amount: the core must compare
``amount`` with the session total. ``type_msg`` ``0400`` as a deposit reversal is ASSUMED.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.gateways.base import (
    FailureCode,
    GatewayName,
    Notification,
    NotificationKind,
    PaymentStatus,
)
from app.gateways.common import parse_won

ACK = "OK"
TYPE_MAP: Mapping[str, tuple[NotificationKind, PaymentStatus]] = {
    "0200": (NotificationKind.DEPOSIT, PaymentStatus.APPROVED),
    "0400": (NotificationKind.DEPOSIT_CANCELLED, PaymentStatus.WAITING_FOR_DEPOSIT),
}


@dataclass(frozen=True)
class Noti:
    tid: str
    order_id: str
    mid: str
    type_msg: str
    deposited: int | None
    account: str
    stamp: str


def parse_noti(form: Mapping[str, str]) -> Noti:
    try:
        return Noti(
            tid=form["no_tid"],
            order_id=form["no_oid"],
            mid=form["id_merchant"],
            type_msg=form["type_msg"],
            deposited=parse_won(form.get("amt_input", "")),
            account=form.get("no_vacct", ""),
            stamp=f"{form.get('dt_trans', '')}{form.get('tm_trans', '')}",
        )
    except KeyError as exc:
        raise ValueError("not an Inicis NOTI") from exc


def to_notification(noti: Noti, expected_amount: int | None = None) -> Notification:
    kind, status = TYPE_MAP.get(
        noti.type_msg, (NotificationKind.STATUS_CHANGED, PaymentStatus.PENDING)
    )
    mismatch = kind is NotificationKind.DEPOSIT and (
        noti.deposited is None
        or (expected_amount is not None and noti.deposited != expected_amount)
    )
    if mismatch:
        status = PaymentStatus.PENDING
    return Notification(
        gateway=GatewayName.INICIS,
        kind=kind,
        event_id=f"{noti.tid}:{noti.type_msg}:{noti.stamp}",
        order_id=noti.order_id,
        transaction_id=noti.tid,
        status=status,
        amount=noti.deposited,
        expected_amount=expected_amount,
        failure_code=FailureCode.AMOUNT_MISMATCH if mismatch else None,
        ack_body=ACK,
    )
