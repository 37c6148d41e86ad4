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


def _delivery_dict(delivery: EventDelivery, with_attempts: bool) -> dict[str, Any]:
    db = db_session()
    endpoint = db.get_one(WebhookEndpoint, delivery.endpoint_id)
    body: dict[str, Any] = {
        "id": delivery.id,
        "url": endpoint.url,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "nextAttemptAt": isoformat_z(delivery.next_attempt_at),
        "deliveredAt": isoformat_z(delivery.delivered_at),
        "lastStatusCode": delivery.last_status_code,
        "lastError": delivery.last_error,
    }
    if with_attempts:
        attempts = db.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery.id)
            .order_by(DeliveryAttempt.attempt_number)
        )
        body["attemptLog"] = [
            {
                "attempt": a.attempt_number,
                "startedAt": isoformat_z(a.started_at),
                "durationMs": a.duration_ms,
                "statusCode": a.status_code,
                "outcome": a.outcome,
                "responseExcerpt": a.response_excerpt,
                "error": a.error,
            }
            for a in attempts
        ]
    return body


def _event_dict(event: Event, *, with_attempts: bool = False) -> dict[str, Any]:
    deliveries = service.deliveries_of(db_session(), event)
    return {
        **event_body(event),
        "sessionId": event.session_id,
        "deliveries": [_delivery_dict(d, with_attempts) for d in deliveries],
    }


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
            "data": [_event_dict(event) for event in page],
            "hasMore": more,
            "nextCursor": encode_cursor(page[-1].created_at, page[-1].id) if more else None,
        }
    )


@bp.get("/events/<event_id>")
def get_event(event_id: str) -> Response:
    event = service.get_event(db_session(), current_tenant(), event_id)
    return jsonify({"success": True, "data": _event_dict(event, with_attempts=True)})


@bp.post("/events/<event_id>/redeliver")
def redeliver_event(event_id: str) -> Response:
    json_body(required=False)
    event = service.redeliver_event(db_session(), current_tenant(), event_id, utcnow())
    db_session().flush()
    response = jsonify({"success": True, "data": _event_dict(event)})
    response.status_code = 202
    return response
