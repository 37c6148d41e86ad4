"""Per-store cap and order lock, reconciliation of lost webhooks, secrets kept out of logs."""

from __future__ import annotations

import dataclasses

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import select

from app.db import Database
from bridge import limits
from bridge.context import BridgeContext
from bridge.masking import excerpt
from bridge.models import BridgeOrder, SyncLogEntry
from bridge.reconcile import reconcile_unpaid_orders
from bridge.retry import RETRY_DELAYS, next_attempt_at
from tests.app.checkout.checkout_helpers import pay
from tests.bridge.conftest import ConnectedStore
from tests.bridge.support import MemoryQueue

APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}


def _keys(ctx: BridgeContext, store: str, order: str) -> limits.GuardKeys:
    return limits.GuardKeys(
        slots=ctx.key("slots", store),
        order=ctx.key("order", store, order),
        backoff=ctx.key("backoff", store),
        failures=ctx.key("failures", store),
    )


def test_store_cap_and_order_lock(bridge_ctx: BridgeContext) -> None:
    client: redis.Redis = bridge_ctx.redis
    first = limits.acquire(client, _keys(bridge_ctx, "cap", "a"), 2, 5)
    second = limits.acquire(client, _keys(bridge_ctx, "cap", "b"), 2, 5)
    with pytest.raises(limits.GuardBusy) as full:
        limits.acquire(client, _keys(bridge_ctx, "cap", "c"), 2, 5)
    assert full.value.reason == "capacity"
    # Another store is not affected by this one's full cap.
    other = limits.acquire(client, _keys(bridge_ctx, "other", "d"), 2, 5)
    first.release()
    first.release()  # twice is harmless
    third = limits.acquire(client, _keys(bridge_ctx, "cap", "c"), 2, 5)
    for guard in (second, third, other):
        guard.release()


def test_one_order_lock_per_order(bridge_ctx: BridgeContext) -> None:
    held = limits.acquire(bridge_ctx.redis, _keys(bridge_ctx, "lock", "7"), 2, 5)
    with pytest.raises(limits.GuardBusy) as busy:
        limits.acquire(bridge_ctx.redis, _keys(bridge_ctx, "lock", "7"), 2, 5)
    assert busy.value.reason == "order"
    # The refused attempt took no slot: the store still has one free.
    spare = limits.acquire(bridge_ctx.redis, _keys(bridge_ctx, "lock", "8"), 2, 5)
    held.release()
    spare.release()


def test_backoff_and_probe_after_failure(bridge_ctx: BridgeContext) -> None:
    client: redis.Redis = bridge_ctx.redis
    keys = _keys(bridge_ctx, "flaky", "1")
    limits.start_backoff(client, keys.backoff, 30)
    with pytest.raises(limits.GuardBusy) as paused:
        limits.acquire(client, keys, 2, 5)
    assert paused.value.reason == "backoff"
    assert 25 < paused.value.backoff_seconds <= 30
    client.delete(keys.backoff)
    # After a failure the store gets one probe at a time, not its cap of 2.
    client.set(keys.failures, 1)
    probe = limits.acquire(client, keys, 2, 5)
    with pytest.raises(limits.GuardBusy):
        limits.acquire(client, _keys(bridge_ctx, "flaky", "2"), 2, 5)
    probe.release()
    client.delete(keys.failures)


def test_retry_schedule_covers_three_days() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert sum(RETRY_DELAYS) * 0.8 >= 3 * 86400
    assert next_attempt_at(len(RETRY_DELAYS) + 1, now) is None
    later = next_attempt_at(1, now, retry_after=600)
    assert later is not None
    assert (later - now).total_seconds() >= 600


def test_lost_webhook_heals_by_reconciliation(
    store: ConnectedStore, queue: MemoryQueue, client: FlaskClient, bridge_ctx: BridgeContext
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    pay(client, session_id, "card", choices=APPROVE)  # the webhook never reaches the bridge
    assert store.double.order(order_id)["status"] == "pending"
    healing = dataclasses.replace(bridge_ctx, reconcile_after_seconds=0)
    assert reconcile_unpaid_orders(healing) >= 1
    queue.drain()
    assert store.double.order(order_id)["status"] == "processing"
    with bridge_ctx.database.transaction() as db:
        link = db.scalars(
            select(BridgeOrder).where(
                BridgeOrder.store_id == store.store_id, BridgeOrder.wc_order_id == order_id
            )
        ).one()
        assert link.paid_in_woocommerce is True
    # Healed orders are not looked at again.
    assert reconcile_unpaid_orders(healing) == 0


def test_lost_virtual_account_webhook_heals_by_reconciliation(
    store: ConnectedStore, queue: MemoryQueue, client: FlaskClient, bridge_ctx: BridgeContext
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    pay(client, session_id, "virtual_account")  # virtual_account.issued never arrives
    assert store.double.order(order_id)["status"] == "pending"
    healing = dataclasses.replace(bridge_ctx, reconcile_after_seconds=0)
    assert reconcile_unpaid_orders(healing) == 1
    queue.drain()
    assert store.double.order(order_id)["status"] == "on-hold"
    notes = [n for n in store.double.notes(order_id) if "가상계좌" in n.note]
    assert len(notes) == 1
    assert notes[0].customer_note is True
    # The account is on the order now: later passes add nothing while the deposit waits.
    assert reconcile_unpaid_orders(healing) == 0
    queue.drain()
    assert len([n for n in store.double.notes(order_id) if "가상계좌" in n.note]) == 1


def test_sync_log_never_holds_secrets(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    with database.transaction() as db:
        rows = db.scalars(select(SyncLogEntry).where(SyncLogEntry.store_id == store.store_id)).all()
    assert rows  # the connect probes are logged
    text = " ".join(f"{r.request_excerpt} {r.response_excerpt} {r.message}" for r in rows)
    assert store.merchant.test_key not in text
    assert "oauth_signature=" not in text or "oauth_signature=***" in text


def test_excerpt_masks_keys_anywhere() -> None:
    masked = excerpt(
        {
            "consumer_secret": "cs_abc",
            "note": "key ck_1234567890abcdef and sk_test_" + "a" * 64,
            "url": "https://s.test/?oauth_signature=xyz&x=1",
        }
    )
    assert "cs_abc" not in masked
    assert "ck_1234567890abcdef" not in masked
    assert "a" * 64 not in masked
    assert "xyz" not in masked
