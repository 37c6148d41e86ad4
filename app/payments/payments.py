"""Paying a session: start at a gateway, confirm the window's return, complete or decline.

Declines keep the session ``processing`` so the customer can try again (as Stripe keeps a
PaymentIntent open after a failed charge); each decline records ``payment.failed`` with
``retryable``. After ``MAX_FAILED_ATTEMPTS`` declines the session becomes ``failed``.
A customer closing the gateway window is not a decline: nothing is recorded but the attempt.
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
    RefundRequest,
    WindowRedirect,
    route,
)
from app.gateways.provider import GatewayProvider
from app.models import CheckoutSession, PaymentAttempt
from app.payments.errors import InvalidRequest, InvalidState
from app.payments.events import EventType, record_event
from app.payments.gateway_calls import gateway_call
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
    #: Approved after the session had closed: cancelled at the gateway at once.
    VOIDED = "voided"
    #: The return of a payment this session already holds, replayed on another attempt.
    DUPLICATE = "duplicate"


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
    if result.status is PaymentStatus.APPROVED and _matches(result, session):
        _approved(db, session, attempt, result, gateways, now)
    elif result.status is PaymentStatus.WAITING_FOR_DEPOSIT and result.virtual_account:
        _virtual_account_issued(db, session, attempt, result, now)
    elif result.failure_code is FailureCode.USER_CANCELLED:
        _finish_attempt(attempt, AttemptStatus.CLOSED_BY_CUSTOMER, now, result.failure_code.value)
    else:
        _declined(db, session, attempt, result, now)
    return ConfirmOutcome(session, attempt)


def _matches(result: PaymentResult, session: CheckoutSession) -> bool:
    return result.amount == session.total_amount and result.order_id == session.id


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


def _approved(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    gateways: GatewayProvider,
    now: datetime,
) -> None:
    method = (result.method or PaymentMethod(attempt.method)).value
    if (result.transaction_id, method) == (session.gateway_transaction_id, session.payment_method):
        # The payment the session already holds (its return replayed on another attempt, or
        # two tabs): not new money, so nothing to complete and above all nothing to cancel.
        _finish_attempt(attempt, AttemptStatus.DUPLICATE, now)
        return
    if session.status != SessionStatus.PROCESSING or session.virtual_account is not None:
        # Cancelled, expired, already paid, or a virtual account is waiting for its deposit:
        # a second payment must not stand, so give the money back at once.
        _void(session, attempt, result, gateways)
        _finish_attempt(attempt, AttemptStatus.VOIDED, now)
        return
    session.payment_method = method
    session.gateway = result.gateway.value
    session.gateway_transaction_id = result.transaction_id
    session.installment_months = (result.card.installment_months or None) if result.card else None
    session.paid_amount = result.amount
    _finish_attempt(attempt, AttemptStatus.APPROVED, now)
    transition(session, SessionStatus.COMPLETED, now)
    record_event(db, session, EventType.PAYMENT_COMPLETED, payment_event_data(session), now)


def _void(
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    gateways: GatewayProvider,
) -> None:
    with gateway_call():
        gateways(attempt.gateway, session.mode).refund(
            RefundRequest(
                transaction_id=result.transaction_id,
                order_id=session.id,
                method=result.method or PaymentMethod(attempt.method),
                paid_amount=result.amount,
                refundable_amount=result.amount,
                amount=result.amount,
                reason="결제 세션 종료 후 승인되어 자동 취소",
                idempotency_key=f"void-{attempt.id}",
            )
        )


def _virtual_account_issued(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    now: datetime,
) -> None:
    account = result.virtual_account
    assert account is not None
    if session.status != SessionStatus.PROCESSING:
        _finish_attempt(attempt, AttemptStatus.VOIDED, now)
        return
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
    data = {**session_event_data(session), "virtualAccount": session.virtual_account}
    record_event(db, session, EventType.VIRTUAL_ACCOUNT_ISSUED, data, now)


def _declined(
    db: Session,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    now: datetime,
) -> None:
    code = result.failure_code or FailureCode.GATEWAY_ERROR
    if result.status is PaymentStatus.APPROVED:
        code = FailureCode.AMOUNT_MISMATCH  # approved, but not for this session's total
    _finish_attempt(attempt, AttemptStatus.FAILED, now, code.value, result)
    if session.status != SessionStatus.PROCESSING:
        return
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
