"""Per-key rate limits in Redis (Flask-Limiter): live 1000/min, sandbox 100/min."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from app.api.auth import HEADER
from app.payments.api_keys import mode_of
from app.payments.tenancy import Mode
from app.settings import Settings


def _limit_key() -> str:
    # Limits apply before authentication, so an attacker's junk keys cost nothing to refuse:
    # they share a per-address bucket with the sandbox limit.
    secret = request.headers.get(HEADER, "")
    if mode_of(secret) is not None:
        return "key:" + hashlib.sha256(secret.encode()).hexdigest()
    return "addr:" + (get_remote_address() or "unknown")


def _limit_value() -> str:
    settings: Settings = current_app.extensions["kc.settings"]
    mode = mode_of(request.headers.get(HEADER, "")) or Mode.TEST
    return f"{settings.rate_limit_for_mode(mode)}/minute"


def limits_storage_uri(redis_url: str) -> str:
    """The `limits` library spells a unix-socket Redis URL differently from redis-py."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url.removeprefix("unix://")
    return redis_url


def _retry_after_only_on_429(response: Response) -> Response:
    if response.status_code != 429:
        response.headers.pop("Retry-After", None)
    return response


def init_rate_limits(app: Flask, api: Blueprint, settings: Settings, redis_url: str) -> Limiter:
    # Registered before the limiter so it runs after the limiter has added its headers.
    app.after_request(_retry_after_only_on_429)
    limiter = Limiter(
        _limit_key,
        app=app,
        storage_uri=limits_storage_uri(redis_url),
        strategy="fixed-window",
        headers_enabled=True,
        key_prefix=f"{settings.redis_namespace}:ratelimit",
        # Redis down must not take payments down: fail open and log.
        swallow_errors=True,
    )
    # One bucket per key across every endpoint, not one per route.
    limiter.shared_limit(_limit_value, scope="api", key_func=_limit_key)(api)
    return limiter
