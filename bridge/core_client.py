"""The bridge's one way to the core: the public Headless Checkout API's semantics (tenant from
the API key, mode, Idempotency-Key replay and conflict, the documented error codes), reached
in process when the core is embedded (`bridge/embedded_core.py`) or over HTTP when it runs
elsewhere (`HttpCoreApi`, CORE_API_URL)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

from app.outbound.deadline import deadline
from app.outbound.pools import CONNECT_TIMEOUT_SECONDS, with_deadlines

logger = logging.getLogger(__name__)
# Well inside a web worker's 30 s timeout, for a plugin call that makes a few core calls.
DEADLINE_SECONDS = 10.0


class CoreApiError(Exception):
    """The API answered with its documented error JSON (`status`, `code`, `message`)."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


class CoreUnavailable(Exception):
    """The API could not be reached or answered something that is not its error JSON."""


class CoreApi(Protocol):
    """One merchant API key's view of the core; every method may raise `CoreApiError`
    (the documented error) or `CoreUnavailable`."""

    def check_key(self) -> None:
        """Raises `CoreApiError` 401 unless the key is active (as `/api` authenticates)."""

    def list_shops(self) -> list[dict[str, Any]]: ...

    def endpoint_secret(self, url: str) -> str:
        """The signing secret of this tenant's webhook endpoint `url` (registered if new)."""

    def create_session(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]: ...

    def get_session(self, session_id: str) -> dict[str, Any]: ...

    def set_address(self, session_id: str, address: dict[str, Any]) -> None: ...

    def cancel_session(self, session_id: str, idempotency_key: str) -> dict[str, Any]: ...

    def refund(
        self, session_id: str, body: dict[str, Any], idempotency_key: str
    ) -> dict[str, Any]: ...


# An API key -> the core as that key's tenant.
CoreConnector = Callable[[str], CoreApi]


def request_body(body: dict[str, Any] | None) -> bytes:
    """The exact bytes `requests` sends for `json=body`: the in-process client fingerprints
    the same bytes, so one Idempotency-Key replays across both implementations."""
    return b"" if body is None else json.dumps(body, allow_nan=False).encode()


def interpret(status: int, payload: Any) -> dict[str, Any]:
    """An answer of the API (status, parsed JSON) as a result or the error it stands for."""
    if status < 400 and isinstance(payload, dict):
        return payload
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict) and status < 500:
        details = error.get("details")
        raise CoreApiError(
            status,
            str(error.get("code") or "error"),
            str(error.get("message") or ""),
            details if isinstance(details, dict) else None,
        )
    raise CoreUnavailable(f"the checkout API answered {status}")


def _data(payload: dict[str, Any]) -> dict[str, Any]:
    data = payload.get("data")
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class HttpCoreApi:
    """One merchant key against a deployment elsewhere. `http` is shared (connection
    pooling, deadline-aware pools); every call ends by `deadline` seconds, however slowly
    the server answers."""

    base_url: str
    api_key: str
    http: requests.Session
    deadline: float = DEADLINE_SECONDS

    def __repr__(self) -> str:
        return f"HttpCoreApi({self.base_url!r}, api_key=***)"

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        headers = {"x-api-key": self.api_key, "Accept": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            with deadline(self.deadline) as limit:
                remaining = limit.remaining()
                response = self.http.request(
                    method,
                    f"{self.base_url}{path}",
                    json=body,
                    headers=headers,
                    timeout=(min(CONNECT_TIMEOUT_SECONDS, remaining), remaining),
                    allow_redirects=False,
                )
                if limit.tripped:
                    raise requests.Timeout("the answer was cut short at the deadline")
        except requests.RequestException as exc:
            logger.warning("core api unreachable", extra={"path": path})
            raise CoreUnavailable("the checkout API could not be reached") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = None
        return interpret(response.status_code, payload)

    def check_key(self) -> None:
        # The cheapest authenticated read; a revoked key gets the API's own 401.
        self._call("GET", "/api/shops")

    def list_shops(self) -> list[dict[str, Any]]:
        data = self._call("GET", "/api/shops").get("data")
        return [shop for shop in data or [] if isinstance(shop, dict)]

    def endpoint_secret(self, url: str) -> str:
        data = _data(self._call("POST", "/api/webhook-endpoints", {"url": url}))
        return str(data.get("secret") or "")

    def create_session(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return self._call("POST", "/api/checkout/create-session", body, idempotency_key)

    def get_session(self, session_id: str) -> dict[str, Any]:
        return _data(self._call("GET", f"/api/checkout/session/{session_id}"))

    def set_address(self, session_id: str, address: dict[str, Any]) -> None:
        self._call("PATCH", f"/api/checkout/session/{session_id}/address", address)

    def cancel_session(self, session_id: str, idempotency_key: str) -> dict[str, Any]:
        path = f"/api/checkout/session/{session_id}/cancel"
        return _data(self._call("POST", path, None, idempotency_key))

    def refund(self, session_id: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        path = f"/api/checkout/session/{session_id}/refund"
        return self._call("POST", path, body, idempotency_key)


def _session_with_deadlines() -> requests.Session:
    return with_deadlines(requests.Session())


@dataclass(frozen=True)
class HttpCore:
    """The connector for a core that runs elsewhere (CORE_API_URL)."""

    base_url: str
    deadline: float = DEADLINE_SECONDS
    http: requests.Session = field(default_factory=_session_with_deadlines, repr=False)

    def __call__(self, api_key: str) -> CoreApi:
        return HttpCoreApi(self.base_url, api_key, self.http, self.deadline)
