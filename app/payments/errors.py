"""One error hierarchy for the domain; the API turns it into the documented error JSON."""

from __future__ import annotations

from typing import Any


class CheckoutError(Exception):
    """Base of every error a client may see. `code` is the public `error.code`."""

    code = "internal_error"
    message = "An unexpected error occurred"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details or {}
        super().__init__(self.message)


class InvalidRequest(CheckoutError):
    code = "invalid_request"
    message = "The request is invalid"


class Unauthorized(CheckoutError):
    code = "invalid_api_key"
    message = "The API key is missing, malformed, revoked or unknown"


class NotFound(CheckoutError):
    code = "not_found"
    message = "The requested resource was not found"


class SessionNotFound(NotFound):
    code = "invalid_session"
    message = "The specified session ID is invalid or has expired"

    def __init__(self, session_id: str) -> None:
        super().__init__(details={"sessionId": session_id, "field": "sessionId"})


class Conflict(CheckoutError):
    code = "conflict"
    message = "The request conflicts with the current state of the resource"


class InvalidState(Conflict):
    code = "invalid_state"
    message = "The session cannot do this in its current status"
