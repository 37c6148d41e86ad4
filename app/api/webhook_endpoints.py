"""Webhook endpoints API: a receiver registers its URL and gets its own signing secret."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from app.api.auth import current_tenant
from app.api.body import json_body
from app.crypto import SecretBox
from app.models.base import utcnow
from app.web_db import db_session
from app.webhooks.endpoints import endpoint_dict, register_endpoint

bp = Blueprint("webhook_endpoints", __name__)


@bp.post("/webhook-endpoints")
def register() -> Response:
    box: SecretBox = current_app.extensions["kc.secret_box"]
    endpoint, secret = register_endpoint(db_session(), box, current_tenant(), json_body(), utcnow())
    return jsonify({"success": True, "data": endpoint_dict(endpoint, secret)})
