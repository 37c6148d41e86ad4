"""A peer that answers one byte per second: real sockets on 127.0.0.1, for deadline tests."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

BODY = b'{"ok": true, "padding": "' + b"x" * 200 + b'"}'


def _answer(trickle: str) -> tuple[bytes, bytes]:
    """(sent at once, sent a byte at a time)."""
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n"
    )
    if trickle == "status":
        return b"", head + BODY
    return head, BODY


@dataclass
class TricklePeer:
    """`trickle` is "status" (the status line on) or "body" (headers at once, then the body)."""

    trickle: str = "status"
    interval: float = 1.0
    # Serve HTTPS with this context (the TLS handshake itself is prompt).
    tls: ssl.SSLContext | None = None
    url: str = ""
    requests: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for_requests(self, count: int, timeout: float = 10) -> None:
        with self._arrived:
            if not self._arrived.wait_for(lambda: self.requests >= count, timeout):
                raise TimeoutError(f"{self.requests} requests arrived, wanted {count}")

    def _serve(self, raw: socket.socket) -> None:
        try:
            conn = self.tls.wrap_socket(raw, server_side=True) if self.tls else raw
        except OSError:
            raw.close()
            return
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            with self._arrived:
                self.requests += 1
                self._arrived.notify_all()
            at_once, slowly = _answer(self.trickle)
            try:
                conn.sendall(at_once)
                for i in range(len(slowly)):
                    if self._stop.wait(self.interval):
                        return
                    conn.sendall(slowly[i : i + 1])
            except OSError:
                return  # the client gave up: what a deadline is for

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()


@contextmanager
def trickle_peer(
    trickle: str = "status", interval: float = 1.0, tls: ssl.SSLContext | None = None
) -> Iterator[TricklePeer]:
    peer = TricklePeer(trickle, interval, tls)
    listener = socket.create_server(("127.0.0.1", 0))
    scheme, host = ("https", "localhost") if tls else ("http", "127.0.0.1")
    peer.url = f"{scheme}://{host}:{listener.getsockname()[1]}"
    threading.Thread(target=peer._accept, args=(listener,), daemon=True).start()
    try:
        yield peer
    finally:
        peer._stop.set()
        listener.close()
