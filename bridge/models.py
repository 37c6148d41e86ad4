"""The bridge's own tables: store connections, order links, received events, sync tasks,
refund links and the sync log. The bridge never reads the core's tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")


class BridgeStore(Base):
    """A WooCommerce store connected to one shop. Credentials are Fernet ciphertexts."""

    __tablename__ = "bridge_stores"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    shop_id: Mapped[str] = mapped_column(String(40), unique=True)
    mode: Mapped[str] = mapped_column(String(8))
    site_url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the plugin's API key; NULL once disconnected (so the key is free again).
    api_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    encrypted_api_key: Mapped[str] = mapped_column(Text)
    encrypted_consumer_key: Mapped[str] = mapped_column(Text)
    encrypted_consumer_secret: Mapped[str] = mapped_column(Text)
    consumer_key_hint: Mapped[str] = mapped_column(String(16))
    encrypted_webhook_secret: Mapped[str] = mapped_column(Text)
    secret_refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
    disconnected_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BridgeOrder(Base):
    """A WooCommerce order and its current checkout session."""

    __tablename__ = "bridge_orders"
    __table_args__ = (
        UniqueConstraint("store_id", "wc_order_id"),
        Index("ix_bridge_orders_unpaid", "paid_in_woocommerce", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("bridge_stores.id"))
    wc_order_id: Mapped[int] = mapped_column(BigInteger)
    order_key: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(40), index=True)
    session_total: Mapped[int] = mapped_column(BigInteger)
    checkout_url: Mapped[str | None] = mapped_column(Text)
    # Bumped whenever a new session replaces the old one; part of the create idempotency key.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    paid_in_woocommerce: Mapped[bool] = mapped_column(default=False)
    reconciled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BridgeEvent(Base):
    """A verified webhook, stored once per (store, event id)."""

    __tablename__ = "bridge_events"
    __table_args__ = (UniqueConstraint("store_id", "event_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("bridge_stores.id"))
    event_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(48))
    session_id: Mapped[str | None] = mapped_column(String(40))
    wc_order_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]]
    event_created_at: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncTask(Base):
    """One push to WooCommerce, retried from this row until it succeeds or gives up."""

    __tablename__ = "bridge_sync_tasks"
    __table_args__ = (
        Index("ix_bridge_sync_tasks_due", "status", "next_attempt_at"),
        Index("ix_bridge_sync_tasks_order", "store_id", "wc_order_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("bridge_stores.id"))
    wc_order_id: Mapped[int | None] = mapped_column(BigInteger)
    session_id: Mapped[str | None] = mapped_column(String(40))
    event_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class BridgeRefund(Base):
    """Links a WooCommerce refund record and a core refund, whichever side started it."""

    __tablename__ = "bridge_refunds"
    __table_args__ = (
        UniqueConstraint("store_id", "wc_refund_id"),
        UniqueConstraint("store_id", "core_refund_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("bridge_stores.id"))
    wc_order_id: Mapped[int] = mapped_column(BigInteger)
    wc_refund_id: Mapped[int | None] = mapped_column(BigInteger)
    core_refund_id: Mapped[str | None] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    response: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncLogEntry(Base):
    """One row per WooCommerce request (or decision) of a sync attempt; secrets masked."""

    __tablename__ = "bridge_sync_log"
    __table_args__ = (
        Index("ix_bridge_sync_log_order", "store_id", "wc_order_id", "created_at"),
        Index("ix_bridge_sync_log_store", "store_id", "created_at"),
        Index("ix_bridge_sync_log_outcome", "outcome", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[str] = mapped_column(String(40))
    wc_order_id: Mapped[int | None] = mapped_column(BigInteger)
    session_id: Mapped[str | None] = mapped_column(String(40))
    event_id: Mapped[str | None] = mapped_column(String(64))
    task_id: Mapped[str | None] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(48))
    outcome: Mapped[str] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    request_excerpt: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# The tables behind the entities, for plain Core statements on the sync hot path (no ORM
# bookkeeping per row).
SYNC_TASKS = cast(Table, SyncTask.__table__)
SYNC_LOG = cast(Table, SyncLogEntry.__table__)
ORDER_LINKS = cast(Table, BridgeOrder.__table__)
