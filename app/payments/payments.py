"""Paying a session: start at a gateway, then confirm the window's return with it.

Money is on record before and after the confirmation. The session is locked and re-read
first: one that can no longer take the payment (closed, paid, or a virtual account awaits
its deposit) is never confirmed, and Toss, KCP and Inicis only take the money on this
server-side confirmation. Otherwise the return is recorded on the attempt (``confirming``)
in its own commit, the gateway is asked with no lock held, and its answer is applied under
the lock again (``approvals``): a session that closed meanwhile gets the money back through
a recorded void. An attempt whose answer never came (a timeout, a worker killed
mid-request) is confirmed again by ``retry_confirmations`` (a worker sweep) with the same
return, which the gateways answer idempotently (Toss: its confirm Idempotency-Key).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gateways import (
    ConfirmRequest,
    FailureCode,
    GatewayError,
    GatewayTimeout,
    InvalidRedirect,
    PaymentRequest,
    PaymentResult,
    WindowRedirect,
    route,
)
from app.gateways.provider import GatewayProvider
from app.models import CheckoutSession, PaymentAttempt

# The decline limit is part of the payment flow's public face; it lives with the declines.
from app.payments.approvals import (
    MAX_FAILED_ATTEMPTS as MAX_FAILED_ATTEMPTS,
)
from app.payments.approvals import (
    UNSETTLED,
    AttemptStatus,
    apply_result,
    can_take_payment,
    finish_attempt,
)
from app.payments.errors import InvalidRequest, InvalidState
from app.payments.gateway_calls import (
    RETRY_PENDING_AFTER,
    claim_for_retry,
    gateway_call,
    retry_selected,
)
from app.payments.payment_inputs import (
    PaymentChoice,
    check_choice,
    gateway_customer,
    order_name,
)
from app.payments.sessions import get_session
from app.payments.status import SessionStatus, transition

log = logging.getLogger(__name__)

#: How long the sweep keeps asking about an attempt whose answer never came. Gateways let
#: a window's return be confirmed for minutes only (Toss: 10), so after this there is
#: nothing left to learn.
CONFIRM_WINDOW = timedelta(hours=1)


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


def _reread(db: Session, attempt_id: str) -> PaymentAttempt:
    query = select(PaymentAttempt).where(PaymentAttempt.id == attempt_id)
    return db.scalars(query.execution_options(populate_existing=True)).one()


def confirm_payment(
    db: Session,
    session_id: str,
    attempt_id: str,
    params: dict[str, str],
    gateways: GatewayProvider,
    now: datetime,
) -> ConfirmOutcome:
    """Confirm the window's return with the gateway (see the module); a second call, or one
    while the first is still waiting for the gateway, changes nothing. A forged or tampered
    return raises ``InvalidRequest(invalid_redirect)`` and leaves the attempt open."""
    session = get_session(db, None, session_id, now, lock=True)
    attempt = _find_attempt(db, session, attempt_id)
    if attempt.status != AttemptStatus.STARTED:
        return ConfirmOutcome(session, attempt)
    if not can_take_payment(session):
        finish_attempt(attempt, AttemptStatus.NOT_CONFIRMED, now)
        return ConfirmOutcome(session, attempt)
    attempt.status = AttemptStatus.CONFIRMING
    attempt.return_params = dict(params)
    attempt.updated_at = now
    request = ConfirmRequest(dict(params), session.id, session.total_amount)
    gateway = gateways(attempt.gateway, session.mode)
    db.commit()  # on record before the gateway hears of it; the session lock is released
    result: PaymentResult | None = None
    with gateway_call():
        try:
            result = gateway.confirm_payment(request)
        except GatewayTimeout:
            pass  # unknown outcome: the attempt ends timed out and the sweep asks again
        except InvalidRedirect:
            attempt.status = AttemptStatus.STARTED
            attempt.return_params = None
            db.commit()
            raise
    session = get_session(db, None, session_id, now, lock=True)
    attempt = _reread(db, attempt_id)
    if attempt.status != AttemptStatus.CONFIRMING:
        return ConfirmOutcome(session, attempt)  # the sweep settled it meanwhile
    if result is None:
        finish_attempt(attempt, AttemptStatus.TIMED_OUT, now, FailureCode.TIMEOUT.value)
    else:
        apply_result(db, session, attempt, result, gateways, now)
    return ConfirmOutcome(session, attempt)


def retry_confirmations(
    session_factory: Callable[[], Session],
    gateways: GatewayProvider,
    now: datetime,
    batch_size: int = 100,
) -> int:
    """The sweep: confirm again the attempts whose answer never came."""
    query = (
        select(PaymentAttempt.id)
        .where(
            PaymentAttempt.status.in_(UNSETTLED),
            PaymentAttempt.updated_at <= now - RETRY_PENDING_AFTER,
            PaymentAttempt.created_at >= now - CONFIRM_WINDOW,
            PaymentAttempt.return_params.is_not(None),
        )
        .order_by(PaymentAttempt.updated_at)
        .limit(batch_size)
    )
    return retry_selected(session_factory, query, _reconfirm, gateways, now)


def _reconfirm(
    session_factory: Callable[[], Session],
    attempt_id: str,
    gateways: GatewayProvider,
    now: datetime,
) -> None:
    with session_factory() as db:
        unsettled = PaymentAttempt.status.in_(UNSETTLED) & PaymentAttempt.return_params.is_not(None)
        stamp = PaymentAttempt.updated_at
        if not claim_for_retry(db, PaymentAttempt.id, attempt_id, stamp, unsettled, now):
            return  # settled meanwhile, or another round is asking about it
        attempt = db.get_one(PaymentAttempt, attempt_id)
        session = db.get_one(CheckoutSession, attempt.session_id)
        assert attempt.return_params is not None
        request = ConfirmRequest(attempt.return_params, session.id, session.total_amount)
        gateway = gateways(attempt.gateway, session.mode)
        db.commit()  # end the read: no transaction stays open during the call
        result: PaymentResult | None = None
        invalid = False
        try:
            result = gateway.confirm_payment(request)
        except InvalidRedirect:
            invalid = True
        except GatewayError:
            log.warning("confirmation still unknown", extra={"attempt_id": attempt_id})
        session = get_session(db, None, session.id, now, lock=True)
        attempt = _reread(db, attempt_id)
        if attempt.status in UNSETTLED:
            if result is not None:
                apply_result(db, session, attempt, result, gateways, now)
            elif invalid:
                finish_attempt(attempt, AttemptStatus.FAILED, now, "invalid_redirect")
            else:
                attempt.updated_at = now
        db.commit()
