"""Applying a gateway's answer to a payment attempt: complete, issue the account, decline,
or give back money the session cannot take.

Declines keep the session ``processing`` so the customer can try again (as Stripe keeps a
PaymentIntent open after a failed charge); each decline records ``payment.failed`` with
``retryable``. After ``MAX_FAILED_ATTEMPTS`` declines the session becomes ``failed``.
An approval (or an issued account) the session cannot take (it closed meanwhile, or the
amount, currency or order differs) is money taken: it is given back through a void or an
account closing recorded before the gateway call (``operations``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.gateways import FailureCode, PaymentMethod, PaymentResult, PaymentStatus
from app.gateways.provider import GatewayProvider
from app.models import CheckoutSession, PaymentAttempt
from app.payments.events import EventType, record_event
from app.payments.operations import OperationKind, perform_operation, record_operation
from app.payments.representation import session_event_data
from app.payments.status import SessionStatus, transition
from app.payments.timefmt import isoformat_z

MAX_FAILED_ATTEMPTS = 5


class AttemptStatus(StrEnum):
    STARTED = "started"
    #: The window's return is on record and the gateway is being asked to confirm it.
    CONFIRMING = "confirming"
    APPROVED = "approved"
    WAITING_FOR_DEPOSIT = "waiting_for_deposit"
    FAILED = "failed"
    CLOSED_BY_CUSTOMER = "closed_by_customer"
    #: No answer in time; the sweep asks again while the gateway may still know it.
    TIMED_OUT = "timed_out"
    #: The window came back when the session could no longer take this payment (closed,
    #: paid, or a virtual account awaits its deposit): never confirmed, no money moved.
    NOT_CONFIRMED = "not_confirmed"
    #: Approved after the session could no longer take it: given back (a void).
    VOIDED = "voided"


#: Attempts whose outcome at the gateway is not known yet.
UNSETTLED = frozenset({AttemptStatus.CONFIRMING, AttemptStatus.TIMED_OUT})


def can_take_payment(session: CheckoutSession) -> bool:
    return session.status == SessionStatus.PROCESSING and session.virtual_account is None


def finish_attempt(
    attempt: PaymentAttempt,
    status: AttemptStatus,
    now: datetime,
    failure_code: str | None = None,
    result: PaymentResult | None = None,
) -> None:
    attempt.status = status
    attempt.updated_at = now
    attempt.failure_code = failure_code
    if result is not None:
        attempt.failure_message = result.failure_message or None
        attempt.gateway_code = result.gateway_code or None


def apply_result(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    gateways: GatewayProvider,
    now: datetime,
) -> None:
    """Apply a confirmation's result; the caller holds the session's row lock."""
    attempt.transaction_id = result.transaction_id or None
    taken = result.status in (PaymentStatus.APPROVED, PaymentStatus.WAITING_FOR_DEPOSIT)
    if taken and not (can_take_payment(session) and _matches(result, session)):
        _give_back(db, session, attempt, result, gateways, now)
    elif result.status is PaymentStatus.APPROVED:
        _approved(db, session, attempt, result, now)
    elif result.status is PaymentStatus.WAITING_FOR_DEPOSIT and result.virtual_account:
        _virtual_account_issued(db, session, attempt, result, now)
    elif result.failure_code is FailureCode.USER_CANCELLED:
        finish_attempt(attempt, AttemptStatus.CLOSED_BY_CUSTOMER, now, result.failure_code.value)
    else:
        declined(db, session, attempt, result, now, result.failure_code)


def _matches(result: PaymentResult, session: CheckoutSession) -> bool:
    return (result.amount, result.currency, result.order_id) == (
        session.total_amount,
        session.currency,
        session.id,
    )


def _give_back(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    gateways: GatewayProvider,
    now: datetime,
) -> None:
    """Decline (or, for a session that closed meanwhile, void) the attempt and give the
    money back through an operation committed before the gateway hears of it."""
    kind = (
        OperationKind.CLOSE_ACCOUNT
        if result.status is PaymentStatus.WAITING_FOR_DEPOSIT
        else OperationKind.VOID_PAYMENT
    )
    operation = record_operation(db, kind, session, attempt, result, now)
    if can_take_payment(session):
        declined(db, session, attempt, result, now, FailureCode.AMOUNT_MISMATCH)
    else:
        finish_attempt(attempt, AttemptStatus.VOIDED, now)
    db.commit()
    perform_operation(db, operation, gateways, now)


def _approved(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    now: datetime,
) -> None:
    session.payment_method = (result.method or PaymentMethod(attempt.method)).value
    session.gateway = result.gateway.value
    session.gateway_transaction_id = result.transaction_id
    session.installment_months = (result.card.installment_months or None) if result.card else None
    session.paid_amount = result.amount
    finish_attempt(attempt, AttemptStatus.APPROVED, now)
    transition(session, SessionStatus.COMPLETED, now)
    record_event(db, session, EventType.PAYMENT_COMPLETED, payment_event_data(session), now)


def _virtual_account_issued(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    now: datetime,
) -> None:
    account = result.virtual_account
    assert account is not None
    session.payment_method = PaymentMethod.VIRTUAL_ACCOUNT.value
    session.gateway = result.gateway.value
    session.gateway_transaction_id = result.transaction_id
    session.virtual_account = {
        "bank": account.bank,
        "bankCode": account.bank_code,
        "accountNumber": account.account_number,
        "holder": account.holder,
        "dueDate": isoformat_z(account.due_date),
        "amount": session.total_amount,
    }
    # The session stays open until the deposit is due, not only its own lifetime.
    session.expires_at = max(session.expires_at, account.due_date)
    session.updated_at = now
    finish_attempt(attempt, AttemptStatus.WAITING_FOR_DEPOSIT, now)
    # Closed at the gateway by the sweep if the session ends without the deposit.
    record_operation(db, OperationKind.CLOSE_ACCOUNT, session, attempt, result, now, scheduled=True)
    data = {**session_event_data(session), "virtualAccount": session.virtual_account}
    record_event(db, session, EventType.VIRTUAL_ACCOUNT_ISSUED, data, now)


def declined(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    now: datetime,
    failure_code: FailureCode | None,
) -> None:
    code = failure_code or FailureCode.GATEWAY_ERROR
    finish_attempt(attempt, AttemptStatus.FAILED, now, code.value, result)
    if session.status != SessionStatus.PROCESSING:
        return  # a late answer for a session that ended meanwhile: nothing left to decline
    session.failed_attempts += 1
    retryable = session.failed_attempts < MAX_FAILED_ATTEMPTS
    if not retryable:
        transition(session, SessionStatus.FAILED, now)
    session.updated_at = now
    data = {
        **session_event_data(session),
        "failureCode": code.value,
        "failureMessage": result.failure_message,
        "attempts": session.failed_attempts,
        "retryable": retryable,
    }
    record_event(db, session, EventType.PAYMENT_FAILED, data, now)


def payment_event_data(session: CheckoutSession) -> dict[str, Any]:
    return {
        **session_event_data(session),
        "paidAmount": session.paid_amount,
        "installmentMonths": session.installment_months,
    }
