"""The one place live clients touch ``requests``: deadlines and error wrapping.

Gateway calls run inside a web request, so each ends at a wall-clock deadline (connect, TLS,
request and the whole answer, however slowly the gateway sends it: ``app.outbound``) well
inside gunicorn's 30 s worker timeout (Procfile, ``app.devserver``): one call at most
``CALL_DEADLINE_SECONDS``, and an operation of two calls (Toss's confirm and its lookup)
shares one deadline.

Logs carry the gateway and path only, never bodies (they hold card and account data).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from app.gateways.errors import GatewayError, GatewayTimeout
from app.outbound.deadline import deadline
from app.outbound.pools import CONNECT_TIMEOUT_SECONDS, with_deadlines

log = logging.getLogger(__name__)

#: Wall-clock seconds for one gateway call (or one operation's calls together).
CALL_DEADLINE_SECONDS = 10.0


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
    timeout: float,
    json_body: Mapping[str, Any] | None = None,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Reply:
    """Send one request, ended `timeout` seconds from now (or at an enclosing deadline); a
    timeout is ``GatewayTimeout``, any other failure ``GatewayError``."""
    with deadline(timeout) as limit:
        try:
            remaining = limit.remaining()
            if remaining <= 0:
                raise requests.Timeout("the operation's deadline has passed")
            response = with_deadlines(session).request(
                method,
                url,
                json=json_body,
                data=form,
                headers=dict(headers or {}),
                timeout=(min(CONNECT_TIMEOUT_SECONDS, remaining), remaining),
            )
            if limit.tripped:
                raise requests.Timeout("the answer was cut short at the deadline")
        except requests.RequestException as exc:
            if isinstance(exc, requests.Timeout) or limit.expired:
                log.warning("gateway request timed out", extra={"gateway_url": _path(url)})
                raise GatewayTimeout() from exc
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
