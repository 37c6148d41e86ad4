"""The store's wc/v3 REST API, with errors sorted into "retry later" and "give up", and every
request reported to a recorder (the sync log).

Requests are signed as the PyPI `woocommerce` client signs them (HTTP basic auth over HTTPS,
its OAuth 1.0a HMAC-SHA256 signer over plain HTTP) but are sent by urllib3 through the
process's keep-alive pool, connecting to the very address the SSRF guard approved (as
webhook deliveries do): the name is not resolved again between check and connect, so DNS
rebinding cannot steer a sync to a private address. The client's own `requests.request`
opened a new connection, re-read the proxy environment and resolved the name again on every
call, which was also most of a sync's CPU. No proxy settings, netrc or cookies apply.

Every call ends at a wall-clock deadline (`timeout`, and sooner if the task's own deadline
comes first: see `bridge.drain`), however slowly the store answers; a call cut short is
recorded and raised as a timeout, retried like any other.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import urllib3
from urllib3.exceptions import HTTPError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from woocommerce.oauth import OAuth

from app.outbound.deadline import Deadline, deadline
from app.outbound.pools import pool_manager
from app.webhooks.target_guard import TargetCheck
from app.webhooks.transport import error_name, pinned_request
from bridge.masking import excerpt

API_VERSION = "wc/v3"
USER_AGENT = "KoreaCheckout-Bridge (WooCommerce-Python-REST-API/3.0.0)"

# 5xx is transient, except refund errors: WooCommerce answers every wc_create_refund failure
# (amount too large, gateway refusal) with HTTP 500 and `data: 500` (fixture
# refund-create-exceeds-remaining); retrying those cannot succeed.
PERMANENT_500_CODES = frozenset({"woocommerce_rest_cannot_create_order_refund"})
TRANSIENT_4XX = frozenset({408, 425, 429})


@dataclass(frozen=True)
class WooCall:
    """One request as the sync log records it."""

    action: str
    method: str
    path: str
    http_status: int | None
    latency_ms: int
    request_excerpt: str | None
    response_excerpt: str | None
    error: str | None = None


Recorder = Callable[[WooCall], None]
# The SSRF guard's verdict on the store's address (and the address to connect to).
SiteGuard = Callable[[str], TargetCheck]
# A store answer larger than this is not read (WooCommerce orders are a few KB).
MAX_RESPONSE_BYTES = 5 * 1024 * 1024
INVALID_SITE_URL = "invalid_site_url"
REDIRECT_REFUSED = "redirect_not_followed"
TIMEOUT = "timeout"


class WooError(Exception):
    def __init__(self, message: str, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class WooTransientError(WooError):
    """Timeout, connection error, 429 or 5xx: try again later."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status, code)
        self.retry_after = retry_after


class WooPermanentError(WooError):
    """400/401/404 and refund refusals: retrying cannot help; recorded as failed."""


@dataclass(frozen=True)
class WooCredentials:
    site_url: str
    consumer_key: str
    consumer_secret: str

    def __repr__(self) -> str:
        return f"WooCredentials({self.site_url!r}, ***)"


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: dict[str, str]
    text: str


