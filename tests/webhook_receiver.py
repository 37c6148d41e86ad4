"""A merchant's webhook endpoint for tests: real HTTP, scripted answers, recorded requests."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class Receiver:
    url: str = ""
    script: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)
    default_status: int = 200
    received: list[Received] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    hold: threading.Event | None = None
    arrivals: int = 0

    def answer(self, *statuses: int, headers: dict[str, str] | None = None) -> None:
        for status in statuses:
            self.script.append((status, headers or {}))

    def wait_for(self, count: int, timeout: float = 30, status: int | None = None) -> None:
        def enough() -> bool:
            hits = [r for r in self.received if status is None or r.answered == status]
            return len(hits) >= count

        with self.changed:
            if not self.changed.wait_for(enough, timeout=timeout):
                raise TimeoutError(f"receiver got {len(self.received)} requests, wanted {count}")

    def wait_for_arrival(self, timeout: float = 30) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.arrivals > 0, timeout=timeout):
                raise TimeoutError("no request arrived")

    def _handle(self, request: Request) -> Response:
        with self.changed:
            self.arrivals += 1
            self.changed.notify_all()
        if self.hold is not None:
            self.hold.wait(timeout=60)
        status, headers = self.script.popleft() if self.script else (self.default_status, {})
        with self.changed:
            self.received.append(Received(dict(request.headers), request.get_data(), status))
            self.changed.notify_all()
        return Response("ok" if status < 300 else "nope", status=status, headers=headers)


@contextmanager
def webhook_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = make_server("127.0.0.1", 0, Request.application(receiver._handle), threaded=True)
    receiver.url = f"http://127.0.0.1:{server.server_port}/webhooks/checkout"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        if receiver.hold is not None:
            receiver.hold.set()
        server.shutdown()
        thread.join(timeout=10)
