"""A clock the tests move by hand, so "same second" and "later second" are decided by the
test (note ordering depends on it) instead of by how fast the machine is.

`follow()` replays the recording's own timing: a recorded GMT time is mapped onto today
(keeping the gaps between recorded exchanges) so OAuth timestamps stay inside
WooCommerce's 15-minute window.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

RECORDING_START = datetime(2026, 11, 28, 9, 34, 0, tzinfo=UTC)


class ManualClock:
    def __init__(self) -> None:
        self._now = datetime.now(UTC).replace(microsecond=0)
        self._offset = self._now - RECORDING_START
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def tick(self, seconds: int = 1) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)

    def follow(self, recorded_gmt: str, earlier: int = 0) -> None:
        """Jump to the moment a recorded exchange happened, or `earlier` seconds before it
        (never backwards)."""
        moment = datetime.fromisoformat(recorded_gmt).replace(tzinfo=UTC) + self._offset
        moment -= timedelta(seconds=earlier)
        with self._lock:
            self._now = max(self._now, moment)
