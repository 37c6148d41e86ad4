"""Refunds through the gateway that took the payment; never more than was paid in total.

The session row is locked (``SELECT ... FOR UPDATE``; SQLite transactions are BEGIN
IMMEDIATE already) before the refundable amount is read, so concurrent refunds queue and
each sees what the previous ones left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.gateways import BankAccount, PaymentMethod, RefundRequest, RefundStatus
from app.gateways.provider import GatewayProvider
from app.models import CheckoutSession, Refund
from app.payments.errors import Conflict, InvalidRequest, InvalidState
from app.payments.events import EventType, record_event
from app.payments.gateway_calls import gateway_call
from app.payments.ids import IdPrefix, new_id
from app.payments.representation import session_event_data
from app.payments.sessions import get_session
from app.payments.status import SessionStatus, transition
from app.payments.tenancy import Tenant

REFUNDABLE = frozenset({SessionStatus.COMPLETED, SessionStatus.PARTIALLY_REFUNDED})
DEFAULT_REASON = "가맹점 요청 환불"


@dataclass(frozen=True)
class RefundInput:
    amount: int | None = None
    reason: str | None = None
    notify_customer: bool = False
    expected_refundable_amount: int | None = None
    refund_account: BankAccount | None = None


def refundable_amount(session: CheckoutSession) -> int:
    return session.paid_amount - session.refunded_amount


def _amount(session: CheckoutSession, request: RefundInput) -> int:
    remaining = refundable_amount(session)
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


def refund_session(
    db: Session,
    tenant: Tenant,
    session_id: str,
    request: RefundInput,
    gateways: GatewayProvider,
    now: datetime,
) -> Refund:
    session = get_session(db, tenant, session_id, now, lock=True)
    if session.status not in REFUNDABLE:
        raise InvalidState(
            f"Cannot refund a {session.status} session",
            details={"sessionId": session.id, "status": session.status},
        )
    amount = _amount(session, request)
    method = PaymentMethod(str(session.payment_method))
    if method is PaymentMethod.VIRTUAL_ACCOUNT and request.refund_account is None:
        raise InvalidRequest(
            "Virtual-account refunds need the customer's refund bank account",
            code="refund_account_required",
            details={"field": "refundAccount"},
        )
    refund_id = new_id(IdPrefix.REFUND)
    assert session.gateway is not None
    assert session.gateway_transaction_id is not None
    with gateway_call():
        result = gateways(session.gateway, session.mode).refund(
            RefundRequest(
                transaction_id=session.gateway_transaction_id,
                order_id=session.id,
                method=method,
                paid_amount=session.paid_amount,
                refundable_amount=refundable_amount(session),
                amount=amount,
                reason=request.reason or DEFAULT_REASON,
                idempotency_key=refund_id,
                refund_account=request.refund_account,
            )
        )
    refund = Refund(
        id=refund_id,
        session_id=session.id,
        amount=amount,
        reason=request.reason,
        status="succeeded" if result.status is RefundStatus.SUCCEEDED else "processing",
        gateway=session.gateway,
        gateway_refund_id=result.refund_id,
        notify_customer=request.notify_customer,
        refund_account=_masked(request.refund_account),
        created_at=now,
        processed_at=result.refunded_at or now,
    )
    session.refunds.append(refund)
    session.refunded_amount += amount
    full = session.refunded_amount == session.paid_amount
    transition(session, SessionStatus.REFUNDED if full else SessionStatus.PARTIALLY_REFUNDED, now)
    data = {
        **session_event_data(session),
        "refundId": refund.id,
        "amount": amount,
        "reason": request.reason,
        "refundedAmount": session.refunded_amount,
        "remainingAmount": refundable_amount(session),
    }
    record_event(db, session, EventType.PAYMENT_REFUNDED, data, now)
    return refund
