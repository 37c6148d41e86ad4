"""Paying a session: start at a gateway, confirm the window's return, complete or decline.

Declines keep the session ``processing`` so the customer can try again (as Stripe keeps a
PaymentIntent open after a failed charge); each decline records ``payment.failed`` with
``retryable``. After ``MAX_FAILED_ATTEMPTS`` declines the session becomes ``failed``.
A customer closing the gateway window is not a decline: nothing is recorded but the attempt.

The session is locked and re-read before the gateway confirms anything: a session that can
no longer take the payment (closed, paid, or a virtual account awaits its deposit) is never
confirmed, and Toss, KCP and Inicis only take the money on that server-side confirmation.
The lock is held until the answer is applied, so the session cannot close meanwhile. An
approval that still cannot be applied (another amount, currency or order) is money taken:
it is declined and given back through a void recorded before the gateway call
(``operations``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.gateways import (
    ConfirmRequest,
    FailureCode,
    GatewayTimeout,
    PaymentMethod,
    PaymentRequest,
    PaymentResult,
    PaymentStatus,
    WindowRedirect,
    route,
)
from app.gateways.provider import GatewayProvider
from app.models import CheckoutSession, PaymentAttempt
from app.payments.errors import InvalidRequest, InvalidState
from app.payments.events import EventType, record_event
from app.payments.gateway_calls import gateway_call
from app.payments.operations import OperationKind, perform_operation, record_operation
from app.payments.payment_inputs import (
    PaymentChoice,
    check_choice,
    gateway_customer,
    order_name,
)
from app.payments.representation import session_event_data
from app.payments.sessions import get_session
from app.payments.status import SessionStatus, transition
from app.payments.timefmt import isoformat_z

MAX_FAILED_ATTEMPTS = 5


class AttemptStatus(StrEnum):
    STARTED = "started"
    APPROVED = "approved"
    WAITING_FOR_DEPOSIT = "waiting_for_deposit"
    FAILED = "failed"
    CLOSED_BY_CUSTOMER = "closed_by_customer"
    TIMED_OUT = "timed_out"
    #: The window came back when the session could no longer take this payment (closed,
    #: paid, or a virtual account awaits its deposit): never confirmed, no money moved.
    NOT_CONFIRMED = "not_confirmed"


@dataclass(frozen=True)
class ConfirmOutcome:
    session: CheckoutSession
    attempt: PaymentAttempt

    @property
    def status(self) -> AttemptStatus:
        return AttemptStatus(self.attempt.status)


def start_payment(
    db: Session,
    session_id: str,
    choice: PaymentChoice,
    gateways: GatewayProvider,
    return_url: Callable[[str], str],
    now: datetime,
    shop_routes: dict[str, str] | None = None,
) -> WindowRedirect:
    """Open a gateway window for an open session; ``return_url(attempt_id)`` gets the result."""
    session = get_session(db, None, session_id, now, lock=True)
    if session.status not in (SessionStatus.PENDING, SessionStatus.PROCESSING):
        raise InvalidState(
            f"Cannot pay a {session.status} session",
            details={"sessionId": session.id, "status": session.status},
        )
    if session.virtual_account is not None:
        raise InvalidState(
            "A virtual account was already issued for this session",
            code="virtual_account_issued",
            details={"sessionId": session.id},
        )
    months = check_choice(session, choice)
    with gateway_call():
        gateway_name = route(choice.method, shop_routes)
    attempt_id = f"pa_{secrets.token_hex(16)}"
    request = PaymentRequest(
        order_id=session.id,
        amount=session.total_amount,
        order_name=order_name(session.items),
        method=choice.method,
        customer=gateway_customer(session),
        success_url=return_url(attempt_id),
        fail_url=return_url(attempt_id),
        installment_months=months,
    )
    with gateway_call():
        redirect = gateways(gateway_name, session.mode).start_payment(request)
    db.add(
        PaymentAttempt(
            id=attempt_id,
            session_id=session.id,
            gateway=gateway_name.value,
            method=choice.method.value,
            status=AttemptStatus.STARTED,
            amount=session.total_amount,
            installment_months=months,
            created_at=now,
            updated_at=now,
        )
    )
    if session.status == SessionStatus.PENDING:
        transition(session, SessionStatus.PROCESSING, now)
    return redirect


def _find_attempt(db: Session, session: CheckoutSession, attempt_id: str) -> PaymentAttempt:
    attempt = db.get(PaymentAttempt, attempt_id)
    if attempt is None or attempt.session_id != session.id:
        raise InvalidRequest(
            "The payment result is not valid for this session",
            code="invalid_redirect",
            details={"field": "attemptId"},
        )
    return attempt


def confirm_payment(
    db: Session,
    session_id: str,
    attempt_id: str,
    params: dict[str, str],
    gateways: GatewayProvider,
    now: datetime,
) -> ConfirmOutcome:
    """Re-confirm the window's return with the gateway; a second call changes nothing.

    A forged or tampered return raises ``InvalidRequest(invalid_redirect)`` and changes
    nothing; a mismatched amount is a decline (the gateway never approves it).
    """
    session = get_session(db, None, session_id, now, lock=True)
    attempt = _find_attempt(db, session, attempt_id)
    if attempt.status != AttemptStatus.STARTED:
        return ConfirmOutcome(session, attempt)
    if session.status != SessionStatus.PROCESSING or session.virtual_account is not None:
        _finish_attempt(attempt, AttemptStatus.NOT_CONFIRMED, now)
        return ConfirmOutcome(session, attempt)
    gateway = gateways(attempt.gateway, session.mode)
    request = ConfirmRequest(params, session.id, session.total_amount)
    with gateway_call():
        try:
            result = gateway.confirm_payment(request)
        except GatewayTimeout:
            # Unknown outcome: the attempt ends, the session stays open for another try.
            _finish_attempt(attempt, AttemptStatus.TIMED_OUT, now, FailureCode.TIMEOUT.value)
            return ConfirmOutcome(session, attempt)
    attempt.transaction_id = result.transaction_id or None
    taken = result.status in (PaymentStatus.APPROVED, PaymentStatus.WAITING_FOR_DEPOSIT)
    if taken and not _matches(result, session):
        _give_back(db, session, attempt, result, gateways, now)
    elif result.status is PaymentStatus.APPROVED:
        _approved(db, session, attempt, result, now)
    elif result.status is PaymentStatus.WAITING_FOR_DEPOSIT and result.virtual_account:
        _virtual_account_issued(db, session, attempt, result, now)
    elif result.failure_code is FailureCode.USER_CANCELLED:
        _finish_attempt(attempt, AttemptStatus.CLOSED_BY_CUSTOMER, now, result.failure_code.value)
    else:
        _declined(db, session, attempt, result, now, result.failure_code)
    return ConfirmOutcome(session, attempt)


def _matches(result: PaymentResult, session: CheckoutSession) -> bool:
    return (result.amount, result.currency, result.order_id) == (
        session.total_amount,
        session.currency,
        session.id,
    )


def _finish_attempt(
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


def _give_back(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    gateways: GatewayProvider,
    now: datetime,
) -> None:
    """An approval (or an issued account) the session cannot take: decline it, and void it
    (close the account) through an operation committed before the gateway hears of it."""
    kind = (
        OperationKind.CLOSE_ACCOUNT
        if result.status is PaymentStatus.WAITING_FOR_DEPOSIT
        else OperationKind.VOID_PAYMENT
    )
    operation = record_operation(db, kind, session, attempt, result, now)
    _declined(db, session, attempt, result, now, FailureCode.AMOUNT_MISMATCH)
    db.commit()
    perform_operation(db, operation.id, gateways, now)


def _approved(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    now: datetime,
) -> None:
    method = (result.method or PaymentMethod(attempt.method)).value
    session.payment_method = method
    session.gateway = result.gateway.value
    session.gateway_transaction_id = result.transaction_id
    session.installment_months = (result.card.installment_months or None) if result.card else None
    session.paid_amount = result.amount
    _finish_attempt(attempt, AttemptStatus.APPROVED, now)
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
    _finish_attempt(attempt, AttemptStatus.WAITING_FOR_DEPOSIT, now)
    # Closed at the gateway by the sweep if the session ends without the deposit.
    record_operation(db, OperationKind.CLOSE_ACCOUNT, session, attempt, result, now, scheduled=True)
    data = {**session_event_data(session), "virtualAccount": session.virtual_account}
    record_event(db, session, EventType.VIRTUAL_ACCOUNT_ISSUED, data, now)


def _declined(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    now: datetime,
    failure_code: FailureCode | None,
) -> None:
    code = failure_code or FailureCode.GATEWAY_ERROR
    _finish_attempt(attempt, AttemptStatus.FAILED, now, code.value, result)
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
