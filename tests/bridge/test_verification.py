"""A signed webhook is a hint: the bridge acts on the session the API returns, and only a
payment of exactly the order as it is now marks it paid."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select

from app.db import Database
from bridge.context import BridgeContext
from bridge.models import BridgeOrder, SyncLogEntry, SyncTask
from bridge.reconcile import reconcile_unpaid_orders
from tests.bridge.conftest import ConnectedStore
from tests.bridge.support import MemoryQueue, completed_data, signed_event


def deliver(store: ConnectedStore, event_type: str, data: dict[str, Any]) -> str:
    body, headers, event_id = signed_event(store.secret, event_type, data)
    response = store.client.post(
        f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    return event_id


def log_of(database: Database, event_id: str) -> list[SyncLogEntry]:
    with database.transaction() as db:
        return list(db.scalars(select(SyncLogEntry).where(SyncLogEntry.event_id == event_id)))


def writes_to(store: ConnectedStore, order_id: int, since: int) -> list[str]:
    return [
        f"{entry.method} {entry.path}"
        for entry in store.double.request_log[since:]
        if f"/orders/{order_id}" in entry.path and entry.method != "GET"
    ]


def test_a_forged_payment_of_an_unpaid_session_changes_nothing(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    before = len(store.double.request_log)
    # Correctly signed with the shop's secret, linked session, right amounts: but unpaid.
    event_id = deliver(store, "payment.completed", completed_data(session_id, order_id, 29000))
    assert queue.drain() == ["skipped"]
    assert store.double.order(order_id)["status"] == "pending"
    assert store.double.note_texts(order_id) == []
    assert len(store.double.request_log) == before  # not even read
    rows = log_of(database, event_id)
    assert [row.outcome for row in rows] == ["skipped"]
    assert f"session {session_id} is pending, not paid" in (rows[0].message or "")


def test_a_forged_refund_of_a_paid_session_changes_nothing(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id)
    paid = store.event(session_id, "payment.completed")["data"]
    deliver(store, "payment.completed", paid)
    assert queue.drain() == ["succeeded"]
    before = len(store.double.request_log)
    forged = {**paid, "refundId": "ref_" + "0" * 32, "amount": 29000, "refundedAmount": 29000}
    event_id = deliver(store, "payment.refunded", forged)
    # A real refund's id with another amount is refused too.
    real = store.refund(session_id, 5000)
    inflated = {**paid, "refundId": real["refundId"], "amount": 29000}
    inflated_id = deliver(store, "payment.refunded", inflated)
    assert queue.drain() == ["skipped", "skipped"]
    assert store.double.refunds(order_id) == []
    assert writes_to(store, order_id, before) == []
    assert "lists no refund" in (log_of(database, event_id)[0].message or "")
    assert "is 5000 won, not 29000" in (log_of(database, inflated_id)[0].message or "")
    # The real refund, reported as it happened, lands.
    deliver(store, "payment.refunded", store.event(session_id, "payment.refunded")["data"])
    assert queue.drain() == ["succeeded"]
    assert [r.amount for r in store.double.refunds(order_id)] == [5000]


def test_forged_deposit_wait_failure_and_expiry_are_refused(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    data = completed_data(session_id, order_id, 29000, status="failed")
    account = {"bank": "국민은행", "accountNumber": "12345678901234", "amount": 29000}
    deliver(store, "virtual_account.issued", {**data, "virtualAccount": account})
    deliver(store, "payment.failed", data)
    deliver(store, "session.expired", {**data, "status": "expired"})
    deliver(store, "payment.cancelled", {**data, "status": "cancelled"})
    assert queue.drain() == ["skipped"] * 4
    assert store.double.order(order_id)["status"] == "pending"
    assert store.double.note_texts(order_id) == []
    with database.transaction() as db:
        messages = list(
            db.scalars(select(SyncTask.last_error).where(SyncTask.session_id == session_id))
        )
    assert messages == [None] * 4  # skipped, with the reason in the sync log


def test_a_payment_for_an_order_changed_since_is_held_not_paid(
    store: ConnectedStore, queue: MemoryQueue, database: Database, bridge_ctx: BridgeContext
) -> None:
    order_id = store.new_order()  # 29,000 won
    session_id = store.checkout(order_id)["sessionId"]
    # The shopper went back and checked out again: WooCommerce reused the pending order.
    line = store.double.order(order_id)["line_items"][0]
    changed = store.double.change_order(
        order_id, {"line_items": [{"id": line["id"], "quantity": 2}]}
    )
    assert changed["total"] != "29000"
    store.pay(session_id)  # the old hosted page, 29,000 won
    paid = store.event(session_id, "payment.completed")["data"]
    deliver(store, "payment.completed", paid)
    assert queue.drain() == ["succeeded"]
    order = store.double.order(order_id)
    assert order["status"] == "on-hold"
    assert order["date_paid"] is None
    assert order["transaction_id"] == paid["gatewayTransactionId"]
    assert store.double.meta(order_id)["_korea_checkout_session_id"] == session_id
    notes = [n for n in store.double.note_texts(order_id) if "결제 금액 불일치" in n]
    assert len(notes) == 1
    assert "29,000원" in notes[0]
    assert f"{int(changed['total']):,}원" in notes[0]
    assert session_id in notes[0]
    timeline = store.client.get(
        f"/bridge/v1/orders/{order_id}/timeline", headers=store.headers()
    ).get_json()["data"]
    assert any("amount mismatch" in (row.get("message") or "") for row in timeline)
    with database.transaction() as db:
        link = db.scalars(
            select(BridgeOrder).where(
                BridgeOrder.store_id == store.store_id, BridgeOrder.wc_order_id == order_id
            )
        ).one()
    assert link.paid_in_woocommerce is False
    # The same payment reported again writes nothing more, and reconciliation (which sees a
    # paid session on an order unpaid in WooCommerce) adds no second task.
    deliver(store, "payment.completed", paid)
    assert queue.drain() == ["skipped"]
    assert len([n for n in store.double.note_texts(order_id) if "결제 금액 불일치" in n]) == 1
    assert reconcile_unpaid_orders(dataclasses.replace(bridge_ctx, reconcile_after_seconds=0)) == 0
    assert store.double.order(order_id)["status"] == "on-hold"


def test_an_event_the_api_does_not_back_leaves_a_paid_order_known_paid(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id)
    deliver(store, "payment.completed", store.event(session_id, "payment.completed")["data"])
    assert queue.drain() == ["succeeded"]
    # A decline of an earlier attempt, delivered late: the API shows the session paid.
    decline = {"sessionId": session_id, "platformOrderId": str(order_id), "status": "processing"}
    deliver(store, "payment.failed", {**decline, "failureCode": "CARD_DECLINED"})
    assert queue.drain() == ["skipped"]
    with database.transaction() as db:
        link = db.scalars(
            select(BridgeOrder).where(
                BridgeOrder.store_id == store.store_id, BridgeOrder.wc_order_id == order_id
            )
        ).one()
    # Still known paid: reconciliation keeps away from it.
    assert link.paid_in_woocommerce is True


def test_the_return_check_never_reports_a_fully_refunded_session_paid(
    store: ConnectedStore, queue: MemoryQueue
) -> None:
    # The plugin marks an unpaid order paid when this answer says so (its return page, which
    # the shopper can open again): a refunded order must not come back as processing.
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id)
    url = f"/bridge/v1/orders/{order_id}"
    assert store.client.get(url, headers=store.headers()).get_json()["paid"] is True
    store.refund(session_id, 29000)
    status = store.client.get(url, headers=store.headers()).get_json()
    assert (status["status"], status["paid"]) == ("refunded", False)


def test_reconciliation_never_marks_the_order_of_a_fully_refunded_session_paid(
    store: ConnectedStore, queue: MemoryQueue, bridge_ctx: BridgeContext
) -> None:
    # Both webhooks lost: the payment and its full refund. Marking the order paid now would
    # ship an order whose money went back.
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id)
    store.refund(session_id, 29000)
    healing = dataclasses.replace(bridge_ctx, reconcile_after_seconds=0)
    reconcile_unpaid_orders(healing)
    queue.drain()
    assert store.double.order(order_id)["status"] == "pending"
    assert reconcile_unpaid_orders(healing) == 0  # and it does not keep trying
