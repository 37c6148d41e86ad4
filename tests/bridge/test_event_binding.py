"""Only the session the bridge created for an order, paid in full, may change that order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import Database
from bridge.models import SyncLogEntry, SyncTask
from tests.bridge.conftest import ConnectedStore
from tests.bridge.support import MemoryQueue, completed_data, signed_event


def deliver(store: ConnectedStore, event_type: str, data: dict[str, Any]) -> Any:
    body, headers, event_id = signed_event(store.secret, event_type, data)
    response = store.client.post(
        f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers
    )
    return response, event_id


def ignored_rows(database: Database, store: ConnectedStore, event_id: str) -> list[SyncLogEntry]:
    with database.transaction() as db:
        return list(
            db.scalars(
                select(SyncLogEntry).where(
                    SyncLogEntry.store_id == store.store_id, SyncLogEntry.event_id == event_id
                )
            )
        )


def tasks_of(database: Database, event_id: str) -> list[SyncTask]:
    with database.transaction() as db:
        return list(db.scalars(select(SyncTask).where(SyncTask.event_id == event_id)))


def assert_ignored(
    database: Database, store: ConnectedStore, event_id: str, response: Any, queue: MemoryQueue
) -> str:
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["received"] is True
    assert not queue.queued
    assert tasks_of(database, event_id) == []
    rows = ignored_rows(database, store, event_id)
    assert [row.outcome for row in rows] == ["ignored"]
    return rows[0].message or ""


def test_payment_of_an_unrelated_session_does_not_mark_the_order_paid(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id = store.new_order()  # 29,000 won
    store.checkout(order_id)
    writes_before = len(store.double.request_log)
    # Validly signed by the shop, but for a session of another platform that merely names
    # this order's number.
    data = completed_data("cs_unrelated0000000001", order_id, 100, platform="custom")
    response, event_id = deliver(store, "payment.completed", data)
    message = assert_ignored(database, store, event_id, response, queue)
    assert "custom" in message
    queue.drain()
    assert store.double.order(order_id)["status"] == "pending"
    assert len(store.double.request_log) == writes_before
    # The same without the platform field: still not a session the bridge linked.
    data.pop("platform")
    response, event_id = deliver(store, "payment.completed", data)
    assert "not linked" in assert_ignored(database, store, event_id, response, queue)
    assert store.double.order(order_id)["status"] == "pending"
    timeline = store.client.get(
        f"/bridge/v1/orders/{order_id}/timeline", headers=store.headers()
    ).get_json()["data"]
    assert [row["outcome"] for row in timeline if row["type"] == "sync"] == ["ignored", "ignored"]


def test_linked_session_paid_with_another_amount_is_ignored(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    for data in (
        completed_data(session_id, order_id, 100),
        completed_data(session_id, order_id, 29000, paidAmount=100),
        completed_data(session_id, order_id, 29000, platform="custom"),
        completed_data(session_id, order_id + 1, 29000),
    ):
        response, event_id = deliver(store, "payment.completed", data)
        assert_ignored(database, store, event_id, response, queue)
    assert store.double.order(order_id)["status"] == "pending"
    # The real payment still lands.
    store.pay(session_id)
    response, event_id = deliver(
        store, "payment.completed", store.event(session_id, "payment.completed")["data"]
    )
    assert response.status_code == 200
    assert queue.drain() == ["succeeded"]
    assert store.double.order(order_id)["status"] == "processing"


def test_event_of_a_replaced_session_is_ignored(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id = store.new_order()
    old_session = store.checkout(order_id)["sessionId"]
    changed = store.double.order(order_id)
    changed["total"] = "31000"  # the order changed: a new session replaces the old one
    response = store.client.post(
        "/bridge/v1/orders",
        json={
            "order": changed,
            "returnUrl": "https://shop.example.test/return",
            "cancelUrl": "https://shop.example.test/cancel",
        },
        headers=store.headers(),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["sessionId"] != old_session
    for event_type, data in (
        ("payment.completed", completed_data(old_session, order_id, 29000)),
        ("payment.failed", {**completed_data(old_session, order_id, 29000), "status": "failed"}),
    ):
        response, event_id = deliver(store, event_type, data)
        assert_ignored(database, store, event_id, response, queue)
    assert store.double.order(order_id)["status"] == "pending"


def test_task_whose_session_was_replaced_before_it_ran_is_skipped(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id = store.new_order()
    old_session = store.checkout(order_id)["sessionId"]
    response, event_id = deliver(
        store, "payment.completed", completed_data(old_session, order_id, 29000)
    )
    assert response.status_code == 200
    changed = store.double.order(order_id)
    changed["total"] = "31000"
    replaced = store.client.post(
        "/bridge/v1/orders",
        json={
            "order": changed,
            "returnUrl": "https://shop.example.test/return",
            "cancelUrl": "https://shop.example.test/cancel",
        },
        headers=store.headers(),
    )
    assert replaced.status_code == 201, replaced.get_json()
    assert queue.drain() == ["skipped"]
    assert store.double.order(order_id)["status"] == "pending"
    assert [t.status for t in tasks_of(database, event_id)] == ["skipped"]
