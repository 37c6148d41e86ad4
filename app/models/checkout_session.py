"""Checkout sessions: the aggregate every payment hangs off."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.refund import Refund


class CheckoutSession(Base):
    __tablename__ = "checkout_sessions"
    __table_args__ = (
        Index("ix_checkout_sessions_tenant_created", "account_id", "mode", "created_at", "id"),
        Index("ix_checkout_sessions_tenant_order", "account_id", "mode", "platform_order_id"),
        Index("ix_checkout_sessions_status_expires", "status", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    mode: Mapped[str] = mapped_column(String(8))
    shop_id: Mapped[str | None] = mapped_column(ForeignKey("shops.id"), default=None)
    status: Mapped[str] = mapped_column(String(24))
    platform: Mapped[str] = mapped_column(String(50))
    platform_order_id: Mapped[str | None] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    total_amount: Mapped[int] = mapped_column(BigInteger)
    shipping_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    items: Mapped[list[dict[str, Any]]]
    customer: Mapped[dict[str, Any]]
    address: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata")
    return_url: Mapped[str] = mapped_column(Text)
    cancel_url: Mapped[str] = mapped_column(Text)
    webhook_url: Mapped[str | None] = mapped_column(Text)
    payment_method: Mapped[str | None] = mapped_column(String(32), default=None)
    # What the shopper chose on the shop before arriving (migration 0008): the page opens on
    # it. payment_method above is the method actually paid with.
    preferred_payment_method: Mapped[str | None] = mapped_column(String(32), default=None)
    gateway: Mapped[str | None] = mapped_column(String(16), default=None)
    gateway_transaction_id: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime]
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    expired_at: Mapped[datetime | None] = mapped_column(default=None)
    # Payments (migration 0002_checkout): what was paid and refunded, in won.
    installment_months: Mapped[int | None] = mapped_column(default=None)
    virtual_account: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    paid_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    failed_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    # Loaded on access only: most sessions are never paid, so they cannot have refunds.
    refunds: Mapped[list[Refund]] = relationship(order_by=Refund.created_at, lazy="select")
