"""The public Headless Checkout API, as any merchant would call it (CORE_API_URL)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 15.0


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


@dataclass(frozen=True)
class CoreApi:
    """One merchant key against one deployment. `http` is shared (connection pooling)."""

    base_url: str
    api_key: str
    http: requests.Session

    def __repr__(self) -> str:
        return f"CoreApi({self.base_url!r}, api_key=***)"

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = {"x-api-key": self.api_key, "Accept": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = self.http.request(
                method,
                f"{self.base_url}{path}",
                json=body,
                params=params,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            logger.warning("core api unreachable", extra={"path": path})
            raise CoreUnavailable("the checkout API could not be reached") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code < 400 and isinstance(payload, dict):
            return payload
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict) and response.status_code < 500:
            raise CoreApiError(
                response.status_code,
                str(error.get("code") or "error"),
                str(error.get("message") or ""),
                error.get("details") if isinstance(error.get("details"), dict) else None,
            )
        raise CoreUnavailable(f"the checkout API answered {response.status_code}")

    # shops -------------------------------------------------------------------------------
    def list_shops(self) -> list[dict[str, Any]]:
        data = self._call("GET", "/api/shops").get("data")
        return [shop for shop in data or [] if isinstance(shop, dict)]

    def webhook_secret(self, shop_id: str) -> str:
        data = self._call("GET", f"/api/shops/{shop_id}/webhook-secret").get("data") or {}
        return str(data.get("secret") or "")

    # sessions ----------------------------------------------------------------------------
    def create_session(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return self._call("POST", "/api/checkout/create-session", body, idempotency_key)

    def get_session(self, session_id: str) -> dict[str, Any]:
        data = self._call("GET", f"/api/checkout/session/{session_id}").get("data")
        return data if isinstance(data, dict) else {}

    def set_address(self, session_id: str, address: dict[str, Any]) -> None:
        self._call("PATCH", f"/api/checkout/session/{session_id}/address", address)

    def cancel_session(self, session_id: str, idempotency_key: str) -> dict[str, Any]:
        data = self._call(
            "POST", f"/api/checkout/session/{session_id}/cancel", None, idempotency_key
        ).get("data")
        return data if isinstance(data, dict) else {}

    def refund(self, session_id: str, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        return self._call(
            "POST", f"/api/checkout/session/{session_id}/refund", body, idempotency_key
        )
