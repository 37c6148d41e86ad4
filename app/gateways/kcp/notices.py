"""NHN KCP common notification (``common_return``) <-> our ``Notification``. Pure functions.

Follows https://developer.kcp.co.kr/en/page/document/webhook: a form POST from fixed KCP
IPs with ``site_cd``, ``tno``, ``order_no``, ``tx_cd`` (``TX00`` = virtual-account deposit),
``ipgm_mnyx`` (the amount actually deposited) and ``totl_mnyx`` (the billed amount): KCP
settles whatever was deposited, so the merchant must compare the two. The merchant answers
``result=0000`` in an HTML form.
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

#: Body KCP expects back from the notification URL.
NOTIFICATION_ACK = (
    '<html><body><form><input type="hidden" name="result" value="0000"></form></body></html>'
)
#: KCP notification source IPs (test, live 1, live 2) from the webhook guide.
NOTIFY_IPS = frozenset({"210.122.176.144", "103.215.144.173", "103.215.144.174"})
#: Notification ``tx_cd`` -> (kind, status). Unknown codes are a pending status change.
TX_MAP: Mapping[str, tuple[NotificationKind, PaymentStatus]] = {
    "TX00": (NotificationKind.DEPOSIT, PaymentStatus.APPROVED),
}
#: ``op_cd`` of a TX00 that reverses a deposit (bank error after the notice). ASSUMED.
DEPOSIT_CANCEL_OP = "13"


@dataclass(frozen=True)
class CommonNotice:
    """A parsed common notification (``common_return``)."""

    site_cd: str
    tno: str
    order_id: str
    tx_cd: str
    op_cd: str
    deposited: int | None
    billed: int | None
    tx_tm: str


def parse_notice(form: Mapping[str, str]) -> CommonNotice:
    try:
        return CommonNotice(
            site_cd=form["site_cd"],
            tno=form["tno"],
            order_id=form["order_no"],
            tx_cd=form["tx_cd"],
            op_cd=form.get("op_cd", ""),
            deposited=parse_won(form.get("ipgm_mnyx", "")),
            billed=parse_won(form.get("totl_mnyx", "")),
            tx_tm=form.get("tx_tm", ""),
        )
    except KeyError as exc:
        raise ValueError("not a KCP common notification") from exc


def to_notification(notice: CommonNotice) -> Notification:
    """Map a notice; a deposit that differs from the billed total is never approved."""
    kind, status = TX_MAP.get(
        notice.tx_cd, (NotificationKind.STATUS_CHANGED, PaymentStatus.PENDING)
    )
    if kind is NotificationKind.DEPOSIT and notice.op_cd == DEPOSIT_CANCEL_OP:
        kind, status = NotificationKind.DEPOSIT_CANCELLED, PaymentStatus.WAITING_FOR_DEPOSIT
    mismatch = kind is NotificationKind.DEPOSIT and (
        notice.deposited is None or notice.deposited != notice.billed
    )
    if mismatch:
        status = PaymentStatus.PENDING
    return Notification(
        gateway=GatewayName.KCP,
        kind=kind,
        event_id=f"{notice.tno}:{notice.tx_cd}:{notice.op_cd}:{notice.tx_tm}",
        order_id=notice.order_id,
        transaction_id=notice.tno,
        status=status,
        amount=notice.deposited,
        expected_amount=notice.billed,
        failure_code=FailureCode.AMOUNT_MISMATCH if mismatch else None,
        ack_body=NOTIFICATION_ACK,
        ack_content_type="text/html; charset=utf-8",
    )
