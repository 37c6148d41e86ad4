"""A clock the tests move by hand, so "same second" and "later second" are decided by the
test (note ordering depends on it) instead of by how fast the machine is."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class ManualClock:
    def __init__(self) -> None:
        self._now = datetime.now(UTC).replace(microsecond=0)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def tick(self, seconds: int = 1) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)
