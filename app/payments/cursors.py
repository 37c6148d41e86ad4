"""Opaque pagination cursors: (created_at, id) of the last row of a page."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from app.payments.errors import InvalidRequest


def encode_cursor(created_at: datetime, row_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(created), str(row_id)
    # RecursionError: a cursor nested past the parser's depth (app.json_depth sees bodies only).
    except (ValueError, TypeError, RecursionError, binascii.Error) as exc:
        raise InvalidRequest(
            "The cursor is not one this API returned",
            code="invalid_cursor",
            details={"field": "cursor"},
        ) from exc
