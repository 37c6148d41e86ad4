"""Checkout session services: create, read, update, cancel, list and expire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select, tuple_
from sqlalchemy.orm import Session

from app.models import CheckoutSession
from app.payments.cursors import decode_cursor, encode_cursor
from app.payments.errors import InvalidRequest, InvalidState, SessionNotFound
from app.payments.events import EventType, record_event
from app.payments.ids import IdPrefix, new_id
from app.payments.inputs import AddressUpdate, CreateSessionRequest, UpdateSessionRequest
from app.payments.representation import session_event_data
from app.payments.shops import default_shop, get_shop
from app.payments.status import SessionStatus, is_open, transition
from app.payments.tenancy import Tenant

DEFAULT_LIFETIME = timedelta(hours=24)
MAX_LIFETIME = timedelta(days=7)
MIN_LIFETIME = timedelta(minutes=1)


def _expiry(request: CreateSessionRequest, now: datetime) -> datetime:
    if request.expiresIn is not None:
        return now + timedelta(seconds=request.expiresIn)
    if request.expiresAt is None:
        return now + DEFAULT_LIFETIME
    if not MIN_LIFETIME <= request.expiresAt - now <= MAX_LIFETIME:
        raise InvalidRequest(
            "expiresAt must be between 1 minute and 7 days from now",
            code="invalid_expiry",
            details={"field": "expiresAt"},
        )
    return request.expiresAt


def create_session(
    db: Session, tenant: Tenant, request: CreateSessionRequest, now: datetime
) -> CheckoutSession:
    if request.shopId is not None:
        shop = get_shop(db, tenant, request.shopId)
    else:
        shop = default_shop(db, tenant, now)
    session = CheckoutSession(
        id=new_id(IdPrefix.SESSION),
        account_id=tenant.account_id,
        mode=tenant.mode,
        shop_id=shop.id,
        status=SessionStatus.PENDING,
        platform=request.platform,
        platform_order_id=request.platformOrderId,
        currency=request.currency,
        total_amount=request.totalAmount,
        shipping_amount=request.shippingAmount,
        discount_amount=request.discountAmount,
        items=[item.model_dump(exclude_none=True) for item in request.items],
        customer=request.customer.model_dump(exclude_none=True),
        metadata_=request.metadata or {},
        return_url=request.returnUrl,
        cancel_url=request.cancelUrl,
        webhook_url=request.webhookUrl,
        preferred_payment_method=request.paymentMethod,
        created_at=now,
        updated_at=now,
        expires_at=_expiry(request, now),
    )
    db.add(session)
    db.flush()
    return session


def _is_overdue(session: CheckoutSession, now: datetime) -> bool:
    return is_open(session) and session.expires_at <= now


def _select(
    session_id: str, tenant: Tenant | None = None, *, lock: bool = False
) -> Select[CheckoutSession]:
    query = select(CheckoutSession).where(CheckoutSession.id == session_id)
    if tenant is not None:
        query = query.where(
            CheckoutSession.account_id == tenant.account_id,
            CheckoutSession.mode == tenant.mode,
        )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return query


def expire_if_overdue(
    db: Session, session: CheckoutSession, now: datetime, *, locked: bool = False
) -> bool:
    """Expire an open session past its time; exactly one caller wins and records the event.
    `locked`: the caller already holds the row lock."""
    if not _is_overdue(session, now):
        return False
    if not locked:
        session = db.scalars(_select(session.id, lock=True)).one()
        if not _is_overdue(session, now):
            return False

    transition(session, SessionStatus.EXPIRED, now)
    record_event(db, session, EventType.SESSION_EXPIRED, session_event_data(session), now)
    return True


def get_session(
    db: Session, tenant: Tenant | None, session_id: str, now: datetime, *, lock: bool = False
) -> CheckoutSession:
    """A session of this tenant (None: any, for customer-facing calls), expired if overdue;
    `lock` reads it with the row lock held for the rest of the transaction."""
    session = db.scalars(_select(session_id, tenant, lock=lock)).one_or_none()
    if session is None:
        raise SessionNotFound(session_id)
    expire_if_overdue(db, session, now, locked=lock)
    return session


def _require_status(session: CheckoutSession, allowed: set[SessionStatus], action: str) -> None:
    if SessionStatus(session.status) not in allowed:
        raise InvalidState(
            f"Cannot {action} a {session.status} session",
            details={"sessionId": session.id, "status": session.status},
        )


def update_session(
    db: Session, tenant: Tenant, session_id: str, request: UpdateSessionRequest, now: datetime
) -> CheckoutSession:
    session = get_session(db, tenant, session_id, now, lock=True)
    _require_status(session, {SessionStatus.PENDING}, "update")
    if request.customer is not None:
        changes = request.customer.model_dump(exclude_none=True)
        session.customer = {**session.customer, **changes}
    if request.metadata is not None:
        # As Stripe does: an empty string removes a key.
        merged = {**session.metadata_, **request.metadata}
        session.metadata_ = {key: value for key, value in merged.items() if value != ""}
        if len(session.metadata_) > 50:
            raise InvalidRequest(
                "metadata holds at most 50 keys",
                code="invalid_metadata",
                details={"field": "metadata"},
            )
    session.updated_at = now
    return session


def update_address(
    db: Session, session_id: str, request: AddressUpdate, now: datetime
) -> CheckoutSession:
    """Customer-facing, so only while the session is pending: the address freezes once a
    payment starts. Every change is recorded as a ``session.address_updated`` event."""
    session = get_session(db, None, session_id, now, lock=True)
    _require_status(session, {SessionStatus.PENDING}, "change the address of")
    road = request.roadAddress or request.address or request.jibunAddress
    address = {
        "postalCode": request.postalCode,
        "address": request.address or road,
        "roadAddress": request.roadAddress,
        "jibunAddress": request.jibunAddress,
        "detailAddress": request.detailAddress,
    }
    if address == session.address:
        return session
    previous, session.address = session.address, address
    session.updated_at = now
    data = {"sessionId": session.id, "address": address, "previousAddress": previous}
    record_event(db, session, EventType.SESSION_ADDRESS_UPDATED, data, now)
    return session


def _cancel(db: Session, session: CheckoutSession, now: datetime) -> CheckoutSession:
    transition(session, SessionStatus.CANCELLED, now)
    record_event(db, session, EventType.PAYMENT_CANCELLED, session_event_data(session), now)
    return session


def cancel_session(db: Session, tenant: Tenant, session_id: str, now: datetime) -> CheckoutSession:
    """The merchant's cancel (its API key): a pending or processing session."""
    return _cancel(db, get_session(db, tenant, session_id, now, lock=True), now)


