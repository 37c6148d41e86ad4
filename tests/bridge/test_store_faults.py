"""Nothing parked is lost, nothing loops: a disconnected store's events wait for it, broken
answers and surprises end as logged attempts with a bounded retry, refused refunds and
deleted orders are told and let go."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.db import Database
from app.models import Account
from app.models.base import utcnow
from app.payments import api_keys
from app.payments.tenancy import Mode
from bridge import sync_actions
from bridge.context import BridgeContext
from bridge.models import BridgeOrder, SyncLogEntry, SyncTask
from bridge.reconcile import reconcile_unpaid_orders
from bridge.retry import RETRY_DELAYS
from bridge.sync import NEVER
from tests.bridge.conftest import ConnectedStore, connect
from tests.bridge.support import MemoryQueue, core_event, signed_event
from tests.conftest import Merchant
from tests.woocommerce_double import WooCommerceDouble


def deliver(store: ConnectedStore, event_type: str, data: dict[str, Any]) -> str:
    body, headers, event_id = signed_event(store.secret, event_type, data)
    response = store.client.post(
        f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    return event_id


def paid_session(store: ConnectedStore) -> tuple[int, str, dict[str, Any]]:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id)
    return order_id, session_id, store.event(session_id, "payment.completed")["data"]


def task_of(database: Database, event_id: str) -> SyncTask:
    with database.transaction() as db:
        return db.scalars(select(SyncTask).where(SyncTask.event_id == event_id)).one()


def log_of(database: Database, task_id: str) -> list[SyncLogEntry]:
    with database.transaction() as db:
        return list(
            db.scalars(
                select(SyncLogEntry)
                .where(SyncLogEntry.task_id == task_id)
                .order_by(SyncLogEntry.id)
            )
        )


def test_a_refund_made_while_disconnected_reaches_woocommerce_on_reconnect(
    store: ConnectedStore,
    queue: MemoryQueue,
    client: FlaskClient,
    merchant: Merchant,
    double: WooCommerceDouble,
    database: Database,
) -> None:
    order_id, session_id, paid = paid_session(store)
    deliver(store, "payment.completed", paid)
    assert queue.drain() == ["succeeded"]
    disconnected = client.post("/bridge/v1/stores/disconnect", headers=merchant.headers())
    assert disconnected.status_code == 200
    store.refund(session_id, 7000)
    event_id = deliver(
        store, "payment.refunded", store.event(session_id, "payment.refunded")["data"]
    )
    assert not queue.queued  # parked: nothing to wake
    parked = task_of(database, event_id)
    assert (parked.status, parked.next_attempt_at) == ("pending", None)
    assert double.refunds(order_id) == []
    connect(client, merchant, double)
    assert queue.drain() == ["succeeded"]
    assert [r.amount for r in double.refunds(order_id)] == [7000]


@pytest.mark.parametrize(
    "answer",
    [b"null", b"[]", b"<html><body>Critical error</body></html>", b"\x00\x01 binary"],
    ids=str,
)
def test_an_unexpected_answer_fails_the_task_with_a_log_row(
    store: ConnectedStore, queue: MemoryQueue, database: Database, answer: bytes
) -> None:
    order_id, _session_id, paid = paid_session(store)
    store.double.faults.fail_next(1, 200, body=answer, path_contains=f"orders/{order_id}")
    event_id = deliver(store, "payment.completed", paid)
    assert queue.drain() == ["failed"]
    task = task_of(database, event_id)
    assert task.status == "failed"
    assert "not an object" in (task.last_error or "")
    rows = log_of(database, task.id)
    assert [(row.outcome, row.http_status) for row in rows] == [("failed", 200)]
    assert store.double.order(order_id)["status"] == "pending"


def test_an_error_message_with_nul_characters_fails_the_task_with_a_log_row(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    # PostgreSQL text cannot hold NUL: stored as is, the outcome could never be written and
    # the task would come back after every lease, without a row.
    order_id, _session_id, paid = paid_session(store)
    body = b'{"code": "broken_plugin", "message": "bad\\u0000answer", "data": {"status": 400}}'
    store.double.faults.fail_next(1, 400, body=body, path_contains=f"orders/{order_id}")
    event_id = deliver(store, "payment.completed", paid)
    assert queue.drain() == ["failed"]
    task = task_of(database, event_id)
    assert "broken_plugin" in (task.last_error or "")
    assert [row.outcome for row in log_of(database, task.id)] == ["failed"]


def test_an_unexpected_error_is_logged_and_retried_a_bounded_number_of_times(
    store: ConnectedStore,
    queue: MemoryQueue,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order_id, _session_id, paid = paid_session(store)

    def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(sync_actions, "plan_paid", broken)
    event_id = deliver(store, "payment.completed", paid)
    assert queue.drain(max_runs=1) == ["retrying"]
    task = task_of(database, event_id)
    assert (task.status, task.last_error) == ("pending", "unexpected error: RuntimeError")
    assert [row.outcome for row in log_of(database, task.id)] == ["retrying"]
    # The schedule's last attempt gives up instead of looping.
    with database.transaction() as db:
        db.execute(
            update(SyncTask).where(SyncTask.id == task.id).values(attempts=len(RETRY_DELAYS))
        )
    queue.queued.clear()
    queue(task.id, None)
    assert queue.drain(max_runs=1) == ["dead"]
    assert [row.outcome for row in log_of(database, task.id)] == ["retrying", "dead"]
    assert store.double.order(order_id)["status"] == "pending"


def test_a_refund_woocommerce_refuses_is_noted_on_the_order_and_the_timeline(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id, session_id, paid = paid_session(store)
    deliver(store, "payment.completed", paid)
    queue.drain()
    # Refunded in full in WooCommerce by hand: nothing is left to refund there.
    store.double.seed_refund(order_id, "29000", "manual")
    store.refund(session_id, 5000)
    event_id = deliver(
        store, "payment.refunded", store.event(session_id, "payment.refunded")["data"]
    )
    assert queue.drain() == ["failed"]
    assert [r.amount for r in store.double.refunds(order_id)] == [29000]
    notes = [n for n in store.double.note_texts(order_id) if "환불 기록 실패" in n]
    assert len(notes) == 1
    assert "5,000원" in notes[0]
    assert "Invalid refund amount." in notes[0]
    task = task_of(database, event_id)
    timeline = store.client.get(
        f"/bridge/v1/orders/{order_id}/timeline", headers=store.headers()
    ).get_json()["data"]
    failed = [
        row for row in timeline if row.get("taskId") == task.id and row["outcome"] == "failed"
    ]
    assert len(failed) == 1
    assert "not recorded" in failed[0]["message"]
    assert "Invalid refund amount." in failed[0]["message"]


def test_a_deleted_order_is_no_longer_reconciled(
    store: ConnectedStore, queue: MemoryQueue, database: Database, bridge_ctx: BridgeContext
) -> None:
    order_id, _session_id, paid = paid_session(store)
    store.double.delete_order(order_id)
    event_id = deliver(store, "payment.completed", paid)
    assert queue.drain() == ["failed"]
    assert "404" in (task_of(database, event_id).last_error or "")
    with database.transaction() as db:
        link = db.scalars(
            select(BridgeOrder).where(
                BridgeOrder.store_id == store.store_id, BridgeOrder.wc_order_id == order_id
            )
        ).one()
    assert link.reconciled_at == NEVER
    healing = dataclasses.replace(bridge_ctx, reconcile_after_seconds=0)
    reconcile_unpaid_orders(healing)
    with database.transaction() as db:
        tasks = db.scalars(
            select(SyncTask).where(
                SyncTask.store_id == store.store_id, SyncTask.wc_order_id == order_id
            )
        ).all()
    assert len(tasks) == 1  # no healing task for an order that is gone


def test_parked_events_never_touch_the_same_order_number_of_another_site(
    store: ConnectedStore,
    queue: MemoryQueue,
    client: FlaskClient,
    merchant: Merchant,
    database: Database,
    bridge_ctx: BridgeContext,
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    disconnected = client.post("/bridge/v1/stores/disconnect", headers=merchant.headers())
    assert disconnected.status_code == 200
    store.pay(session_id)
    event_id = deliver(
        store, "payment.completed", store.event(session_id, "payment.completed")["data"]
    )
    # The shop is connected again, to another WooCommerce site whose order of the same
    # number (same product, same total) is another customer's unpaid order.
    with WooCommerceDouble() as other:
        other.seed_reference_catalog()
        other.seed_order(store.double.order(order_id), order_id=order_id)
        connect(client, merchant, other)
        assert queue.drain() == ["failed"]
        assert "not the order the session was made for" in (
            task_of(database, event_id).last_error or ""
        )
        # Reconciliation does not come back to it every few minutes either.
        reconcile_unpaid_orders(dataclasses.replace(bridge_ctx, reconcile_after_seconds=0))
        assert queue.drain() == []
        assert other.order(order_id)["status"] == "pending"
        assert other.notes(order_id) == []


def test_a_refund_made_while_the_stores_key_is_revoked_lands_once_the_new_key_connects(
    store: ConnectedStore,
    queue: MemoryQueue,
    client: FlaskClient,
    merchant: Merchant,
    double: WooCommerceDouble,
    database: Database,
) -> None:
    order_id, session_id, paid = paid_session(store)
    deliver(store, "payment.completed", paid)
    assert queue.drain() == ["succeeded"]
    # The merchant rotates the key: the old one is revoked before the plugin gets the new.
    with database.transaction() as db:
        api_keys.revoke_key(db, merchant.test_key_id, utcnow())
        issued = api_keys.create_key(
            db, db.get_one(Account, merchant.account_id), Mode.TEST, utcnow()
        )
    rotated = dataclasses.replace(merchant, test_key=issued.secret, test_key_id=issued.key_id)
    refunded = client.post(
        f"/api/checkout/session/{session_id}/refund",
        json={"amount": 7000},
        headers=rotated.headers(),
    )
    assert refunded.status_code == 201, refunded.get_json()
    refund_event = core_event(client, rotated.headers(), session_id, "payment.refunded")
    event_id = deliver(store, "payment.refunded", refund_event["data"])
    assert queue.drain() == ["parked"]
    assert task_of(database, event_id).status == "pending"
    connect(client, rotated, double)
    assert queue.drain() == ["succeeded"]
    assert [r.amount for r in double.refunds(order_id)] == [7000]
