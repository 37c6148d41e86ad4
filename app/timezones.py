"""Korea Standard Time: the gateways' wire time, the hosted page's and the store notes' clock.
Korea has no daylight saving time, so a fixed offset is exact."""

from __future__ import annotations

from datetime import timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")
