"""Turns pydantic validation failures into `InvalidRequest` with a public code and field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from app.payments.errors import InvalidRequest

Model = TypeVar("Model", bound=BaseModel)

# Our own PydanticCustomError types are already public codes.
CUSTOM_CODES = frozenset(
    {
        "amount_mismatch",
        "unsupported_currency",
        "invalid_phone",
        "invalid_url",
        "insecure_url",
        "invalid_postal_code",
        "invalid_metadata",
        "invalid_expiry",
        "invalid_characters",
        "missing_field",
    }
)
PYDANTIC_CODES = {
    "missing": "missing_field",
    "extra_forbidden": "unknown_field",
    "string_too_short": "invalid_length",
    "string_too_long": "invalid_length",
    "too_short": "invalid_length",
    "too_long": "invalid_length",
    "greater_than": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "string_pattern_mismatch": "invalid_format",
    "timezone_aware": "invalid_datetime",
    "datetime_parsing": "invalid_datetime",
    "datetime_type": "invalid_datetime",
    "datetime_from_date_parsing": "invalid_datetime",
}
# Where a model-level rule has no location of its own, name the field it is about.
MODEL_RULE_FIELDS = {"amount_mismatch": "totalAmount", "invalid_expiry": "expiresAt"}


def field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def public_code(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind in CUSTOM_CODES:
        return kind
    if kind in PYDANTIC_CODES:
        return PYDANTIC_CODES[kind]
    if kind == "value_error" and error["loc"] and error["loc"][-1] == "email":
        return "invalid_email"
    if kind.endswith(("_type", "_parsing")) or kind == "int_from_float":
        return "invalid_type"
    return "invalid_value"


def describe(error: ErrorDetails) -> dict[str, Any]:
    code = public_code(error)
    ctx = error.get("ctx") or {}
    field = field_path(error["loc"]) or ctx.get("field") or MODEL_RULE_FIELDS.get(code, "body")
    return {"field": field, "code": code, "message": error["msg"]}


def parse(model: type[Model], data: Any, context: Mapping[str, Any] | None = None) -> Model:
    if not isinstance(data, dict):
        raise InvalidRequest(
            "The request body must be a JSON object",
            code="invalid_request",
            details={"field": "body"},
        )
    try:
        return model.model_validate(data, context=dict(context or {}))
    except ValidationError as exc:
        problems = [describe(error) for error in exc.errors(include_url=False, include_input=False)]
        first = problems[0]
        raise InvalidRequest(
            f"{first['field']}: {first['message']}",
            code=first["code"],
            details={"field": first["field"], "errors": problems},
        ) from exc