def cancel_by_customer(db: Session, session_id: str, now: datetime) -> CheckoutSession:
    """The shopper's cancel on the hosted page: only before a payment started. A processing
    session may hold a virtual account awaiting its deposit or an approval on its way."""
    session = get_session(db, None, session_id, now, lock=True)
    _require_status(session, {SessionStatus.PENDING}, "cancel")
    return _cancel(db, session, now)


@dataclass(frozen=True)
class SessionPage:
    sessions: list[CheckoutSession]
    next_cursor: str | None


def list_sessions(
    db: Session,
    tenant: Tenant,
    *,
    status: SessionStatus | None,
    platform_order_id: str | None,
    limit: int,
    cursor: str | None,
) -> SessionPage:
    query = select(CheckoutSession).where(
        CheckoutSession.account_id == tenant.account_id, CheckoutSession.mode == tenant.mode
    )
    if status is not None:
        query = query.where(CheckoutSession.status == status)
    if platform_order_id is not None:
        query = query.where(CheckoutSession.platform_order_id == platform_order_id)
    if cursor:
        created, session_id = decode_cursor(cursor)
        query = query.where(
            tuple_(CheckoutSession.created_at, CheckoutSession.id) < tuple_(created, session_id)
        )
    order = (CheckoutSession.created_at.desc(), CheckoutSession.id.desc())
    rows = list(db.scalars(query.order_by(*order).limit(limit + 1)))
    page, more = rows[:limit], len(rows) > limit
    return SessionPage(
        sessions=page, next_cursor=encode_cursor(page[-1].created_at, page[-1].id) if more else None
    )


def expire_overdue_sessions(db: Session, now: datetime, batch_size: int = 200) -> int:
    """The periodic sweep: expire a batch of overdue sessions; returns how many it expired."""
    query = (
        select(CheckoutSession)
        .where(
            CheckoutSession.status.in_([SessionStatus.PENDING, SessionStatus.PROCESSING]),
            CheckoutSession.expires_at <= now,
        )
        .order_by(CheckoutSession.expires_at)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    expired = 0
    for session in db.scalars(query):
        transition(session, SessionStatus.EXPIRED, now)
        record_event(db, session, EventType.SESSION_EXPIRED, session_event_data(session), now)
        expired += 1
    return expired
