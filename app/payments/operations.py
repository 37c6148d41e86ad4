"""Voids and virtual-account closings: money owed back through a gateway outside a refund.

Each is a ``GatewayOperation`` row committed ``pending`` before the gateway call (its id is
the gateway idempotency key) and settled after it; one whose answer never came is asked
again by the sweep. One the gateway refused stays ``failed`` and is logged as an error for
an operator: never silently lost. The closing of an issued virtual account is recorded
``scheduled`` when the account is issued and armed by the sweep once its session ends
without the deposit (or skipped when the deposit came).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.gateways import CloseAccountRequest, PaymentMethod, PaymentResult, RefundRequest
from app.gateways.provider import GatewayProvider
from app.models import CheckoutSession, GatewayOperation, PaymentAttempt
from app.payments.gateway_calls import (
    RETRY_PENDING_AFTER,
    Refused,
    ask_gateway,
    claim_for_retry,
    retry_listed,
    retry_selected,
    stale_pending,
)
from app.payments.ids import new_id
from app.payments.status import SessionStatus

log = logging.getLogger(__name__)

OPERATION_ID_PREFIX = "gop"
VOID_REASON = "결제 세션에 반영되지 않은 승인 자동 취소"
CLOSE_REASON = "결제 세션 종료로 가상계좌 발급 취소"
#: A session in one of these ended without the deposit: its account is closed.
ENDED_UNPAID = frozenset({SessionStatus.CANCELLED, SessionStatus.EXPIRED, SessionStatus.FAILED})


class OperationKind(StrEnum):
    VOID_PAYMENT = "void_payment"
    CLOSE_ACCOUNT = "close_account"


class OperationState(StrEnum):
    #: A closing that waits for its session to end without the deposit.
    SCHEDULED = "scheduled"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    #: The gateway refused: an operator must look at it.
    FAILED = "failed"
    #: The closing was not needed: the deposit came.
    SKIPPED = "skipped"


def record_operation(
    db: Session,
    kind: OperationKind,
    session: CheckoutSession,
    attempt: PaymentAttempt,
    result: PaymentResult,
    now: datetime,
    *,
    scheduled: bool = False,
) -> GatewayOperation:
    """Record a void of ``result`` or a closing of its account, in the caller's transaction."""
    operation = GatewayOperation(
        id=new_id(OPERATION_ID_PREFIX),
        kind=kind,
        session_id=session.id,
        attempt_id=attempt.id,
        gateway=result.gateway.value,
        mode=session.mode,
        method=(result.method or PaymentMethod(attempt.method)).value,
        transaction_id=result.transaction_id,
        amount=result.amount,
        reason=VOID_REASON if kind is OperationKind.VOID_PAYMENT else CLOSE_REASON,
        status=OperationState.SCHEDULED if scheduled else OperationState.PENDING,
        created_at=now,
        last_attempt_at=now,
    )
    db.add(operation)
    return operation


def _perform(gateways: GatewayProvider, operation: GatewayOperation) -> bool:
    gateway = gateways(operation.gateway, operation.mode)
    if operation.kind == OperationKind.VOID_PAYMENT:
        gateway.refund(
            RefundRequest(
                transaction_id=operation.transaction_id,
                order_id=operation.session_id,
                method=PaymentMethod(operation.method),
                paid_amount=operation.amount,
                refundable_amount=operation.amount,
                amount=operation.amount,
                reason=operation.reason,
                idempotency_key=operation.id,
            )
        )
    else:
        gateway.close_virtual_account(
            CloseAccountRequest(
                transaction_id=operation.transaction_id,
                order_id=operation.session_id,
                amount=operation.amount,
                reason=operation.reason,
                idempotency_key=operation.id,
            )
        )
    return True


def perform_operation(
    db: Session, operation: GatewayOperation, gateways: GatewayProvider, now: datetime
) -> GatewayOperation:
    """Ask the gateway about a pending operation the caller has committed and loaded (so no
    transaction, on SQLite the write lock, is open during the call), then settle it in the
    caller's (new) transaction."""
    answer = ask_gateway(lambda: _perform(gateways, operation))
    return settle_operation(db, operation.id, answer, now)


def settle_operation(
    db: Session, operation_id: str, answer: bool | Refused | None, now: datetime
) -> GatewayOperation:
    """Apply the gateway's answer once: the row is locked and re-read first."""
    query = select(GatewayOperation).where(GatewayOperation.id == operation_id).with_for_update()
    operation = db.scalars(query.execution_options(populate_existing=True)).one()
    if operation.status != OperationState.PENDING:
        return operation
    operation.attempts += 1
    operation.last_attempt_at = now
    if answer is None:
        return operation
    if isinstance(answer, Refused):
        log.error(
            "gateway refused an operation",
            extra={"operation_id": operation.id, "kind": operation.kind, "code": answer.code},
        )
        operation.status = OperationState.FAILED
        operation.failure_code = answer.code[:64]
        operation.failure_message = answer.message
    else:
        operation.status = OperationState.SUCCEEDED
    operation.settled_at = now
    return operation


def _retry(
    session_factory: Callable[[], Session],
    operation_id: str,
    gateways: GatewayProvider,
    now: datetime,
) -> None:
    with session_factory() as db:
        pending = GatewayOperation.status == OperationState.PENDING
        stamp = GatewayOperation.last_attempt_at
        if not claim_for_retry(db, GatewayOperation.id, operation_id, stamp, pending, now):
            return  # settled meanwhile, or another round is asking about it
        operation = db.get_one(GatewayOperation, operation_id)
        db.commit()  # end the read: no transaction stays open during the call
        perform_operation(db, operation, gateways, now)
        db.commit()


def arm_account_closings(
    session_factory: Callable[[], Session],
    gateways: GatewayProvider,
    now: datetime,
    batch_size: int = 100,
) -> int:
    """Close the accounts of sessions that ended without the deposit; skip the paid ones."""
    query = (
        select(GatewayOperation, CheckoutSession.status)
        .join(CheckoutSession, CheckoutSession.id == GatewayOperation.session_id)
        .where(
            GatewayOperation.status == OperationState.SCHEDULED,
            CheckoutSession.status != SessionStatus.PROCESSING,
        )
        .limit(batch_size)
        .with_for_update(of=GatewayOperation, skip_locked=True)
    )
    armed: list[str] = []
    with session_factory() as db:
        rows = db.execute(query).all()
        for operation, session_status in rows:
            if session_status in ENDED_UNPAID:
                operation.status = OperationState.PENDING
                # Due for its first ask at once (`claim_for_retry` takes it right below).
                operation.last_attempt_at = now - RETRY_PENDING_AFTER
                armed.append(operation.id)
            else:
                operation.status = OperationState.SKIPPED
                operation.settled_at = now
        db.commit()  # on record as pending before any gateway hears of it
    retry_listed(session_factory, armed, _retry, gateways, now)
    return len(rows)


def retry_pending_operations(
    session_factory: Callable[[], Session],
    gateways: GatewayProvider,
    now: datetime,
    batch_size: int = 100,
) -> int:
    """The sweep: ask again about operations pending longer than ``RETRY_PENDING_AFTER``."""
    query = stale_pending(GatewayOperation, OperationState.PENDING, now, batch_size)
    return retry_selected(session_factory, query, _retry, gateways, now)
