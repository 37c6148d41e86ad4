"""Query-string parameters shared by the list endpoints."""

from __future__ import annotations

from flask import request

from app.payments.errors import InvalidRequest

MAX_PAGE_SIZE = 100


def limit_param(default: int = 20) -> int:
    raw = request.args.get("limit", str(default))
    if not raw.isdecimal() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise InvalidRequest(
            f"limit must be an integer from 1 to {MAX_PAGE_SIZE}",
            code="out_of_range",
            details={"field": "limit"},
        )
    return int(raw)
