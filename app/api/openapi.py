"""OpenAPI 3.1 document built from the request and response pydantic models, and a docs page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from app.api import responses as out
from app.payments import inputs, refund_inputs, shop_inputs
from app.webhooks import endpoints

bp = Blueprint("openapi", __name__, template_folder="templates")

REQUEST_MODELS: list[type[BaseModel]] = [
    inputs.CreateSessionRequest,
    inputs.UpdateSessionRequest,
    inputs.AddressUpdate,
    refund_inputs.RefundBody,
    refund_inputs.SandboxDepositBody,
    shop_inputs.CreateShopRequest,
    shop_inputs.UpdateShopRequest,
    endpoints.RegisterEndpointRequest,
]
RESPONSE_MODELS: list[type[BaseModel]] = [
    out.ErrorResponse,
    out.CreateSessionResponse,
    out.SessionResponse,
    out.SessionListResponse,
    out.AddressResponse,
    out.HealthResponse,
    out.RefundResponse,
    out.ShopResponse,
    out.ShopListResponse,
    out.WebhookSecretResponse,
    out.WebhookEndpointResponse,
    out.EventResponse,
    out.EventListResponse,
]
SHOP_ID = {"name": "shopId", "in": "path", "required": True, "schema": {"type": "string"}}
EVENT_ID = {"name": "eventId", "in": "path", "required": True, "schema": {"type": "string"}}
SESSION_ID = {"name": "sessionId", "in": "path", "required": True, "schema": {"type": "string"}}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Replays the first response for 24 h; another body with it is a 409.",
    "schema": {"type": "string", "maxLength": 255},
}
ERRORS = {
    str(code): {"$ref": f"#/components/responses/Error{code}"}
    for code in (400, 401, 404, 409, 429, 500)
}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _operation(
    summary: str,
    response: type[BaseModel],
    *,
    status: str = "200",
    body: type[BaseModel] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    public: bool = False,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": parameters or [],
        "responses": {status: _json(response, summary), **ERRORS},
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(body)}},
        }
    if public:
        operation["security"] = []
    return operation


def _paths() -> dict[str, Any]:
    query = [
        {"name": "status", "in": "query", "schema": {"type": "string"}},
        {"name": "platformOrderId", "in": "query", "schema": {"type": "string"}},
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 100},
        },
        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
    ]
    return {
        "/api/checkout/create-session": {
            "post": _operation(
                "Create a checkout session",
                out.CreateSessionResponse,
                status="201",
                body=inputs.CreateSessionRequest,
                parameters=[IDEMPOTENCY_KEY],
            ),
        },
        "/api/checkout/session/{sessionId}": {
            "get": _operation("Get a session", out.SessionResponse, parameters=[SESSION_ID]),
            "patch": _operation(
                "Update a pending session's customer and metadata",
                out.SessionResponse,
                body=inputs.UpdateSessionRequest,
                parameters=[SESSION_ID],
            ),
        },
        "/api/checkout/session/{sessionId}/address": {
            "patch": _operation(
                "Set the shipping address (customer-facing, no API key)",
                out.AddressResponse,
                body=inputs.AddressUpdate,
                parameters=[SESSION_ID],
                public=True,
            ),
        },
        "/api/checkout/session/{sessionId}/cancel": {
            "post": _operation(
                "Cancel an open session",
                out.SessionResponse,
                parameters=[SESSION_ID, IDEMPOTENCY_KEY],
            ),
        },
        "/api/checkout/session/{sessionId}/refund": {
            "post": _operation(
                "Refund a completed session, fully or partly, through its gateway",
                out.RefundResponse,
                status="201",
                body=refund_inputs.RefundBody,
                parameters=[SESSION_ID, IDEMPOTENCY_KEY],
            ),
        },
        "/api/sandbox/virtual-accounts/{sessionId}/deposit": {
            "post": _operation(
                "Sandbox keys only: deposit into the session's virtual account",
                out.SessionResponse,
                body=refund_inputs.SandboxDepositBody,
                parameters=[SESSION_ID, IDEMPOTENCY_KEY],
            ),
        },
        "/api/checkout/sessions": {
            "get": _operation(
                "List sessions, newest first", out.SessionListResponse, parameters=query
            ),
        },
        "/api/shops": {
            "get": _operation(
                "List shops (the default shop is made on first look)", out.ShopListResponse
            ),
            "post": _operation(
                "Create a shop",
                out.ShopResponse,
                status="201",
                body=shop_inputs.CreateShopRequest,
                parameters=[IDEMPOTENCY_KEY],
            ),
        },
        "/api/shops/{shopId}": {
            "get": _operation("Get a shop", out.ShopResponse, parameters=[SHOP_ID]),
            "patch": _operation(
                "Update a shop's profile and settings",
                out.ShopResponse,
                body=shop_inputs.UpdateShopRequest,
                parameters=[SHOP_ID],
            ),
        },
        "/api/shops/{shopId}/webhook-secret": {
            "get": _operation(
                "The shop's current webhook signing secret",
                out.WebhookSecretResponse,
                parameters=[SHOP_ID],
            ),
        },
        "/api/shops/{shopId}/webhook-secret/rotate": {
            "post": _operation(
                "Rotate the secret; the old one keeps signing for 24 h",
                out.WebhookSecretResponse,
                parameters=[SHOP_ID],
            ),
        },
        "/api/webhook-endpoints": {
            "post": _operation(
                "Register a webhook endpoint: its deliveries are signed with its own secret "
                "(the same one on every registration) instead of the shop's",
                out.WebhookEndpointResponse,
                body=endpoints.RegisterEndpointRequest,
            ),
        },
        "/api/events": {
            "get": _operation(
                "List events, newest first",
                out.EventListResponse,
                parameters=[
                    {"name": "event", "in": "query", "schema": {"type": "string"}},
                    {"name": "sessionId", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                ],
            ),
        },
        "/api/events/{eventId}": {
            "get": _operation(
                "Get an event with its deliveries and attempt log",
                out.EventResponse,
                parameters=[EVENT_ID],
            ),
        },
        "/api/events/{eventId}/redeliver": {
            "post": _operation(
                "Deliver the event again with a fresh retry schedule",
                out.EventResponse,
                status="202",
                parameters=[EVENT_ID],
            ),
        },
        "/healthz": {"get": _operation("Process is alive", out.HealthResponse, public=True)},
        "/readyz": {
            "get": _operation("Database and Redis reachable", out.HealthResponse, public=True)
        },
    }


def build_openapi() -> dict[str, Any]:
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (model, "validation") for model in REQUEST_MODELS
    ] + [(model, "serialization") for model in RESPONSE_MODELS]
    _, schemas = models_json_schema(models, ref_template="#/components/schemas/{model}")
    error_responses = {
        f"Error{code}": _json(out.ErrorResponse, description)
        for code, description in (
            (400, "Invalid request"),
            (401, "Missing or invalid API key"),
            (404, "Not found"),
            (409, "Conflict with the current state"),
            (429, "Rate limited"),
            (500, "Internal error"),
        )
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Korea Checkout Headless Checkout API", "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "security": [{"apiKey": []}],
        "paths": _paths(),
        "components": {
            "schemas": schemas.get("$defs", {}),
            "responses": error_responses,
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"}},
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(build_openapi())


@bp.get("/docs")
def docs() -> str:
    return render_template("api_docs.html", spec=build_openapi())
