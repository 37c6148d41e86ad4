"""Fault injection: latency, scripted error responses and hung requests.

Everything waits on an Event instead of sleeping blindly, so `release()` (called by
`WooCommerceDouble.stop()`) frees hung request threads at once and a test never has to
wait for an injected delay to run out.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScriptedFault:
    """One scripted answer. `hang` > 0 holds the request that long before answering."""

    status: int = 503
    body: Any = None
    retry_after: str | None = None
    hang: float = 0.0
    path_contains: str | None = None

    def response_body(self) -> bytes:
        body = self.body
        if body is None:
            # What a PHP/nginx front answers when WordPress is overloaded: not WP JSON.
            body = {
                "code": "internal_server_error" if self.status >= 500 else "too_many_requests",
                "message": f"Injected fault {self.status}",
                "data": {"status": self.status},
            }
        if isinstance(body, bytes):
            return body
        if isinstance(body, str):
            return body.encode()
        return json.dumps(body).encode()


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._script: deque[ScriptedFault] = deque()
        self._latency = 0.0
        self._released = threading.Event()
        self.hung_requests = 0

    # configuration -----------------------------------------------------------------------
    def set_latency(self, seconds: float) -> None:
        """Delay every request by this many seconds (0 to switch off)."""
        with self._lock:
            self._latency = max(0.0, seconds)
            self._released.clear()

    def fail_next(
        self,
        count: int = 1,
        status: int = 503,
        *,
        retry_after: int | str | None = None,
        body: Any = None,
        path_contains: str | None = None,
    ) -> None:
        """The next `count` matching requests answer `status` (e.g. 500, 503, 429)."""
        fault = ScriptedFault(
            status=status,
            body=body,
            retry_after=None if retry_after is None else str(retry_after),
            path_contains=path_contains,
        )
        with self._lock:
            self._script.extend([fault] * count)

    def hang_next(
        self, count: int = 1, seconds: float = 30.0, *, path_contains: str | None = None
    ) -> None:
        """Hold the next `count` requests for `seconds` (longer than the client timeout),
        then answer 504 if the client is still there."""
        fault = ScriptedFault(status=504, hang=seconds, path_contains=path_contains)
        with self._lock:
            self._script.extend([fault] * count)
            self._released.clear()

    def clear(self) -> None:
        with self._lock:
            self._script.clear()
            self._latency = 0.0

    def release(self) -> None:
        """Wake every request held by latency or a hang."""
        self._released.set()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    # used by the server ----------------------------------------------------------------
    def take(self, path: str) -> ScriptedFault | None:
        with self._lock:
            for index, fault in enumerate(self._script):
                if fault.path_contains is None or fault.path_contains in path:
                    del self._script[index]
                    return fault
            return None

    def delay(self) -> None:
        with self._lock:
            latency = self._latency
        if latency:
            self._released.wait(latency)

    def hold(self, fault: ScriptedFault) -> None:
        with self._lock:
            self.hung_requests += 1
        self._released.wait(fault.hang)
