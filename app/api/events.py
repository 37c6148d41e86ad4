"""Events API: the account's events, their deliveries, and redelivery on demand."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select

from app.api.auth import current_tenant
from app.api.body import json_body
from app.api.query import limit_param
from app.models import DeliveryAttempt, Event, EventDelivery, WebhookEndpoint
from app.models.base import utcnow
from app.payments import events as service
from app.payments.cursors import decode_cursor, encode_cursor
from app.payments.timefmt import isoformat_z
from app.web_db import db_session
from app.webhooks.payload import event_body

bp = Blueprint("events", __name__)


def _attempt_logs(delivery_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    attempts = db_session().scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id.in_(delivery_ids))
        .order_by(DeliveryAttempt.attempt_number)
    )
    logs: dict[str, list[dict[str, Any]]] = {i: [] for i in delivery_ids}
    for a in attempts:
        logs[a.delivery_id].append(
            {
                "attempt": a.attempt_number,
                "startedAt": isoformat_z(a.started_at),
                "durationMs": a.duration_ms,
                "statusCode": a.status_code,
                "outcome": a.outcome,
                "responseExcerpt": a.response_excerpt,
                "error": a.error,
            }
        )
    return logs


def _delivery_dict(delivery: EventDelivery, endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "url": endpoint.url,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "nextAttemptAt": isoformat_z(delivery.next_attempt_at),
        "deliveredAt": isoformat_z(delivery.delivered_at),
        "lastStatusCode": delivery.last_status_code,
        "lastError": delivery.last_error,
    }


def _event_dicts(events: list[Event], *, with_attempts: bool = False) -> list[dict[str, Any]]:
    """A page of events with their deliveries: a fixed number of queries, not one per row."""
    deliveries = service.deliveries_by_event(db_session(), [e.id for e in events])
    logs = (
        _attempt_logs([d.id for pairs in deliveries.values() for d, _ in pairs])
        if with_attempts
        else {}
    )
    result = []
    for event in events:
        items = []
        for delivery, endpoint in deliveries[event.id]:
            item = _delivery_dict(delivery, endpoint)
            if with_attempts:
                item["attemptLog"] = logs[delivery.id]
            items.append(item)
        result.append({**event_body(event), "sessionId": event.session_id, "deliveries": items})
    return result


@bp.get("/events")
def list_events() -> Response:
    limit = limit_param()
    cursor = request.args.get("cursor")
    rows = service.list_events(
        db_session(),
        current_tenant(),
        event_type=request.args.get("event"),
        session_id=request.args.get("sessionId"),
        limit=limit + 1,
        before=decode_cursor(cursor) if cursor else None,
    )
    page, more = rows[:limit], len(rows) > limit
    return jsonify(
        {
            "success": True,
            "data": _event_dicts(page),
            "hasMore": more,
            "nextCursor": encode_cursor(page[-1].created_at, page[-1].id) if more else None,
        }
    )


@bp.get("/events/<event_id>")
def get_event(event_id: str) -> Response:
    event = service.get_event(db_session(), current_tenant(), event_id)
    return jsonify({"success": True, "data": _event_dicts([event], with_attempts=True)[0]})


@bp.post("/events/<event_id>/redeliver")
def redeliver_event(event_id: str) -> Response:
    json_body(required=False)
    event = service.redeliver_event(db_session(), current_tenant(), event_id, utcnow())
    db_session().flush()
    response = jsonify({"success": True, "data": _event_dicts([event])[0]})
    response.status_code = 202
    return response
