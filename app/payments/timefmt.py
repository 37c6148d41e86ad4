"""Times in the API: ISO 8601 in UTC with a `Z`, as the reference document shows."""

from __future__ import annotations

from datetime import UTC, datetime


def isoformat_z(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
