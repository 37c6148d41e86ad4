"""Refunds of a completed session; their sum never exceeds what was paid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class Refund(Base):
    __tablename__ = "refunds"
    __table_args__ = (Index("ix_refunds_session_created", "session_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("checkout_sessions.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    #: succeeded | processing (the gateway accepted it and settles later)
    status: Mapped[str] = mapped_column(String(16))
    gateway: Mapped[str] = mapped_column(String(16))
    gateway_refund_id: Mapped[str] = mapped_column(String(200))
    notify_customer: Mapped[bool] = mapped_column(default=False)
    #: Virtual-account refunds: bank code, masked number and holder (never the full number).
    refund_account: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None)
