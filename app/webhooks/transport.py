"""Sending one signed request: SSRF guard, pinned address, a 10 s wall-clock deadline, no
redirects, 2 KB excerpt.

The request connects to the very address the guard approved (the name is not resolved a
second time), so a DNS answer that changes between check and connect (DNS rebinding) cannot
steer it to a private address. TLS still verifies the certificate for the original host name.

The deadline covers the whole attempt (connect, request, status line, headers, excerpt) however
slowly the receiver answers: see `app.outbound.deadline`. An attempt that runs out of time is
reported as timed out, even when its status line had arrived: its answer is incomplete.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from app.outbound.deadline import Deadline, deadline
from app.outbound.pools import pool_manager, socket_timeout
from app.webhooks.target_guard import RefusalReason, Resolver, TargetCheck, check_target

REQUEST_TIMEOUT_SECONDS = 10
EXCERPT_BYTES = 2048


@dataclass(frozen=True)
class PreparedRequest:
    delivery_id: str
    url: str
    mode: str
    body: bytes
    headers: dict[str, str]
    attempt_number: int


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None
    duration_ms: int
    excerpt: str | None
    error: str | None
    retry_after: str | None
    # The SSRF guard refused the target: retrying will not make it acceptable.
    refused: bool = False
    # No complete answer by the deadline.
    timed_out: bool = False


def build_http_pool(pool_size: int = 32) -> urllib3.PoolManager:
    """One pool manager per process, sized for the parallel requests of a batch; its
    connections answer to the calling thread's `deadline`."""
    return pool_manager(num_pools=128, maxsize=pool_size, retries=False)


def error_name(exc: HTTPError) -> str:
    # urllib3 makes NewConnectionError a kind of timeout: test it first.
    if isinstance(exc, NewConnectionError):
        return "connection_error"
    if isinstance(exc, Urllib3Timeout):
        return "timeout"
    return type(exc).__name__


def pinned_request(
    http: urllib3.PoolManager,
    method: str,
    url: str,
    *,
    body: bytes | None,
    headers: dict[str, str],
    guard: TargetCheck | None,
    limit: Deadline,
) -> urllib3.BaseHTTPResponse:
    """One request, never redirected, to the address `guard` approved for `url` (or, with
    no guard, wherever the name resolves). The body is left unread for the caller, who reads
    it inside the `deadline` block that produced `limit` (`http` must come from
    `build_http_pool` or `pool_manager` for the watchdog to reach its connections)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    tls = {"server_hostname": host, "assert_hostname": host} if parts.scheme == "https" else {}
    if guard is not None and guard.connect_ip is not None:
        pool = http.connection_from_host(
            guard.connect_ip, port=guard.port, scheme=parts.scheme, pool_kwargs=tls
        )
    else:
        pool = http.connection_from_url(url)
    return pool.urlopen(
        method,
        path,
        body=body,
        headers={**headers, "Host": parts.netloc.rsplit("@", 1)[-1]},
        timeout=socket_timeout(limit),
        redirect=False,
        retries=False,
        preload_content=False,
        assert_same_host=False,
    )


def send(
    http: urllib3.PoolManager,
    prepared: PreparedRequest,
    resolver: Resolver | None,
    allow_loopback: bool = True,
    timeout: float = REQUEST_TIMEOUT_SECONDS,
) -> AttemptOutcome:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    with deadline(timeout) as limit:
        # The guard differs between modes only for loopback: judge as live when it is not
        # allowed. (Its name lookup is outside any socket: the batch's deadline bounds it.)
        guard = check_target(prepared.url, prepared.mode if allow_loopback else "live", resolver)
        if not guard.allowed:
            refused = guard.reason is not RefusalReason.RESOLUTION_FAILED
            return AttemptOutcome(None, 0, None, f"target refused: {guard.reason}", None, refused)
        try:
            response = pinned_request(
                http,
                "POST",
                prepared.url,
                body=prepared.body,
                headers=prepared.headers,
                guard=guard,
                limit=limit,
            )
            try:
                raw = response.read(EXCERPT_BYTES, decode_content=True) or b""
            finally:
                # The rest of a large answer is not read: close instead of reusing the connection.
                response.close()
        except HTTPError as exc:
            if limit.expired:
                return timed_out(elapsed())
            return AttemptOutcome(None, elapsed(), None, error_name(exc), None)
        if limit.tripped:
            return timed_out(elapsed())
    return AttemptOutcome(
        response.status,
        elapsed(),
        raw.decode("utf-8", errors="replace"),
        None,
        response.headers.get("Retry-After"),
    )


def timed_out(duration_ms: int) -> AttemptOutcome:
    return AttemptOutcome(None, duration_ms, None, "timeout", None, timed_out=True)
