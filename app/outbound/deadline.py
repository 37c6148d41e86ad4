"""Wall-clock deadlines for outbound HTTP calls.

urllib3's timeouts bound each socket operation, not the call: a peer that answers one byte
per second never trips a 10 s read timeout and holds the caller for as long as it likes. A
deadline here bounds the whole call (connect, TLS, request, status line, headers, body).

How: a process-wide watchdog thread shuts down the socket of a connection whose deadline has
passed; the blocked call then fails at once and the caller reports a timeout. Why a watchdog
rather than re-applying the remaining time as the socket timeout before each recv: the status
line and headers are read by http.client through a buffered file object (and over TLS through
the ssl module), so those recv calls are not ours to wrap without patching library internals,
and a send to a peer that stops reading blocks as well. A socket shut down from another thread
wakes every blocked call wherever it blocks, and needs nothing from the HTTP library but the
connection's `sock`. The TCP connect (and the TLS handshake, which CPython bounds as a whole by
the socket timeout) gets the remaining time as its timeout instead.

Deadlines nest per thread: a call inside `deadline(10)` inside `deadline(3)` ends within 3 s.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


class Connection(Protocol):
    """What the watchdog needs of a connection: its current socket (None before connect)."""

    sock: Any


@dataclass(eq=False)
class Deadline:
    """A point in `time.monotonic()` time by which the calls of a block must end."""

    expires_at: float
    # Set when the watchdog shut a connection down: whatever the call read is incomplete.
    tripped: bool = False
    _entries: list[_Entry] = field(default_factory=list, repr=False)

    def remaining(self) -> float:
        return max(0.0, self.expires_at - time.monotonic())

    @property
    def expired(self) -> bool:
        return self.tripped or time.monotonic() >= self.expires_at

    def watch(self, connection: Connection) -> None:
        """Shut `connection` down at the deadline unless another call has taken it over."""
        self._entries.append(_WATCHDOG.watch(self.expires_at, lambda: _trip(self, connection)))

    def _release(self) -> None:
        for entry in self._entries:
            entry.cancelled = True
        self._entries.clear()


_local = threading.local()
# Serialises "which deadline owns this connection" between its user and the watchdog, so a
# connection returned to the pool and taken by another call is never shut down for the old one.
_owners = threading.Lock()


def current() -> Deadline | None:
    """The innermost deadline of this thread, if any."""
    stack: list[Deadline] = getattr(_local, "stack", [])
    return stack[-1] if stack else None


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Every outbound call this thread makes inside the block ends `seconds` from now, or
    earlier if an enclosing block's deadline is earlier."""
    expires_at = time.monotonic() + seconds
    outer = current()
    if outer is not None:
        expires_at = min(expires_at, outer.expires_at)
    mine = Deadline(expires_at)
    if not hasattr(_local, "stack"):
        _local.stack = []
    stack: list[Deadline] = _local.stack
    stack.append(mine)
    try:
        yield mine
    finally:
        stack.pop()
        mine._release()


def adopt(connection: Connection) -> None:
    """A request starts on `connection` in this thread: it now answers to this thread's
    deadline (or to none)."""
    limit = current()
    with _owners:
        connection.kc_deadline = limit  # type: ignore[attr-defined]
    if limit is not None:
        limit.watch(connection)


def _trip(limit: Deadline, connection: Connection) -> None:
    with _owners:
        if getattr(connection, "kc_deadline", None) is not limit:
            return
        limit.tripped = True
        sock = connection.sock
        if sock is None:
            return
        # socket.socket's own shutdown, not SSLSocket's (which also unwraps the TLS layer under
        # the reading thread's feet): the blocked read just sees the end. An OSError means the
        # socket is already closed, so nothing is blocked on it.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


@dataclass(eq=False)
class _Entry:
    when: float
    action: Callable[[], None]
    cancelled: bool = False


class _Watchdog:
    """One daemon thread firing actions at their time (a heap; cancelled entries skipped)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._heap: list[tuple[float, int, _Entry]] = []
        self._order = itertools.count()
        self._pid = -1

    def watch(self, when: float, action: Callable[[], None]) -> _Entry:
        entry = _Entry(when, action)
        with self._changed:
            if self._pid != os.getpid():  # first use, or a forked child: no thread yet
                self._pid = os.getpid()
                self._heap.clear()
                threading.Thread(target=self._run, name="outbound-deadlines", daemon=True).start()
            heapq.heappush(self._heap, (when, next(self._order), entry))
            self._changed.notify()
        return entry

    def _due(self) -> list[_Entry]:
        with self._changed:
            while True:
                while self._heap and self._heap[0][2].cancelled:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._changed.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait <= 0:
                    break
                self._changed.wait(wait)
            now = time.monotonic()
            due = []
            while self._heap and self._heap[0][0] <= now:
                due.append(heapq.heappop(self._heap)[2])
            return due

    def _run(self) -> None:
        while True:
            for entry in self._due():
                if not entry.cancelled:
                    entry.action()


# Process infrastructure like the interpreter's own threads: one per process, started lazily.
_WATCHDOG = _Watchdog()
