"""Sending one signed request: SSRF guard, 10 s timeout, no redirects, 2 KB excerpt."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
import requests.adapters

from app.webhooks.target_guard import RefusalReason, Resolver, check_target

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


def build_http_session(pool_size: int = 32) -> requests.Session:
    """One pooled session per process, sized for the parallel requests of a batch."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def send(
    http: requests.Session, prepared: PreparedRequest, resolver: Resolver | None
) -> AttemptOutcome:
    started = time.monotonic()
    guard = check_target(prepared.url, prepared.mode, resolver)
    if not guard.allowed:
        refused = guard.reason is not RefusalReason.RESOLUTION_FAILED
        return AttemptOutcome(None, 0, None, f"target refused: {guard.reason}", None, refused)
    try:
        with http.post(
            prepared.url,
            data=prepared.body,
            headers=prepared.headers,
            timeout=REQUEST_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        ) as response:
            raw = response.raw.read(EXCERPT_BYTES, decode_content=True) or b""
            return AttemptOutcome(
                response.status_code,
                int((time.monotonic() - started) * 1000),
                raw.decode("utf-8", errors="replace"),
                None,
                response.headers.get("Retry-After"),
            )
    except requests.RequestException as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return AttemptOutcome(None, elapsed, None, type(exc).__name__, None)
