"""The worker's periodic sweep over money left pending at a gateway: confirmations, refunds,
voids and virtual-account closings whose answer never came are asked again with the same
idempotency key (or return) and settled once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from app.gateways.provider import GatewayProvider
from app.payments.operations import arm_account_closings, retry_pending_operations
from app.payments.payments import retry_confirmations
from app.payments.refunds import retry_pending_refunds


def sweep_pending_money(
    session_factory: Callable[[], Session], gateways: GatewayProvider, now: datetime
) -> int:
    """One round; returns how many rows it asked the gateways about."""
    return (
        retry_confirmations(session_factory, gateways, now)
        + retry_pending_refunds(session_factory, gateways, now)
        + arm_account_closings(session_factory, gateways, now)
        + retry_pending_operations(session_factory, gateways, now)
    )
