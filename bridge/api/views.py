"""The /bridge/v1 blueprint: thin views over the bridge services."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from app.api.errors import error_response
from app.payments.errors import InvalidRequest
from bridge.context import BridgeContext
from bridge.core_client import CoreApiError, CoreUnavailable
from bridge.errors import OrderNotLinked
from bridge.models import BridgeStore
from bridge.orders import create_order_session
from bridge.receiver import receive_webhook
from bridge.reverse import MAX_ID, cancel_order, order_status, refund_order
from bridge.stores import (
    connect_store,
    disconnect_store,
    store_dict,
    store_for_key,
)
from bridge.sync_log import order_timeline

bp = Blueprint("bridge", __name__, url_prefix="/bridge/v1")
API_KEY_HEADER = "x-api-key"


def _ctx() -> BridgeContext:
    ctx: BridgeContext = current_app.extensions["bridge"]
    return ctx


def _api_key() -> str:
    return request.headers.get(API_KEY_HEADER, "")


def _store() -> BridgeStore:
    return store_for_key(_ctx(), _api_key())


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidRequest("Send a JSON object", code="invalid_json")
    return body


def _order_id(order_id: int) -> int:
    """Order ids the bridge can store (BIGINT); any other cannot be linked: 404."""
    if not 1 <= order_id <= MAX_ID:
        raise OrderNotLinked(order_id)
    return order_id


def _created(payload: dict[str, Any]) -> Response:
    response = jsonify(payload)
    response.status_code = 201
    return response


@bp.errorhandler(CoreApiError)
def _core_error(error: CoreApiError) -> Response:
    # The API's own answer, passed through: the plugin sees the documented codes.
    return error_response(error.status, error.code, error.message, error.details)


@bp.errorhandler(CoreUnavailable)
def _core_unavailable(_error: CoreUnavailable) -> Response:
    return error_response(502, "checkout_api_unavailable", "The checkout API could not be reached")


@bp.post("/stores/connect")
def connect() -> Response:
    ctx = _ctx()
    store = connect_store(ctx, _api_key(), request.get_json(silent=True))
    return _created({"success": True, "data": store_dict(ctx, store)})


@bp.get("/stores/current")
def current_store() -> Response:
    return jsonify({"success": True, "data": store_dict(_ctx(), _store())})


@bp.post("/stores/disconnect")
def disconnect() -> Response:
    ctx = _ctx()
    store = disconnect_store(ctx, _store().id)
    return jsonify({"success": True, "data": store_dict(ctx, store)})


@bp.post("/orders")
def create_order() -> Response:
    ctx = _ctx()
    answer = create_order_session(ctx, _store(), _body())
    return jsonify(answer) if answer["reused"] else _created(answer)


@bp.get("/orders/<int:order_id>")
def get_order(order_id: int) -> Response:
    return jsonify(order_status(_ctx(), _store(), _order_id(order_id)))


@bp.post("/orders/<int:order_id>/refunds")
def refund(order_id: int) -> Response:
    answer = refund_order(_ctx(), _store(), _order_id(order_id), _body())
    return jsonify(answer) if answer["replayed"] else _created(answer)


@bp.post("/orders/<int:order_id>/cancel")
def cancel(order_id: int) -> Response:
    return jsonify(cancel_order(_ctx(), _store(), _order_id(order_id)))


@bp.get("/orders/<int:order_id>/timeline")
def timeline(order_id: int) -> Response:
    ctx = _ctx()
    store = _store()
    order_id = _order_id(order_id)
    with ctx.database.transaction() as db:
        rows = order_timeline(db, store.id, order_id)
    return jsonify({"success": True, "orderId": order_id, "data": rows})


@bp.post("/webhooks/<store_id>")
def webhook(store_id: str) -> Response:
    receipt = receive_webhook(_ctx(), store_id, request.get_data(), dict(request.headers))
    return jsonify({"received": True, "eventId": receipt.event_id, "duplicate": receipt.duplicate})
