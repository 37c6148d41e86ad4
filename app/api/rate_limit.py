"""Rate limits in Redis (Flask-Limiter), shared by every process.

- /api: per key, live 1000/min, sandbox 100/min (the documented values).
- /bridge/v1: per key (the plugin's store key).
- Hosted pages (/checkout, /sandbox/window) and /downloads: per client address.
- Failed authentications (401) on /api and /bridge/v1: per client address, counted only
  when they fail, so junk keys (each with a bucket of its own above) cannot be tried freely.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Flask, Response, current_app, request
from flask_limiter import Limiter, RouteLimit
from flask_limiter.util import get_remote_address

from app.api.auth import HEADER
from app.payments.api_keys import mode_of
from app.payments.tenancy import Mode
from app.settings import Settings

#: The bridge's webhook receiver carries no key (an HMAC signature authenticates it) and its
#: only sender is the core's delivery worker, whose bursts must not be refused.
BRIDGE_KEYLESS_ENDPOINTS = frozenset({"bridge.webhook"})
BRIDGE_BLUEPRINT = "bridge"
PAGE_BLUEPRINTS = ("checkout", "sandbox_window", "downloads")


def _address_key() -> str:
    # The socket's address, or the one ProxyFix took from TRUSTED_PROXY_HOPS proxies; a
    # client's own X-Forwarded-For is never read here.
    return "addr:" + (get_remote_address() or "unknown")


def _limit_key() -> str:
    # Limits apply before authentication, so an attacker's junk keys cost nothing to refuse:
    # malformed ones share a per-address bucket with the sandbox limit.
    secret = request.headers.get(HEADER, "")
    if mode_of(secret) is not None:
        return "key:" + hashlib.sha256(secret.encode()).hexdigest()
    return _address_key()


def _settings() -> Settings:
    settings: Settings = current_app.extensions["kc.settings"]
    return settings


def _limit_value() -> str:
    mode = mode_of(request.headers.get(HEADER, "")) or Mode.TEST
    return f"{_settings().rate_limit_for_mode(mode)}/minute"


def _auth_failure_limit() -> str:
    return f"{_settings().rate_limit_auth_failures_per_minute}/minute"


def _bridge_limit() -> str:
    return f"{_settings().rate_limit_bridge_per_minute}/minute"


def _pages_limit() -> str:
    return f"{_settings().rate_limit_pages_per_minute}/minute"


def _failed_authentication(response: Response) -> bool:
    return response.status_code == 401


def _keyless_bridge_endpoint() -> bool:
    return request.endpoint in BRIDGE_KEYLESS_ENDPOINTS


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
    # One bucket per key across every endpoint, not one per route. Declared first so its
    # numbers fill the X-RateLimit-* headers while no other limit is exceeded.
    limiter.shared_limit(_limit_value, scope="api", key_func=_limit_key)(api)
    _auth_failures(limiter)(api)
    return limiter


def _auth_failures(limiter: Limiter) -> RouteLimit:
    """Checked before the request, counted only when the answer is 401: one bucket per
    client address, shared by /api and /bridge/v1."""
    return limiter.shared_limit(
        _auth_failure_limit,
        scope="auth-failures",
        key_func=_address_key,
        deduct_when=_failed_authentication,
        exempt_when=_keyless_bridge_endpoint,
    )


def limit_pages_and_bridge(app: Flask, limiter: Limiter) -> None:
    """Limits for blueprints registered by other packages, found by name so this module
    needs no import of theirs (the bridge must stay importable on its own)."""
    bridge = _registered(app, BRIDGE_BLUEPRINT)
    limiter.shared_limit(
        _bridge_limit, scope="bridge", key_func=_limit_key, exempt_when=_keyless_bridge_endpoint
    )(bridge)
    _auth_failures(limiter)(bridge)
    hosted_pages = limiter.shared_limit(_pages_limit, scope="pages", key_func=_address_key)
    for name in PAGE_BLUEPRINTS:
        hosted_pages(_registered(app, name))


def _registered(app: Flask, name: str) -> Blueprint:
    blueprint = app.blueprints[name]
    assert isinstance(blueprint, Blueprint)  # Flask's registry is typed with its base class
    return blueprint
