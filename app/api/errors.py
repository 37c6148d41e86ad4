"""The one place errors become `{"error": {"code", "message", "details"}}` responses."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.payments.errors import (
    CheckoutError,
    Conflict,
    InvalidRequest,
    NotFound,
    Unauthorized,
)

logger = logging.getLogger(__name__)

STATUS_BY_ERROR: list[tuple[type[CheckoutError], int]] = [
    (InvalidRequest, 400),
    (Unauthorized, 401),
    (NotFound, 404),
    (Conflict, 409),
]
HTTP_CODES = {
    400: ("invalid_request", "The request could not be understood"),
    404: ("not_found", "No such endpoint"),
    405: ("method_not_allowed", "This endpoint does not accept that HTTP method"),
    413: ("request_too_large", "The request body is larger than 1 MiB"),
    415: ("invalid_content_type", "Send the body as application/json"),
    429: ("rate_limited", "Too many requests; retry after the time in Retry-After"),
}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


def status_for(error: CheckoutError) -> int:
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return status
    return 500


def _checkout_error(error: CheckoutError) -> Response:
    return error_response(status_for(error), error.code, error.message, error.details)


def _rate_limited(error: RateLimitExceeded) -> Response:
    code, message = HTTP_CODES[429]
    return error_response(429, code, message, {"limit": str(error.limit.limit)})


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    code, message = HTTP_CODES.get(status, ("http_error", error.description or "HTTP error"))
    response = error_response(status, code, message)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _unexpected(error: Exception) -> Response:
    request_id = g.get("request_id")
    logger.exception("unhandled error", extra={"request_id": request_id})
    return error_response(
        500,
        "internal_error",
        "An unexpected error occurred; quote the request id when you contact support",
        {"requestId": request_id},
    )


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CheckoutError, _checkout_error)
    app.register_error_handler(RateLimitExceeded, _rate_limited)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
