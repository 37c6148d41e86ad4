"""Store calls end at a wall-clock deadline however slowly the store answers (a real socket
answering one byte per second): logged as a timeout and retried, and no other store waits."""

from __future__ import annotations

import time
from concurrent.futures import wait

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from bridge.context import BridgeContext
from bridge.drain import Runner, drain
from bridge.models import BridgeStore, SyncLogEntry, SyncTask
from bridge.woo_client import TIMEOUT, WooCall, WooCredentials, WooStore, WooTransientError
from tests.app.checkout.checkout_helpers import pay
from tests.bridge.conftest import ConnectedStore, connect, endpoint_secret
from tests.bridge.support import MemoryQueue, signed_event
from tests.conftest import Merchant
from tests.trickle import trickle_peer
from tests.woocommerce_double import WooCommerceDouble

DEADLINE = 1.5
MARGIN = 0.75
APPROVE_CARD = {"card_number": "4330-0000-0000-0001", "action": "approve"}


@pytest.fixture
def database_url(fresh_database_url: str) -> str:
    """A database of these tests' own: a drain runs every due task it finds, and the tasks
    these tests leave retrying against a closed store must not reach other tests' drains."""
    return fresh_database_url


@pytest.mark.parametrize("trickle", ["status", "body"])
def test_a_store_call_to_a_trickling_store_ends_at_its_deadline(trickle: str):
    calls: list[WooCall] = []
    with trickle_peer(trickle) as peer:
        woo = WooStore(WooCredentials(peer.url, "ck_x", "cs_x"), DEADLINE, calls.append)
        started = time.monotonic()
        with pytest.raises(WooTransientError) as raised:
            woo.call("read order", "GET", "orders/7")
        took = time.monotonic() - started
    assert DEADLINE - 0.1 <= took < DEADLINE + MARGIN
    assert raised.value.code == TIMEOUT
    (call,) = calls
    assert (call.error, call.http_status) == (TIMEOUT, None)


def point_at(ctx: BridgeContext, store: ConnectedStore, url: str) -> None:
    with ctx.database.transaction() as db:
        db.execute(update(BridgeStore).where(BridgeStore.id == store.store_id).values(site_url=url))


def relay_payment(store: ConnectedStore) -> int:
    """An order paid at the core, its payment.completed relayed to the bridge (a sync task)."""
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    pay(store.client, session_id, "card", choices=APPROVE_CARD)
    events = store.client.get(
        "/api/events",
        query_string={"sessionId": session_id, "event": "payment.completed"},
        headers=store.headers(),
    ).get_json()["data"]
    body, headers, _ = signed_event(store.secret, "payment.completed", events[0]["data"])
    relayed = store.client.post(f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers)
    assert relayed.status_code == 200
    return order_id


def task_and_log(ctx: BridgeContext, store: ConnectedStore) -> tuple[SyncTask, list[SyncLogEntry]]:
    with ctx.database.transaction() as db:
        task = db.scalars(select(SyncTask).where(SyncTask.store_id == store.store_id)).one()
        log = list(
            db.scalars(
                select(SyncLogEntry)
                .where(SyncLogEntry.task_id == task.id)
                .order_by(SyncLogEntry.id)
            )
        )
        db.expunge_all()
    return task, log


def assert_timed_out_and_retrying(ctx: BridgeContext, store: ConnectedStore) -> None:
    task, log = task_and_log(ctx, store)
    assert task.status == "pending"
    assert task.next_attempt_at is not None
    assert task.last_error == f"store unreachable: {TIMEOUT}"
    assert (log[-1].outcome, log[-1].message) == ("retrying", f"store unreachable: {TIMEOUT}")
    assert log[-1].http_status is None


def test_a_sync_against_a_trickling_store_is_logged_as_a_timeout_and_retried(
    store: ConnectedStore, queue: MemoryQueue, bridge_ctx: BridgeContext
):
    bridge_ctx.woo_timeout = DEADLINE
    with trickle_peer("status") as peer:
        point_at(bridge_ctx, store, peer.url)
        relay_payment(store)
        started = time.monotonic()
        assert queue.drain(max_runs=1) == ["retrying"]
        took = time.monotonic() - started
    # One store call times out; the task stops there (the store is backing off).
    assert took < DEADLINE + MARGIN + 1.0
    assert_timed_out_and_retrying(bridge_ctx, store)


def test_a_task_ends_before_its_lease_whatever_its_store_calls_allow(
    store: ConnectedStore, queue: MemoryQueue, bridge_ctx: BridgeContext
):
    """Store calls may take 10 s each, but the task's lease is 2 s: the task's own deadline
    ends its calls first, so no other worker can claim it while it still writes."""
    bridge_ctx.task_lease_seconds = 2
    bridge_ctx.woo_timeout = 10.0
    with trickle_peer("body") as peer:
        point_at(bridge_ctx, store, peer.url)
        relay_payment(store)
        started = time.monotonic()
        futures = drain(bridge_ctx, Runner(2), budget=0)
        done, _ = wait(futures, timeout=30)
        took = time.monotonic() - started
    assert [f.result() for f in done] == ["retrying"]
    assert took < 2 * 0.8 + MARGIN
    assert_timed_out_and_retrying(bridge_ctx, store)


def test_one_tenants_trickling_store_does_not_slow_another_tenants_sync(
    store: ConnectedStore,
    queue: MemoryQueue,
    bridge_ctx: BridgeContext,
    client: FlaskClient,
    other_merchant: Merchant,
    double: WooCommerceDouble,
):
    data = connect(client, other_merchant, double)
    secret = endpoint_secret(client, other_merchant, data["webhookUrl"])
    healthy = ConnectedStore(
        data["storeId"], data["shopId"], secret, other_merchant, double, client
    )
    slow_seconds = 3.0
    bridge_ctx.woo_timeout = slow_seconds
    with trickle_peer("status") as peer:
        point_at(bridge_ctx, store, peer.url)
        relay_payment(store)
        paid_order = relay_payment(healthy)
        started = time.monotonic()
        futures = drain(bridge_ctx, Runner(4), budget=0)
        first, _ = wait(futures, timeout=30, return_when="FIRST_COMPLETED")
        first_took = time.monotonic() - started
        assert [f.result() for f in first] == ["succeeded"]
        assert first_took < slow_seconds
        wait(futures, timeout=30)
        took = time.monotonic() - started
    assert len(futures) == 2
    assert took < slow_seconds + MARGIN + 1.0
    assert double.order(paid_order)["status"] == "processing"
    assert_timed_out_and_retrying(bridge_ctx, store)
