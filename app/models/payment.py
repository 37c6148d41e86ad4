"""Payment attempts (one per trip to a gateway window) and virtual-account deposits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class PaymentAttempt(Base):
    """The customer pressed pay: which gateway, which method, and how it ended.

    The core persists what connectors return; declines stay here so the customer can retry.
    """

    __tablename__ = "payment_attempts"
    __table_args__ = (
        Index("ix_payment_attempts_session_created", "session_id", "created_at"),
        # The confirmation sweep's query: attempts whose gateway answer never came.
        Index("ix_payment_attempts_status_updated", "status", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("checkout_sessions.id"))
    gateway: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    amount: Mapped[int] = mapped_column(BigInteger)
    installment_months: Mapped[int | None] = mapped_column(default=None)
    transaction_id: Mapped[str | None] = mapped_column(String(200), default=None)
    failure_code: Mapped[str | None] = mapped_column(String(32), default=None)
    failure_message: Mapped[str | None] = mapped_column(Text, default=None)
    gateway_code: Mapped[str | None] = mapped_column(String(64), default=None)
    #: The window's return, recorded before the gateway is asked to confirm it, so that a
    #: confirmation whose answer never came can be asked again.
    return_params: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class VirtualAccountDeposit(Base):
    """Every deposit notification, accepted or not; (gateway, event id) deduplicates."""

    __tablename__ = "virtual_account_deposits"
    __table_args__ = (UniqueConstraint("gateway", "event_id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("checkout_sessions.id"), index=True)
    gateway: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)
    expected_amount: Mapped[int] = mapped_column(BigInteger)
    accepted: Mapped[bool]
    failure_code: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
