"""The bytes a receiver gets: `{"id", "event", "createdAt", "data"}`."""

from __future__ import annotations

import json

from app.models import Event
from app.payments.timefmt import isoformat_z


def event_body(event: Event) -> dict[str, object]:
    return {
        "id": event.id,
        "event": event.type,
        "createdAt": isoformat_z(event.created_at),
        "data": event.data,
    }


def event_bytes(event: Event) -> bytes:
    return json.dumps(event_body(event), ensure_ascii=False, separators=(",", ":")).encode()
