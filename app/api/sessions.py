"""Sessions API: the routes of the reference document's "Sessions API" section."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from app.api.auth import current_tenant
from app.api.body import json_body
from app.api.query import limit_param
from app.models import CheckoutSession
from app.models.base import utcnow
from app.payments import sessions as service
from app.payments.checkout_links import CheckoutLinks
from app.payments.errors import InvalidRequest
from app.payments.inputs import AddressUpdate, CreateSessionRequest, UpdateSessionRequest
from app.payments.representation import session_to_dict
from app.payments.status import SessionStatus
from app.payments.timefmt import isoformat_z
from app.payments.validation import parse
from app.web_db import db_session

bp = Blueprint("sessions", __name__)
PUBLIC_ENDPOINTS = frozenset({"api.sessions.update_address"})


def checkout_links() -> CheckoutLinks:
    links: CheckoutLinks = current_app.extensions["kc.checkout_links"]
    return links


def _session_response(session: CheckoutSession, status: int = 200) -> Response:
    response = jsonify({"success": True, "data": session_to_dict(session, checkout_links())})
    response.status_code = status
    return response


@bp.post("/checkout/create-session")
def create_session() -> Response:
    tenant = current_tenant()
    body = parse(CreateSessionRequest, json_body(), {"mode": tenant.mode})
    session = service.create_session(db_session(), tenant, body, utcnow())
    response = jsonify(
        {
            "success": True,
            "sessionId": session.id,
            "checkoutUrl": checkout_links().shopper_url(session.id),
            "expiresAt": isoformat_z(session.expires_at),
        }
    )
    response.status_code = 201
    return response


@bp.get("/checkout/session/<session_id>")
def get_session(session_id: str) -> Response:
    return _session_response(
        service.get_session(db_session(), current_tenant(), session_id, utcnow())
    )


@bp.patch("/checkout/session/<session_id>")
def update_session(session_id: str) -> Response:
    tenant = current_tenant()
    body = parse(UpdateSessionRequest, json_body(), {"mode": tenant.mode})
    return _session_response(
        service.update_session(db_session(), tenant, session_id, body, utcnow())
    )


@bp.patch("/checkout/session/<session_id>/address")
def update_address(session_id: str) -> Response:
    """Key-less as the reference document shows, so only while the session is pending."""
    body = parse(AddressUpdate, json_body())
    session = service.update_address(db_session(), session_id, body, utcnow())
    return jsonify({"success": True, "data": {"sessionId": session.id, "address": session.address}})


@bp.post("/checkout/session/<session_id>/cancel")
def cancel_session(session_id: str) -> Response:
    json_body(required=False)
    return _session_response(
        service.cancel_session(db_session(), current_tenant(), session_id, utcnow())
    )


def _query_status() -> SessionStatus | None:
    value = request.args.get("status")
    if value is None:
        return None
    try:
        return SessionStatus(value)
    except ValueError as exc:
        raise InvalidRequest(
            f"status must be one of {', '.join(SessionStatus)}",
            code="invalid_value",
            details={"field": "status"},
        ) from exc


@bp.get("/checkout/sessions")
def list_sessions() -> Response:
    page = service.list_sessions(
        db_session(),
        current_tenant(),
        status=_query_status(),
        platform_order_id=request.args.get("platformOrderId"),
        limit=limit_param(),
        cursor=request.args.get("cursor"),
    )
    body: dict[str, Any] = {
        "success": True,
        "data": [session_to_dict(session, checkout_links()) for session in page.sessions],
        "hasMore": page.next_cursor is not None,
        "nextCursor": page.next_cursor,
    }
    return jsonify(body)
