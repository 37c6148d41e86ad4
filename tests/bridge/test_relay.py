"""Webhook relay: every outcome lands on the WooCommerce order once, never backwards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select, update

from app.db import Database
from app.jobs import sweep_expired_sessions
from app.models import CheckoutSession
from app.models.base import utcnow
from app.payments.payments import MAX_FAILED_ATTEMPTS
from bridge.context import BridgeContext
from bridge.mapping.order_plans import NOTES_META_KEY
from bridge.models import BridgeRefund, SyncTask
from bridge.sync import attempt_claimed, claim_tasks
from tests.app.checkout.checkout_helpers import pay
from tests.bridge.conftest import ConnectedStore
from tests.bridge.support import DECLINE, MemoryQueue, completed_data, signed_event

VA = {
    "bank": "국민은행",
    "bankCode": "004",
    "accountNumber": "12345678901234",
    "holder": "코리아체크아웃",
    "dueDate": "2026-01-04T14:59:00Z",
    "amount": 29000,
}


def deliver(
    store: ConnectedStore, event_type: str, data: dict[str, Any], event_id: str | None = None
) -> Any:
    body, headers, _ = signed_event(store.secret, event_type, data, event_id)
    return store.client.post(f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers)


def paid_session(
    store: ConnectedStore, products: list[tuple[int, int]] | None = None, **extra: str
) -> tuple[int, str, dict[str, Any]]:
    """An order whose session is paid at the core; returns its payment.completed data."""
    order_id = store.new_order(products)
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id, **extra)
    return order_id, session_id, store.event(session_id, "payment.completed")["data"]


def paid_order(
    store: ConnectedStore,
    queue: MemoryQueue,
    products: list[tuple[int, int]] | None = None,
    **extra: str,
) -> tuple[int, str, dict[str, Any]]:
    order_id, session_id, data = paid_session(store, products, **extra)
    assert deliver(store, "payment.completed", data).status_code == 200
    queue.drain()
    return order_id, session_id, data


def korea_notes(store: ConnectedStore, order_id: int) -> list[str]:
    return [n for n in store.double.note_texts(order_id) if n.startswith("[Korea Checkout]")]


def test_completed_marks_paid_with_meta_and_one_note(
    store: ConnectedStore, queue: MemoryQueue
) -> None:
    order_id, session_id, data = paid_order(store, queue, [(17, 2)], installmentMonths="3")
    order = store.double.order(order_id)
    assert order["status"] == "processing"
    assert order["transaction_id"] == data["gatewayTransactionId"]
    assert order["date_paid"] is not None
    meta = store.double.meta(order_id)
    assert meta["_korea_checkout_session_id"] == session_id
    assert meta["_korea_checkout_gateway"] == data["gateway"]
    assert meta["_korea_checkout_installment_months"] == "3"  # WordPress keeps text
    notes = korea_notes(store, order_id)
    assert len(notes) == 1
    assert "신용카드 3개월 할부" in notes[0]
    assert "58,000원" in notes[0]


def _order_requests(store: ConnectedStore, order_id: int, since: int) -> list[str]:
    return [
        f"{entry.method} {entry.path.split(f'/orders/{order_id}', 1)[1] or '/'}"
        for entry in store.double.request_log[since:]
        if f"/orders/{order_id}" in entry.path
    ]


def test_a_sync_claims_its_note_in_meta_instead_of_listing_notes(
    store: ConnectedStore, queue: MemoryQueue
) -> None:
    order_id, session_id, data = paid_session(store, [(17, 2)], installmentMonths="3")
    before = len(store.double.request_log)
    deliver(store, "payment.completed", data)
    queue.drain()
    # Read, one PUT (status, payment meta and the note claim), the note: no notes listing.
    assert _order_requests(store, order_id, before) == ["GET /", "PUT /", "POST /notes"]
    claims = store.double.meta(order_id)[NOTES_META_KEY]
    assert len(claims) == 1
    assert session_id in claims[0]
    # The same outcome again: the claim is there, so the notes are checked, nothing added;
    # the meta read back as text ("3") is ours, so no PUT either.
    before = len(store.double.request_log)
    deliver(store, "payment.completed", data)
    queue.drain()
    assert _order_requests(store, order_id, before) == ["GET /", "GET /notes"]
    assert len(korea_notes(store, order_id)) == 1


def test_a_claimed_note_that_never_landed_is_added_on_the_next_attempt(
    store: ConnectedStore, queue: MemoryQueue
) -> None:
    order_id, _session_id, data = paid_session(store)
    store.double.faults.fail_next(1, status=503, path_contains="/notes")
    deliver(store, "payment.completed", data)
    assert queue.drain(max_runs=1) == ["retrying"]
    assert store.double.order(order_id)["status"] == "processing"
    assert korea_notes(store, order_id) == []
    queue.drain(honour_delays=True, max_runs=5000)
    assert len(korea_notes(store, order_id)) == 1


def test_duplicate_event_is_stored_once_and_changes_nothing(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id, session_id, data = paid_session(store)
    first = deliver(store, "payment.completed", data, "evt_dup_" + session_id[-12:])
    again = deliver(store, "payment.completed", data, "evt_dup_" + session_id[-12:])
    assert first.get_json()["duplicate"] is False
    assert again.get_json()["duplicate"] is True
    queue.drain()
    notes_before = store.double.note_texts(order_id)
    # The same payment reported again under another event id (e.g. reconciliation).
    deliver(store, "payment.completed", data)
    queue.drain()
    assert store.double.note_texts(order_id) == notes_before
    with database.transaction() as db:
        tasks = db.scalars(select(SyncTask).where(SyncTask.session_id == session_id)).all()
    assert sorted(t.status for t in tasks) == ["skipped", "succeeded"]


def test_virtual_account_then_deposit(store: ConnectedStore, queue: MemoryQueue) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    store.pay(session_id, "virtual_account")
    issued = store.event(session_id, "virtual_account.issued")["data"]
    account = issued["virtualAccount"]
    deliver(store, "virtual_account.issued", issued)
    queue.drain()
    assert store.double.order(order_id)["status"] == "on-hold"
    va_note = [n for n in store.double.notes(order_id) if "가상계좌" in n.note]
    assert len(va_note) == 1
    assert va_note[0].customer_note is True
    assert account["accountNumber"] in va_note[0].note
    assert "(KST)" in va_note[0].note
    deposit = store.client.post(
        f"/api/sandbox/virtual-accounts/{session_id}/deposit", json={}, headers=store.headers()
    )
    assert deposit.status_code == 200, deposit.get_json()
    deliver(store, "payment.completed", store.event(session_id, "payment.completed")["data"])
    queue.drain()
    order = store.double.order(order_id)
    assert order["status"] == "processing"
    assert order["date_paid"] is not None


def test_late_failure_and_expiry_never_unpay(store: ConnectedStore, queue: MemoryQueue) -> None:
    order_id, _session_id, data = paid_order(store, queue)
    notes = store.double.note_texts(order_id)
    deliver(store, "payment.failed", {**data, "status": "failed", "failureCode": "card_declined"})
    deliver(store, "session.expired", {**data, "status": "expired"})
    deliver(store, "virtual_account.issued", {**data, "virtualAccount": VA})
    queue.drain()
    assert store.double.order(order_id)["status"] == "processing"
    assert store.double.note_texts(order_id) == notes


def test_failed_then_paid_out_of_order(store: ConnectedStore, queue: MemoryQueue) -> None:
    order_id, _session_id, data = paid_session(store)
    deliver(store, "payment.completed", data)
    deliver(store, "payment.failed", {**data, "status": "processing", "retryable": True})
    queue.drain()
    assert store.double.order(order_id)["status"] == "processing"


def test_terminal_failure_and_expiry(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    failed_id = store.new_order()
    failed_session = store.checkout(failed_id)["sessionId"]
    for _ in range(MAX_FAILED_ATTEMPTS):
        pay(store.client, failed_session, "card", choices=DECLINE)
    data = store.event(failed_session, "payment.failed")["data"]
    assert data["status"] == "failed"
    deliver(store, "payment.failed", data)
    queue.drain()
    assert store.double.order(failed_id)["status"] == "failed"
    assert any("사유" in n for n in korea_notes(store, failed_id))
    expired_id = store.new_order()
    expired_session = store.checkout(expired_id)["sessionId"]
    with database.transaction() as db:
        db.execute(
            update(CheckoutSession)
            .where(CheckoutSession.id == expired_session)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    assert sweep_expired_sessions(database) >= 1
    deliver(store, "session.expired", store.event(expired_session, "session.expired")["data"])
    queue.drain()
    assert store.double.order(expired_id)["status"] == "cancelled"


def test_refund_from_checkout_becomes_one_woocommerce_refund(
    store: ConnectedStore, queue: MemoryQueue
) -> None:
    order_id, session_id, _data = paid_order(store, queue)
    refund_id = store.refund(session_id, 10000)["refundId"]
    refund = store.event(session_id, "payment.refunded")["data"]
    deliver(store, "payment.refunded", refund)
    deliver(store, "payment.refunded", refund)  # redelivered under another id
    queue.drain()
    refunds = store.double.refunds(order_id)
    assert [r.amount for r in refunds] == [10000]
    assert refund_id in refunds[0].reason
    assert store.double.order(order_id)["status"] == "processing"
    logged = [
        e for e in store.double.request_log if e.path.endswith("/refunds") and e.method == "POST"
    ]
    assert all(e.body.get("api_refund") is False for e in logged)


def test_refund_started_in_woocommerce_is_not_recorded_twice(
    store: ConnectedStore, queue: MemoryQueue, client: FlaskClient
) -> None:
    order_id = store.new_order()
    session_id = store.checkout(order_id)["sessionId"]
    # Pay for real through the API's sandbox so the refund API has something to refund.
    store.pay(session_id)
    queue.drain()
    wc_refund = store.double.seed_refund(order_id, "5000", "부분 환불")
    response = client.post(
        f"/bridge/v1/orders/{order_id}/refunds",
        json={"wcRefundId": wc_refund.id, "amount": 5000, "reason": "부분 환불"},
        headers=store.headers(),
    )
    assert response.status_code == 201, response.get_json()
    refund_id = response.get_json()["refundId"]
    replay = client.post(
        f"/bridge/v1/orders/{order_id}/refunds",
        json={"wcRefundId": wc_refund.id, "amount": 5000, "reason": "부분 환불"},
        headers=store.headers(),
    )
    assert replay.status_code == 200
    assert replay.get_json()["refundId"] == refund_id
    deliver(
        store,
        "payment.refunded",
        {
            **completed_data(session_id, order_id, 29000),
            "refundId": refund_id,
            "amount": 5000,
            "refundedAmount": 5000,
            "remainingAmount": 24000,
        },
    )
    queue.drain()
    assert [r.amount for r in store.double.refunds(order_id)] == [5000]
    status = client.get(f"/bridge/v1/orders/{order_id}", headers=store.headers()).get_json()
    assert status["status"] == "partially_refunded"
    assert status["refundedAmount"] == 5000


def test_bad_signature_is_refused_and_stores_nothing(
    store: ConnectedStore, queue: MemoryQueue
) -> None:
    order_id = store.new_order()
    body, headers, _ = signed_event(
        "whsec_" + "A" * 44, "payment.completed", completed_data("cs_x", order_id, 1)
    )
    response = store.client.post(
        f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_signature"
    assert not queue.queued


def test_store_down_then_back_retries_until_it_lands(
    store: ConnectedStore, queue: MemoryQueue
) -> None:
    order_id, _session_id, data = paid_session(store)
    store.double.go_down()
    deliver(store, "payment.completed", data)
    assert queue.drain(max_runs=1) == ["retrying"]
    store.double.come_back()
    store.double.faults.fail_next(1, 503)
    queue.drain(honour_delays=True, max_runs=5000)
    assert store.double.order(order_id)["status"] == "processing"
    assert len(korea_notes(store, order_id)) == 1


def test_permanent_error_fails_with_reason(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id, session_id, data = paid_session(store)
    store.double.faults.fail_next(
        1,
        404,
        body={"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID."},
        path_contains=f"orders/{order_id}",
    )
    deliver(store, "payment.completed", data)
    assert queue.drain() == ["failed"]
    with database.transaction() as db:
        task = db.scalars(
            select(SyncTask).where(
                SyncTask.session_id == session_id, SyncTask.store_id == store.store_id
            )
        ).one()
    assert task.status == "failed"
    assert "404" in (task.last_error or "")


def test_timeline_shows_events_and_syncs(
    store: ConnectedStore, queue: MemoryQueue, client: FlaskClient
) -> None:
    order_id, _, _ = paid_order(store, queue)
    rows = client.get(f"/bridge/v1/orders/{order_id}/timeline", headers=store.headers()).get_json()[
        "data"
    ]
    assert rows[0]["type"] == "event"
    assert rows[0]["event"] == "payment.completed"
    actions = [row["action"] for row in rows if row["type"] == "sync"]
    assert any(a.startswith("update_order PUT") for a in actions)
    assert all(row.get("httpStatus") in (200, 201, None) for row in rows)


def _interrupted_plugin_refund(
    database: Database, store: ConnectedStore, order_id: int, wc_refund_id: int, age: timedelta
) -> int:
    """The row a plugin refund leaves when the process dies between the API refund and
    saving its outcome."""
    then = utcnow() - age
    with database.transaction() as db:
        row = BridgeRefund(
            store_id=store.store_id,
            wc_order_id=order_id,
            wc_refund_id=wc_refund_id,
            core_refund_id=None,
            origin="woocommerce",
            amount=5000,
            status="requesting",
            response=None,
            created_at=then,
            updated_at=then,
        )
        db.add(row)
        db.flush()
        return row.id


def _refunded(store: ConnectedStore, session_id: str) -> dict[str, Any]:
    """A 5,000-won refund made through the API (as the plugin's refund call makes it) and
    the data of its payment.refunded event."""
    store.refund(session_id, 5000, "부분 환불")
    return dict(store.event(session_id, "payment.refunded")["data"])


def test_interrupted_plugin_refund_whose_record_woocommerce_kept_is_not_doubled(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id, session_id, _data = paid_order(store, queue)
    kept = store.double.seed_refund(order_id, "5000", "부분 환불")
    row_id = _interrupted_plugin_refund(database, store, order_id, kept.id, timedelta(hours=1))
    refunded = _refunded(store, session_id)
    deliver(store, "payment.refunded", refunded)
    assert queue.drain() == ["skipped"]
    assert [r.amount for r in store.double.refunds(order_id)] == [5000]
    with database.transaction() as db:
        row = db.get(BridgeRefund, row_id)
        assert row is not None
        assert (row.status, row.core_refund_id) == ("succeeded", refunded["refundId"])


def test_interrupted_plugin_refund_whose_record_woocommerce_dropped_is_recorded(
    store: ConnectedStore, queue: MemoryQueue, database: Database
) -> None:
    order_id, session_id, _data = paid_order(store, queue)
    # WooCommerce deletes its refund record when the gateway call fails: id 987654 is gone.
    row_id = _interrupted_plugin_refund(database, store, order_id, 987654, timedelta(hours=1))
    refunded = _refunded(store, session_id)
    deliver(store, "payment.refunded", refunded)
    assert queue.drain() == ["succeeded"]
    refunds = store.double.refunds(order_id)
    assert [r.amount for r in refunds] == [5000]
    assert refunded["refundId"] in refunds[0].reason
    with database.transaction() as db:
        row = db.get(BridgeRefund, row_id)
        assert row is not None
        assert row.status == "failed"


def test_a_plugin_refund_in_flight_waits_without_pausing_the_store(
    store: ConnectedStore, queue: MemoryQueue, database: Database, bridge_ctx: BridgeContext
) -> None:
    order_id, session_id, _data = paid_order(store, queue)
    kept = store.double.seed_refund(order_id, "5000", "부분 환불")
    _interrupted_plugin_refund(database, store, order_id, kept.id, timedelta(seconds=5))
    deliver(store, "payment.refunded", _refunded(store, session_id))
    assert queue.drain(max_runs=1) == ["retrying"]
    assert [r.amount for r in store.double.refunds(order_id)] == [5000]
    assert not bridge_ctx.redis.exists(bridge_ctx.key("backoff", store.store_id))
    queue.queued.clear()  # its retry is scheduled 20-40 s out
    other_id, _other_session, _ = paid_order(store, queue)  # the store is not held back
    assert store.double.order(other_id)["status"] == "processing"


def test_an_attempt_that_outlived_its_lease_does_not_overwrite_the_next_one(
    store: ConnectedStore, queue: MemoryQueue, bridge_ctx: BridgeContext
) -> None:
    _, _, data = paid_session(store)
    assert deliver(store, "payment.completed", data).status_code == 200
    task_id, _ = queue.queued.popleft()
    now = utcnow()
    (late,) = claim_tasks(bridge_ctx, [task_id], now)
    later = now + timedelta(seconds=bridge_ctx.task_lease_seconds + 1)
    (current,) = claim_tasks(bridge_ctx, [task_id], later)  # the first lease ran out
    assert attempt_claimed(bridge_ctx, late) == "done"  # its outcome is not written
    with bridge_ctx.database.transaction() as db:
        row = db.get_one(SyncTask, task_id)
        assert (row.status, row.attempts) == ("pending", 2)
    assert attempt_claimed(bridge_ctx, current) in ("succeeded", "skipped")
    with bridge_ctx.database.transaction() as db:
        assert db.get_one(SyncTask, task_id).status in ("succeeded", "skipped")
