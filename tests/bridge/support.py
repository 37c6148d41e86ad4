"""Shared helpers of the bridge tests: WooCommerce orders, signed webhooks, an in-memory queue."""

from __future__ import annotations

import json
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient

from app.models.base import utcnow
from app.webhooks.signing import build_signature_headers
from bridge import limits
from bridge.context import BridgeContext
from bridge.models import SyncTask
from bridge.sync import acquire_guard, attempt_claimed, claim_tasks

BILLING = {
    "first_name": "길동",
    "last_name": "홍",
    "email": "customer@example.com",
    "phone": "010-1234-5678",
    "address_1": "서울특별시 강남구 테헤란로 123",
    "address_2": "4층",
    "city": "서울특별시",
    "postcode": "06236",
    "country": "KR",
}


def order_body(products: list[tuple[int, int]], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "currency": "KRW",
        "billing": BILLING,
        "shipping": {k: v for k, v in BILLING.items() if k not in ("email", "phone")},
        "line_items": [{"product_id": p, "quantity": q} for p, q in products],
    }
    body.update(extra)
    return body


@dataclass
class MemoryQueue:
    """Stands in for RQ in unit tests: `drain` runs every queued task, in order."""

    ctx: BridgeContext
    queued: deque[tuple[str, datetime | None]] = field(default_factory=deque)
    outcomes: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, task_id: str, when: datetime | None) -> None:
        self.queued.append((task_id, when))

    def drain(self, *, max_runs: int = 200, honour_delays: bool = False) -> list[str]:
        results = []
        runs = 0
        while self.queued and runs < max_runs:
            task_id, when = self.queued.popleft()
            if honour_delays and when is not None and when > utcnow():
                self.queued.append((task_id, when))
                time.sleep(0.01)  # waiting for a scheduled retry to come due, with a bound
                runs += 1
                continue
            outcome = run_now(self.ctx, task_id)
            self.outcomes.append((task_id, outcome))
            results.append(outcome)
            runs += 1
        return results


def run_now(ctx: BridgeContext, task_id: str) -> str:
    """One task in this thread, as a drain runs it: guarded, claimed, attempted. Queued
    again ("deferred") while its store or order guard is taken; "done" when not pending."""
    with ctx.database.transaction() as db:
        task = db.get(SyncTask, task_id)
        if task is None or task.status != "pending":
            return "done"
        store_id, order_id = task.store_id, task.wc_order_id
    try:
        guard = acquire_guard(ctx, store_id, order_id)
    except limits.GuardBusy:
        ctx.enqueue(task_id, None)
        return "deferred"
    try:
        claimed = claim_tasks(ctx, [task_id], utcnow())
        return attempt_claimed(ctx, claimed[0]) if claimed else "done"
    finally:
        guard.release()


def signed_event(
    secret: str, event_type: str, data: dict[str, Any], event_id: str | None = None
) -> tuple[bytes, dict[str, str], str]:
    event_id = event_id or f"evt_{secrets.token_hex(16)}"
    body = json.dumps(
        {"id": event_id, "event": event_type, "createdAt": "2026-01-01T00:00:00Z", "data": data},
        ensure_ascii=False,
    ).encode()
    headers = build_signature_headers(event_id, body, int(time.time()), [secret])
    headers["Content-Type"] = "application/json"
    return body, headers, event_id


def completed_data(session_id: str, order_id: int, total: int, **extra: Any) -> dict[str, Any]:
    data = {
        "sessionId": session_id,
        "platformOrderId": str(order_id),
        "status": "completed",
        "totalAmount": total,
        "currency": "KRW",
        "paymentMethod": "card",
        "gateway": "toss",
        "gatewayTransactionId": f"toss_tx_{secrets.token_hex(4)}",
        "installmentMonths": 3,
        "paidAmount": total,
        "customer": {"name": "홍길동", "email": "customer@example.com"},
    }
    data.update(extra)
    return data


APPROVE = {"card_number": "4330-0000-0000-0001", "action": "approve"}
DECLINE = {"card_number": "4330-0000-0000-0002"}


def core_event(
    client: FlaskClient, headers: dict[str, str], session_id: str, event_type: str
) -> dict[str, Any]:
    """The latest event of this type the core recorded for the session (as delivered)."""
    response = client.get(
        "/api/events", query_string={"sessionId": session_id, "event": event_type}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    events: list[dict[str, Any]] = response.get_json()["data"]
    assert events, f"no {event_type} event for {session_id}"
    return events[0]
