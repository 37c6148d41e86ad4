"""A short-lived, per-process memo of API key hash -> tenant.

Nearly every request repeats a key seen moments ago; remembering it for a few seconds saves
a database round trip per request. The price is bounded: a revoked key keeps working in a
process for at most `ttl_seconds`. Only successful lookups are remembered, so junk keys
cannot fill it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from app.payments.tenancy import Tenant


class TenantCache:
    def __init__(
        self,
        ttl_seconds: float = 5.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Tenant]] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> Tenant | None:
        entry = self._entries.get(key_hash)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]

    def put(self, key_hash: str, tenant: Tenant) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key_hash] = (self._clock() + self.ttl_seconds, tenant)
