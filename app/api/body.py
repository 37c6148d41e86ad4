"""Reading the JSON body with the documented errors instead of Werkzeug's HTML."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from app.payments.errors import InvalidRequest


def json_body(*, required: bool = True) -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise InvalidRequest(
                "A JSON body is required", code="invalid_json", details={"field": "body"}
            )
        return {}
    if not request.is_json:
        raise InvalidRequest(
            "Send the body with Content-Type: application/json",
            code="invalid_content_type",
            details={"field": "Content-Type"},
        )
    try:
        # Nesting was bounded before the view ran (app.json_depth), so no RecursionError.
        return json.loads(raw)
    except ValueError as exc:
        raise InvalidRequest(
            "The body is not valid JSON", code="invalid_json", details={"field": "body"}
        ) from exc
