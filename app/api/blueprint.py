"""The /api blueprint: authentication and idempotency in front of every resource."""

from __future__ import annotations

from flask import Blueprint, Response, request

from app.api import events, idempotency, refunds, sandbox, sessions, shops, webhook_endpoints
from app.api.auth import require_tenant

PUBLIC_ENDPOINTS = sessions.PUBLIC_ENDPOINTS


def _before() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    tenant = require_tenant()
    return idempotency.begin(tenant)


def _allow_cross_origin(response: Response) -> Response:
    """Customer-facing calls may come from a merchant's own page (the reference document's
    address example does): any origin, no credentials, since the session id authorises."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "PATCH, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def build_api_blueprint() -> Blueprint:
    api = Blueprint("api", __name__, url_prefix="/api")
    api.before_request(_before)
    api.after_request(_allow_cross_origin)
    api.register_blueprint(sessions.bp)
    api.register_blueprint(refunds.bp)
    api.register_blueprint(sandbox.bp)
    api.register_blueprint(events.bp)
    api.register_blueprint(shops.bp)
    api.register_blueprint(webhook_endpoints.bp)
    return api
