"""The sync log: one row per WooCommerce request or sync decision, and the order timeline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models.base import utcnow
from bridge.masking import mask_value
from bridge.models import SYNC_LOG, BridgeEvent, SyncLogEntry, SyncTask
from bridge.woo_client import WooCall

TIMELINE_LIMIT = 500


def record_calls(
    db: Session,
    calls: Iterable[WooCall],
    *,
    store_id: str,
    attempt: int,
    task: SyncTask | None = None,
    outcome_of_last: str | None = None,
    message_of_last: str | None = None,
) -> None:
    calls = list(calls)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for index, call in enumerate(calls):
        last = index == len(calls) - 1
        ok = call.http_status is not None and call.http_status < 300
        outcome = (outcome_of_last if last and outcome_of_last else None) or (
            "succeeded" if ok else "error"
        )
        message = message_of_last if last and message_of_last else call.error
        rows.append(
            {
                **_task_columns(store_id, task),
                "action": f"{call.action} {call.method} {call.path}"[:48],
                "outcome": outcome,
                "http_status": call.http_status,
                "latency_ms": call.latency_ms,
                "attempt": attempt,
                "message": mask_value(message) if message else None,
                "request_excerpt": call.request_excerpt,
                "response_excerpt": call.response_excerpt,
                "created_at": now,
            }
        )
    if rows:
        # One multi-row INSERT, not an ORM flush per entry.
        db.execute(insert(SYNC_LOG), rows)


def record_decision(db: Session, task: SyncTask, outcome: str, message: str, attempt: int) -> None:
    _insert_decision(db, _task_columns(task.store_id, task), task.action, outcome, message, attempt)


def record_ignored_event(
    db: Session,
    *,
    store_id: str,
    wc_order_id: int | None,
    session_id: str | None,
    event_id: str,
    action: str,
    reason: str,
) -> None:
    """A verified event that must not touch WooCommerce: logged, no task."""
    columns = {
        "store_id": store_id,
        "wc_order_id": wc_order_id,
        "session_id": session_id,
        "event_id": event_id,
        "task_id": None,
    }
    _insert_decision(db, columns, action, "ignored", f"ignored: {reason}", 0)


def _insert_decision(
    db: Session, columns: dict[str, Any], action: str, outcome: str, message: str, attempt: int
) -> None:
    row = {
        **columns,
        "action": action,
        "outcome": outcome,
        "attempt": attempt,
        "message": mask_value(message)[:2000],
        "created_at": utcnow(),
    }
    db.execute(insert(SYNC_LOG), [row])


def _task_columns(store_id: str, task: SyncTask | None) -> dict[str, Any]:
    return {
        "store_id": store_id,
        "wc_order_id": task.wc_order_id if task else None,
        "session_id": task.session_id if task else None,
        "event_id": task.event_id if task else None,
        "task_id": task.id if task else None,
    }


def order_timeline(db: Session, store_id: str, wc_order_id: int) -> list[dict[str, Any]]:
    events = db.scalars(
        select(BridgeEvent)
        .where(BridgeEvent.store_id == store_id, BridgeEvent.wc_order_id == wc_order_id)
        .order_by(BridgeEvent.received_at, BridgeEvent.id)
        .limit(TIMELINE_LIMIT)
    )
    entries = db.scalars(
        select(SyncLogEntry)
        .where(SyncLogEntry.store_id == store_id, SyncLogEntry.wc_order_id == wc_order_id)
        .order_by(SyncLogEntry.created_at, SyncLogEntry.id)
        .limit(TIMELINE_LIMIT)
    )
    rows: list[dict[str, Any]] = [
        {
            "type": "event",
            "at": _z(event.received_at),
            "eventId": event.event_id,
            "event": event.type,
            "sessionId": event.session_id,
        }
        for event in events
    ]
    rows += [
        {
            "type": "sync",
            "at": _z(entry.created_at),
            "eventId": entry.event_id,
            "sessionId": entry.session_id,
            "taskId": entry.task_id,
            "action": entry.action,
            "outcome": entry.outcome,
            "httpStatus": entry.http_status,
            "latencyMs": entry.latency_ms,
            "attempt": entry.attempt,
            "message": entry.message,
        }
        for entry in entries
    ]
    rows.sort(key=lambda row: row["at"])
    return rows


def _z(moment: Any) -> str:
    return str(moment.isoformat()).replace("+00:00", "Z")
