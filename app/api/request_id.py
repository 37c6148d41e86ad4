"""`X-Request-Id` on every response: the caller's if well-formed, else a new one."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def _assign() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _VALID.fullmatch(given) else f"req_{uuid.uuid4().hex}"


def _echo(response: Response) -> Response:
    response.headers["X-Request-Id"] = g.get("request_id") or f"req_{uuid.uuid4().hex}"
    return response


def init_request_id(app: Flask) -> None:
    app.before_request(_assign)
    app.after_request(_echo)
