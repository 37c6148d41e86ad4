"""Korea Checkout: the application factory, the only place things are wired together."""

from __future__ import annotations

import redis
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.api.blueprint import build_api_blueprint
from app.api.errors import register_error_handlers
from app.api.health import bp as health_bp
from app.api.openapi import bp as openapi_bp
from app.api.rate_limit import init_rate_limits, limit_pages_and_bridge
from app.api.request_id import init_request_id
from app.api.tenant_cache import TenantCache
from app.api.unit_of_work import init_unit_of_work
from app.checkout import init_checkout
from app.cli import register_cli
from app.crypto import build_secret_box
from app.db import Database
from app.downloads import bp as downloads_bp
from app.embedded_redis import ensure_embedded_redis
from app.jobs import wire_webhook_dispatch
from app.json_depth import init_json_depth_limit
from app.keys import purpose_key
from app.log_format import configure_logging
from app.settings import Settings
from app.webhooks.transport import build_http_pool
from bridge import init_bridge


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings()
    configure_logging()
    app = Flask(__name__)
    if settings.trusted_proxy_hops:
        # Only the configured number of proxies' X-Forwarded-For entries are believed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxy_hops)  # type: ignore[method-assign]
    root_secret = settings.resolved_secret_key()
    app.config.update(
        # Flask signs its session cookie (which only carries the CSRF token) and Flask-WTF
        # its CSRF tokens with this: a key of their own, not the root secret.
        SECRET_KEY=purpose_key(root_secret, "csrf").hex(),
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    redis_url = settings.redis_url or ensure_embedded_redis(settings.var_dir)
    app.extensions["kc.settings"] = settings
    app.extensions["kc.database"] = Database(settings.resolved_database_url)
    app.extensions["kc.redis_url"] = redis_url
    app.extensions["kc.redis"] = redis.Redis.from_url(redis_url)
    app.extensions["kc.tenant_cache"] = TenantCache(settings.api_key_cache_seconds)
    app.extensions["kc.secret_box"] = build_secret_box(
        settings.encryption_keys.get_secret_value(),
        root_secret,
        # Rows written before key sets: SECRET_KEY's and the bridge's old derivations.
        legacy_secrets=[root_secret, settings.bridge_encryption_key.get_secret_value()],
    )
    app.extensions["kc.http"] = build_http_pool()
    wire_webhook_dispatch(app)

    init_request_id(app)
    api = build_api_blueprint()
    limiter = init_rate_limits(app, api, settings, redis_url)
    init_json_depth_limit(app)
    init_unit_of_work(app)
    register_error_handlers(app)
    app.register_blueprint(api)
    app.register_blueprint(health_bp)
    app.register_blueprint(openapi_bp)
    init_checkout(app, settings)
    init_bridge(app, settings)
    app.register_blueprint(downloads_bp)
    limit_pages_and_bridge(app, limiter)
    register_cli(app)
    return app
