"""Concurrent syncs in one worker: parallel within a store's cap, one sync per order at a time,
a hung store holding no more than its cap while other stores' syncs finish."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, wait

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from bridge.context import BridgeContext
from bridge.drain import Runner, drain
from bridge.models import SyncTask
from tests.bridge.conftest import ConnectedStore, connect, endpoint_secret
from tests.bridge.support import MemoryQueue, signed_event
from tests.conftest import Merchant
from tests.servers import wait_for
from tests.woocommerce_double import WooCommerceDouble


@pytest.fixture(autouse=True)
def no_other_syncs(bridge_ctx: BridgeContext) -> None:
    """The database outlives a test: retries left by earlier tests would come due in these
    drains (which take every due task) and muddle what they count."""
    with bridge_ctx.database.transaction() as db:
        db.execute(update(SyncTask).where(SyncTask.status == "pending").values(status="failed"))


@pytest.fixture
def pool() -> Iterator[Runner]:
    runner = Runner(size=8)
    yield runner
    runner.close()


def deliver(store: ConnectedStore, event_type: str, data: dict[str, object]) -> None:
    body, headers, _ = signed_event(store.secret, event_type, data)
    response = store.client.post(
        f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers
    )
    assert response.status_code == 200, response.get_json()


def paid_data(store: ConnectedStore) -> tuple[int, dict[str, object]]:
    """An order paid at the core, and the data of its payment.completed event."""
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id)
    return order_id, store.event(session_id, "payment.completed")["data"]


def paid_event(store: ConnectedStore) -> int:
    order_id, data = paid_data(store)
    deliver(store, "payment.completed", data)
    return order_id


def leased(ctx: BridgeContext, store_id: str) -> int:
    with ctx.database.transaction() as db:
        rows = db.scalars(
            select(SyncTask).where(
                SyncTask.store_id == store_id,
                SyncTask.status == "pending",
                SyncTask.lease_until.is_not(None),
            )
        ).all()
    return len(rows)


def finished(futures: list[Future[str]]) -> list[str]:
    wait(futures, timeout=60)
    return sorted(f.result() for f in futures)


def test_orders_of_one_store_run_in_parallel_within_the_cap(
    store: ConnectedStore, queue: MemoryQueue, bridge_ctx: BridgeContext, pool: Runner
) -> None:
    orders = [paid_event(store) for _ in range(3)]
    store.double.faults.set_latency(30)  # every request waits until released
    first = drain(bridge_ctx, pool)
    # Two syncs of this store are in flight together; the third waits for a slot.
    assert len(first) == 2
    wait_for(lambda: leased(bridge_ctx, store.store_id) == 2, 30, "two leased")
    assert drain(bridge_ctx, pool) == []
    store.double.faults.release()
    assert finished(first) == ["succeeded", "succeeded"]
    store.double.faults.set_latency(0)
    assert finished(drain(bridge_ctx, pool)) == ["succeeded"]
    assert all(store.double.order(o)["status"] == "processing" for o in orders)


def test_one_order_is_never_synced_twice_at_once(
    store: ConnectedStore, queue: MemoryQueue, bridge_ctx: BridgeContext, pool: Runner
) -> None:
    order_id, data = paid_data(store)
    deliver(store, "payment.completed", data)
    deliver(store, "payment.completed", data)  # the same outcome again, a new event id
    store.double.faults.set_latency(30)
    running = drain(bridge_ctx, pool)
    assert len(running) == 1  # the order's second task waits, though threads are free
    wait_for(lambda: leased(bridge_ctx, store.store_id) == 1, 30, "one leased")
    assert drain(bridge_ctx, pool) == []
    store.double.faults.release()
    assert finished(running) == ["succeeded"]
    store.double.faults.set_latency(0)
    assert finished(drain(bridge_ctx, pool)) == ["skipped"]
    notes = [n for n in store.double.note_texts(order_id) if n.startswith("[Korea Checkout]")]
    assert len(notes) == 1


def test_a_hung_store_holds_only_its_cap_and_delays_no_other_store(
    store: ConnectedStore,
    queue: MemoryQueue,
    bridge_ctx: BridgeContext,
    client: FlaskClient,
    other_merchant: Merchant,
) -> None:
    with WooCommerceDouble() as other_double:
        other_double.seed_reference_catalog()
        data = connect(client, other_merchant, other_double)
        secret = endpoint_secret(client, other_merchant, data["webhookUrl"])
        other = ConnectedStore(
            data["storeId"], data["shopId"], secret, other_merchant, other_double, client
        )
        hung_orders = [paid_event(store) for _ in range(3)]
        healthy_order = paid_event(other)
        store.double.faults.hang_next(3, seconds=30)
        pool = Runner(size=3)
        try:
            started = drain(bridge_ctx, pool)
            # Two threads for the hung store (its cap), the third for the healthy one.
            assert len(started) == 3
            wait_for(lambda: store.double.faults.hung_requests >= 2, 30, "store hung")
            wait_for(
                lambda: other_double.order(healthy_order)["status"] == "processing",
                30,
                "other store synced",
            )
            assert store.double.faults.hung_requests == 2
            assert all(store.double.order(o)["status"] == "pending" for o in hung_orders)
            store.double.faults.release()
            outcomes = finished(started)
        finally:
            store.double.faults.release()
            pool.close()
    assert outcomes == ["retrying", "retrying", "succeeded"]