class WooStore:
    def __init__(
        self,
        credentials: WooCredentials,
        timeout: float,
        recorder: Recorder,
        guard: SiteGuard | None = None,
        http: urllib3.PoolManager | None = None,
    ) -> None:
        self._credentials = credentials
        self._timeout = timeout
        self._guard = guard
        self._http = http or pool_manager(retries=False)
        self._record = recorder

    def __repr__(self) -> str:
        return "WooStore(***)"

    def call(
        self,
        action: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        started = time.monotonic()
        request_text = excerpt(body) if body is not None else None
        with deadline(self._timeout) as limit:
            # Checked before every request: the address (or what its name resolves to) may
            # have changed since the store was connected.
            check = self._guard(self._credentials.site_url) if self._guard is not None else None
            if check is not None and not check.allowed:
                message = f"{INVALID_SITE_URL}: the store address is not allowed ({check.reason})"
                self._record(WooCall(action, method, path, None, 0, request_text, None, message))
                raise WooPermanentError(message, None, INVALID_SITE_URL)
            try:
                answer = self._send(method, path, body, params or {}, check, limit)
            except (HTTPError, ResponseTooLarge) as exc:
                latency = int((time.monotonic() - started) * 1000)
                kind = TIMEOUT if limit.expired else _failure_kind(exc)
                self._record(WooCall(action, method, path, None, latency, request_text, None, kind))
                code = TIMEOUT if kind == TIMEOUT else None
                raise WooTransientError(f"store unreachable: {kind}", code=code) from exc
        latency = int((time.monotonic() - started) * 1000)
        payload = _json(answer.text)
        self._record(
            WooCall(
                action,
                method,
                path,
                answer.status,
                latency,
                request_text,
                excerpt(payload if payload is not None else answer.text),
            )
        )
        if answer.status < 300:
            return payload
        raise _error_for(answer, payload)

    def _send(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        params: dict[str, Any],
        check: TargetCheck | None,
        limit: Deadline,
    ) -> _Answer:
        credentials = self._credentials
        url = f"{credentials.site_url.rstrip('/')}/wp-json/{API_VERSION}/{path}"
        headers = {"user-agent": USER_AGENT, "accept": "application/json"}
        if url.startswith("https"):
            headers.update(urllib3.make_headers(basic_auth=_basic(credentials)))
            url = f"{url}?{urlencode(params)}" if params else url
        else:
            url = OAuth(
                url=f"{url}?{urlencode(params)}",
                consumer_key=credentials.consumer_key,
                consumer_secret=credentials.consumer_secret,
                version=API_VERSION,
                method=method,
            ).get_oauth_url()
        data = None
        if method != "GET":
            data = json.dumps(body or {}, ensure_ascii=False).encode()
            headers["content-type"] = "application/json;charset=utf-8"
        response = pinned_request(
            self._http, method, url, body=data, headers=headers, guard=check, limit=limit
        )
        try:
            raw = response.read(MAX_RESPONSE_BYTES + 1, decode_content=True) or b""
        finally:
            response.release_conn()
        if limit.tripped:
            # Cut short by the deadline: what arrived is a fragment, not the store's answer.
            raise Urllib3Timeout("no complete answer by the deadline")
        if len(raw) > MAX_RESPONSE_BYTES:
            raise ResponseTooLarge(f"answer larger than {MAX_RESPONSE_BYTES} bytes")
        return _Answer(
            response.status, dict(response.headers), raw.decode("utf-8", errors="replace")
        )


class ResponseTooLarge(Exception):
    """The store sent more than any WooCommerce answer holds."""


def _basic(credentials: WooCredentials) -> str:
    return f"{credentials.consumer_key}:{credentials.consumer_secret}"


def _failure_kind(exc: Exception) -> str:
    if isinstance(exc, ResponseTooLarge):
        return "answer too large"
    name = error_name(exc) if isinstance(exc, HTTPError) else type(exc).__name__
    return TIMEOUT if name == TIMEOUT else "connection error"


def _json(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _error_for(answer: _Answer, payload: Any) -> WooError:
    status = answer.status
    if 300 <= status < 400:
        location = str(_header(answer, "Location") or "")[:200]
        return WooPermanentError(
            f"WooCommerce answered {status}: redirect to {location!r} not followed",
            status,
            REDIRECT_REFUSED,
        )
    code = payload.get("code") if isinstance(payload, dict) else None
    message = payload.get("message") if isinstance(payload, dict) else None
    text = f"WooCommerce answered {status}" + (f" {code}: {message}" if code else "")
    if (status >= 500 and code not in PERMANENT_500_CODES) or status in TRANSIENT_4XX:
        return WooTransientError(text, status, code, _retry_after(answer))
    return WooPermanentError(text, status, code)


def _header(answer: _Answer, name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in answer.headers.items() if k.lower() == wanted), None)


def _retry_after(answer: _Answer) -> float | None:
    value = _header(answer, "Retry-After")
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
