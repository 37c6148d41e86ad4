"""The store's wc/v3 REST API, with errors sorted into "retry later" and "give up", and every
request reported to a recorder (the sync log).

Requests are signed as the PyPI `woocommerce` client signs them (HTTP basic auth over HTTPS,
its OAuth 1.0a HMAC-SHA256 signer over plain HTTP) but are sent through one keep-alive
`requests.Session` per store address: the client's own `requests.request` opens a new
connection and re-reads the proxy environment on every call, which was most of a sync's CPU.
The pooled sessions ignore proxy/netrc settings from the environment (a store is called
directly, at the address the SSRF guard approved) and keep no cookies.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlencode

import requests
from requests.auth import HTTPBasicAuth
from woocommerce.oauth import OAuth

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
# Returns why the store's address may not be called now (SSRF guard), or None if it may.
SiteGuard = Callable[[str], str | None]
INVALID_SITE_URL = "invalid_site_url"
REDIRECT_REFUSED = "redirect_not_followed"


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


def new_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session


_pooled: dict[str, requests.Session] = {}
_pooled_lock = threading.Lock()


def pooled_session(site_url: str) -> requests.Session:
    """This process's keep-alive session for one store address."""
    with _pooled_lock:
        session = _pooled.get(site_url)
        if session is None:
            session = _pooled[site_url] = new_session()
        return session


class WooStore:
    def __init__(
        self,
        credentials: WooCredentials,
        timeout: float,
        recorder: Recorder,
        guard: SiteGuard | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self._credentials = credentials
        self._timeout = timeout
        self._guard = guard
        self._session = session or new_session()
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
        # Checked before every request: the address (or what its name resolves to) may have
        # changed since the store was connected.
        refusal = self._guard(self._credentials.site_url) if self._guard is not None else None
        if refusal is not None:
            message = f"{INVALID_SITE_URL}: the store address is not allowed ({refusal})"
            self._record(WooCall(action, method, path, None, 0, request_text, None, message))
            raise WooPermanentError(message, None, INVALID_SITE_URL)
        try:
            response = self._send(method, path, body, params or {})
        except requests.RequestException as exc:
            latency = int((time.monotonic() - started) * 1000)
            kind = "timeout" if isinstance(exc, requests.Timeout) else "connection error"
            self._record(WooCall(action, method, path, None, latency, request_text, None, kind))
            raise WooTransientError(f"store unreachable: {kind}") from exc
        latency = int((time.monotonic() - started) * 1000)
        payload = _json(response)
        self._record(
            WooCall(
                action,
                method,
                path,
                response.status_code,
                latency,
                request_text,
                excerpt(payload if payload is not None else response.text),
            )
        )
        if response.status_code < 300:
            return payload
        raise _error_for(response, payload)

    def _send(
        self, method: str, path: str, body: dict[str, Any] | None, params: dict[str, Any]
    ) -> requests.Response:
        credentials = self._credentials
        url = f"{credentials.site_url.rstrip('/')}/wp-json/{API_VERSION}/{path}"
        auth = None
        if url.startswith("https"):
            auth = HTTPBasicAuth(credentials.consumer_key, credentials.consumer_secret)
        else:
            url = OAuth(
                url=f"{url}?{urlencode(params)}",
                consumer_key=credentials.consumer_key,
                consumer_secret=credentials.consumer_secret,
                version=API_VERSION,
                method=method,
            ).get_oauth_url()
            params = {}
        headers = {"user-agent": USER_AGENT, "accept": "application/json"}
        data = None
        if method != "GET":
            data = json.dumps(body or {}, ensure_ascii=False).encode()
            headers["content-type"] = "application/json;charset=utf-8"
        # Never follow a redirect: it could point anywhere, past the address check.
        return self._session.request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=self._timeout,
            allow_redirects=False,
        )


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_for(response: requests.Response, payload: Any) -> WooError:
    status = response.status_code
    if 300 <= status < 400:
        location = str(response.headers.get("Location") or "")[:200]
        return WooPermanentError(
            f"WooCommerce answered {status}: redirect to {location!r} not followed",
            status,
            REDIRECT_REFUSED,
        )
    code = payload.get("code") if isinstance(payload, dict) else None
    message = payload.get("message") if isinstance(payload, dict) else None
    text = f"WooCommerce answered {status}" + (f" {code}: {message}" if code else "")
    if (status >= 500 and code not in PERMANENT_500_CODES) or status in TRANSIENT_4XX:
        return WooTransientError(text, status, code, _retry_after(response))
    return WooPermanentError(text, status, code)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
