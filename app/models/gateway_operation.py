"""Money owed back through a gateway outside a refund: voids and virtual-account closings.

Recorded before the gateway call (the row id is the idempotency key), settled after it,
and retried by the sweep while pending, so a void that fails is never silently lost.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class GatewayOperation(Base):
    __tablename__ = "gateway_operations"
    __table_args__ = (
        # One void per approved attempt, one closing per issued account.
        UniqueConstraint("kind", "attempt_id"),
        Index("ix_gateway_operations_status_attempted", "status", "last_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: void_payment | close_account (``app.payments.operations.OperationKind``)
    kind: Mapped[str] = mapped_column(String(24))
    session_id: Mapped[str] = mapped_column(ForeignKey("checkout_sessions.id"), index=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("payment_attempts.id"))
    gateway: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(32))
    transaction_id: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    #: scheduled | pending | succeeded | failed | skipped (``OperationState``)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    failure_code: Mapped[str | None] = mapped_column(String(64), default=None)
    failure_message: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(default=None)
