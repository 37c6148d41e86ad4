"""Refunds through the gateway that took the payment; never more than was paid in total.

Money is on record before and after the gateway call:
1. the refund is written ``pending`` in its own commit. The session row is locked first
   (``SELECT ... FOR UPDATE``; SQLite transactions are BEGIN IMMEDIATE), so concurrent
   refunds queue and each sees what the others, pending ones included, already claimed;
2. the gateway is asked with the refund id as its idempotency key, with no lock held;
3. the answer settles the refund in another transaction. Only settled refunds move the
   session's refunded amount and status and record ``payment.refunded``.
A refund whose answer never came (timeout, a worker killed mid-request) stays pending until
``retry_pending_refunds`` (a worker sweep) asks again with the same key and settles it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.gateways import BankAccount, PaymentMethod, RefundRequest, RefundResult, RefundStatus
from app.gateways.provider import GatewayProvider
from app.models import CheckoutSession, Refund
from app.payments.errors import Conflict, InvalidRequest, InvalidState
from app.payments.events import EventType, record_event
from app.payments.gateway_calls import (
    Refused,
    ask_gateway,
    claim_for_retry,
    retry_selected,
    stale_pending,
)
from app.payments.ids import IdPrefix, new_id
from app.payments.representation import session_event_data
from app.payments.sessions import get_session
from app.payments.status import RefundState, SessionStatus, transition
from app.payments.tenancy import Tenant

log = logging.getLogger(__name__)

REFUNDABLE = frozenset({SessionStatus.COMPLETED, SessionStatus.PARTIALLY_REFUNDED})
DEFAULT_REASON = "가맹점 요청 환불"


@dataclass(frozen=True)
class RefundInput:
    amount: int | None = None
    reason: str | None = None
    notify_customer: bool = False
    expected_refundable_amount: int | None = None
    refund_account: BankAccount | None = None
    #: The API request's Idempotency-Key: a retry of a request that died finds its refund.
    request_key: str | None = None


def refundable_amount(session: CheckoutSession) -> int:
    """What the settled refunds left (pending ones are taken off under the session lock)."""
    return session.paid_amount - session.refunded_amount


def _pending_amount(db: Session, session_id: str) -> int:
    total = db.scalar(
        select(func.sum(Refund.amount)).where(
            Refund.session_id == session_id, Refund.status == RefundState.PENDING
        )
    )
    return int(total or 0)


def _amount(remaining: int, request: RefundInput) -> int:
    if (
        request.expected_refundable_amount is not None
        and request.expected_refundable_amount != remaining
    ):
        raise Conflict(
            "The refundable amount changed since you read it",
            code="refundable_amount_changed",
            details={"field": "expectedRefundableAmount", "refundableAmount": remaining},
        )
    amount = remaining if request.amount is None else request.amount
    if amount > remaining:
        raise Conflict(
            f"At most {remaining} won can still be refunded",
            code="refund_exceeds_refundable",
            details={"field": "amount", "refundableAmount": remaining},
        )
    return amount


def _masked(account: BankAccount | None) -> dict[str, str] | None:
    if account is None:
        return None
    return {
        "bankCode": account.bank_code,
        "accountNumber": f"****{account.account_number[-4:]}",
        "holder": account.holder,
    }


def _record(db: Session, session: CheckoutSession, request: RefundInput, now: datetime) -> Refund:
    if session.status not in REFUNDABLE:
        raise InvalidState(
            f"Cannot refund a {session.status} session",
            details={"sessionId": session.id, "status": session.status},
        )
    remaining = refundable_amount(session) - _pending_amount(db, session.id)
    amount = _amount(remaining, request)
    method = PaymentMethod(str(session.payment_method))
    if method is PaymentMethod.VIRTUAL_ACCOUNT and request.refund_account is None:
        raise InvalidRequest(
            "Virtual-account refunds need the customer's refund bank account",
            code="refund_account_required",
            details={"field": "refundAccount"},
        )
    assert session.gateway is not None
    refund = Refund(
        id=new_id(IdPrefix.REFUND),
        session_id=session.id,
        amount=amount,
        reason=request.reason,
        status=RefundState.PENDING,
        gateway=session.gateway,
        notify_customer=request.notify_customer,
        refund_account=_masked(request.refund_account),
        refundable_before=remaining,
        request_key=request.request_key,
        created_at=now,
        last_attempt_at=now,
    )
    db.add(refund)
    return refund


def _replayed(db: Session, session: CheckoutSession, request_key: str | None) -> Refund | None:
    if request_key is None:
        return None
    query = select(Refund).where(Refund.session_id == session.id, Refund.request_key == request_key)
    return db.scalars(query).one_or_none()


def _gateway_request(
    session: CheckoutSession, refund: Refund, account: BankAccount | None
) -> RefundRequest:
    """The same request every time it is asked: the gateway answers a repeat with the
    first answer (the refund id is the idempotency key)."""
    assert session.gateway_transaction_id is not None
    assert refund.refundable_before is not None
    return RefundRequest(
        transaction_id=session.gateway_transaction_id,
        order_id=session.id,
        method=PaymentMethod(str(session.payment_method)),
        paid_amount=session.paid_amount,
        refundable_amount=refund.refundable_before,
        amount=refund.amount,
        reason=refund.reason or DEFAULT_REASON,
        idempotency_key=refund.id,
        refund_account=account,
    )


def _ask(
    gateways: GatewayProvider, session: CheckoutSession, request: RefundRequest
) -> RefundResult | Refused | None:
    gateway = gateways(str(session.gateway), session.mode)
    return ask_gateway(lambda: gateway.refund(request))


def refund_session(
    db: Session,
    tenant: Tenant,
    session_id: str,
    request: RefundInput,
    gateways: GatewayProvider,
    now: datetime,
) -> Refund:
    """Record, ask, settle (see the module). A refund still ``pending`` is returned as is;
    one the gateway refused is kept as ``failed`` and raised as ``gateway_declined``."""
    session = get_session(db, tenant, session_id, now, lock=True)
    refund = _replayed(db, session, request.request_key) or _record(db, session, request, now)
    db.commit()  # on record before the gateway hears of it
    if refund.status == RefundState.PENDING:
        gateway_request = _gateway_request(session, refund, request.refund_account)
        answer = _ask(gateways, session, gateway_request)
        refund = settle_refund(db, refund.id, answer, now)
        db.commit()
    if refund.status == RefundState.FAILED:
        raise Conflict(
            refund.failure_message or "The gateway refused the refund",
            code="gateway_declined",
            details={"gatewayCode": refund.failure_code, "refundId": refund.id},
        )
    return refund


def settle_refund(
    db: Session, refund_id: str, answer: RefundResult | Refused | None, now: datetime
) -> Refund:
    """Apply the gateway's answer to a pending refund, once: the session row is locked and
    the refund re-read, so the request and the sweep never both settle it."""
    refund = db.get_one(Refund, refund_id)
    session = get_session(db, None, refund.session_id, now, lock=True)
    query = select(Refund).where(Refund.id == refund_id)
    refund = db.scalars(query.execution_options(populate_existing=True)).one()
    if refund.status != RefundState.PENDING:
        return refund
    refund.attempts += 1
    refund.last_attempt_at = now
    if answer is None:
        return refund
    if isinstance(answer, Refused):
        log.warning("refund refused", extra={"refund_id": refund.id, "code": answer.code})
        refund.status = RefundState.FAILED
        refund.failure_code = answer.code[:64]
        refund.failure_message = answer.message
        refund.processed_at = now
        return refund
    succeeded = answer.status is RefundStatus.SUCCEEDED
    refund.status = RefundState.SUCCEEDED if succeeded else RefundState.PROCESSING
    refund.gateway_refund_id = answer.refund_id
    refund.processed_at = answer.refunded_at or now
    session.refunded_amount += refund.amount
    full = session.refunded_amount == session.paid_amount
    transition(session, SessionStatus.REFUNDED if full else SessionStatus.PARTIALLY_REFUNDED, now)
    data = {
        **session_event_data(session),
        "refundId": refund.id,
        "amount": refund.amount,
        "reason": refund.reason,
        "refundedAmount": session.refunded_amount,
        "remainingAmount": refundable_amount(session),
    }
    record_event(db, session, EventType.PAYMENT_REFUNDED, data, now)
    return refund


def retry_pending_refunds(
    session_factory: Callable[[], Session],
    gateways: GatewayProvider,
    now: datetime,
    batch_size: int = 100,
) -> int:
    """The sweep: ask again about refunds pending longer than ``RETRY_PENDING_AFTER``."""
    query = stale_pending(Refund, RefundState.PENDING, now, batch_size)
    return retry_selected(session_factory, query, _retry, gateways, now)


def _retry(
    session_factory: Callable[[], Session],
    refund_id: str,
    gateways: GatewayProvider,
    now: datetime,
) -> None:
    with session_factory() as db:
        pending = Refund.status == RefundState.PENDING
        if not claim_for_retry(db, Refund.id, refund_id, Refund.last_attempt_at, pending, now):
            return  # settled meanwhile, or another round is asking about it
        refund = db.get_one(Refund, refund_id)
        session = db.get_one(CheckoutSession, refund.session_id)
        answer: RefundResult | Refused | None = None
        if session.payment_method == PaymentMethod.VIRTUAL_ACCOUNT:
            # The customer's full account number is never stored, so only the merchant's
            # retry of the same request (same Idempotency-Key) can ask the gateway again.
            log.error(
                "pending virtual-account refund needs its request", extra={"refund_id": refund_id}
            )
        else:
            request = _gateway_request(session, refund, None)
            db.commit()  # end the read: no transaction stays open during the call
            answer = _ask(gateways, session, request)
        settle_refund(db, refund_id, answer, now)
        db.commit()
