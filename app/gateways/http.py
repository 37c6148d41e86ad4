"""The one place live clients touch ``requests``: timeouts and error wrapping.

Logs carry the gateway and path only, never bodies (they hold card and account data).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from app.gateways.errors import GatewayError, GatewayTimeout

log = logging.getLogger(__name__)

#: (connect, read) seconds. Confirm calls may take a while on the card network side.
DEFAULT_TIMEOUT: tuple[float, float] = (3.05, 30.0)


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    text: str


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: tuple[float, float],
    json_body: Mapping[str, Any] | None = None,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    """Send one request; a timeout is ``GatewayTimeout``, any other failure ``GatewayError``."""
    try:
        response = session.request(
            method,
            url,
            json=json_body,
            data=form,
            headers=dict(headers or {}),
            timeout=timeout,
        )
    except requests.Timeout as exc:
        log.warning("gateway request timed out", extra={"gateway_url": _path(url)})
        raise GatewayTimeout() from exc
    except requests.RequestException as exc:
        log.warning("gateway request failed", extra={"gateway_url": _path(url)})
        raise GatewayError("게이트웨이에 연결할 수 없습니다.") from exc
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if response.status_code >= 500:
        log.warning("gateway server error", extra={"status": response.status_code})
        code = body.get("code", "") if isinstance(body, dict) else ""
        raise GatewayError("게이트웨이 서버 오류가 발생했습니다.", gateway_code=str(code))
    return Reply(response.status_code, body, response.text)


def _path(url: str) -> str:
    return url.split("?", 1)[0]
