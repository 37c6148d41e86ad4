"""Ends every request: commit on success, roll back on error, store idempotent responses."""

from __future__ import annotations

import logging

from flask import Flask, Response, g

from app.api import idempotency
from app.api.errors import error_response
from app.web_db import close_db_session, db_session, finish_db_session

logger = logging.getLogger(__name__)


def _finish(response: Response) -> Response:
    status = response.status_code
    claimed = g.get("idempotency_claim") is not None
    try:
        if status >= 500:
            finish_db_session(commit=False)
            idempotency.release(status)
            return response
        if status >= 400:
            # The effect is undone, but the answer is kept so a retry gets the same error.
            finish_db_session(commit=False)
        if claimed:
            idempotency.record_response(db_session(), response)
        finish_db_session(commit=True)
    except Exception:
        logger.exception("commit failed", extra={"request_id": g.get("request_id")})
        finish_db_session(commit=False)
        idempotency.release(500)
        return error_response(
            500,
            "internal_error",
            "The change could not be saved; it is safe to retry",
            {"requestId": g.get("request_id")},
        )
    return response


def init_unit_of_work(app: Flask) -> None:
    app.after_request(_finish)
    app.teardown_request(close_db_session)
