"""Virtual-account deposits: a verified gateway notification completes the session only if
it is approved *and* for exactly the session total (SANDBOX.md's rule for the core).
Every deposit is recorded, accepted or not; (gateway, event id) makes replays harmless."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gateways import FailureCode, Notification, PaymentStatus
from app.models import CheckoutSession, VirtualAccountDeposit
from app.payments.approvals import payment_event_data
from app.payments.errors import InvalidState
from app.payments.events import EventType, record_event
from app.payments.sessions import get_session
from app.payments.status import SessionStatus, transition

SESSION_CLOSED = "session_closed"


@dataclass(frozen=True)
class DepositOutcome:
    session: CheckoutSession
    deposit: VirtualAccountDeposit
    duplicate: bool = False

    @property
    def accepted(self) -> bool:
        return self.deposit.accepted


def _failure(session: CheckoutSession, notice: Notification) -> str | None:
    if notice.amount != session.total_amount:
        return FailureCode.AMOUNT_MISMATCH.value
    if notice.status is not PaymentStatus.APPROVED:
        return (notice.failure_code or FailureCode.GATEWAY_ERROR).value
    if session.status != SessionStatus.PROCESSING:
        return SESSION_CLOSED
    return None


def apply_deposit(db: Session, notice: Notification, now: datetime) -> DepositOutcome:
    session = get_session(db, None, notice.order_id, now, lock=True)
    if (
        session.virtual_account is None
        or session.gateway != notice.gateway.value
        or session.gateway_transaction_id != notice.transaction_id
    ):
        raise InvalidState(
            "No virtual account of this session waits for this deposit",
            code="no_pending_deposit",
            details={"sessionId": session.id},
        )
    query = select(VirtualAccountDeposit).where(
        VirtualAccountDeposit.gateway == notice.gateway.value,
        VirtualAccountDeposit.event_id == notice.event_id,
    )
    existing = db.scalars(query).one_or_none()
    if existing is not None:
        return DepositOutcome(session, existing, duplicate=True)
    failure = _failure(session, notice)
    deposit = VirtualAccountDeposit(
        session_id=session.id,
        gateway=notice.gateway.value,
        event_id=notice.event_id,
        amount=notice.amount or 0,
        expected_amount=session.total_amount,
        accepted=failure is None,
        failure_code=failure,
        created_at=now,
    )
    db.add(deposit)
    if failure is None:
        session.paid_amount = session.total_amount
        transition(session, SessionStatus.COMPLETED, now)
        record_event(db, session, EventType.PAYMENT_COMPLETED, payment_event_data(session), now)
    db.flush()
    return DepositOutcome(session, deposit)
