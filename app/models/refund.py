"""Refunds of a completed session; their sum never exceeds what was paid.

A refund row is written ``pending`` and committed before the gateway is called (its id is
the gateway idempotency key), then settled: ``succeeded``, ``processing`` (accepted, the
gateway settles later) or ``failed``. Only settled refunds move the session's amounts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class Refund(Base):
    __tablename__ = "refunds"
    __table_args__ = (
        Index("ix_refunds_session_created", "session_id", "created_at"),
        # The sweep's query: pending refunds whose last gateway call is older than the grace.
        Index("ix_refunds_status_attempted", "status", "last_attempt_at"),
        UniqueConstraint("session_id", "request_key"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("checkout_sessions.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    #: pending | succeeded | processing | failed (see ``app.payments.status.RefundState``)
    status: Mapped[str] = mapped_column(String(16))
    gateway: Mapped[str] = mapped_column(String(16))
    #: The gateway's id for the refund, known once it answered.
    gateway_refund_id: Mapped[str | None] = mapped_column(String(200), default=None)
    notify_customer: Mapped[bool] = mapped_column(default=False)
    #: Virtual-account refunds: bank code, masked number and holder (never the full number).
    refund_account: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    #: What remained refundable when the refund was recorded: a retry resends the same request.
    refundable_before: Mapped[int | None] = mapped_column(BigInteger, default=None)
    #: The API request's ``Idempotency-Key``: a retry of that request finds this refund.
    request_key: Mapped[str | None] = mapped_column(String(255), default=None)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    failure_code: Mapped[str | None] = mapped_column(String(64), default=None)
    failure_message: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
