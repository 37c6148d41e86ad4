"""Korea Checkout: the application factory, the only place things are wired together."""

from __future__ import annotations

import logging

import redis
from flask import Flask

from app.api.blueprint import build_api_blueprint
from app.api.errors import register_error_handlers
from app.api.health import bp as health_bp
from app.api.openapi import bp as openapi_bp
from app.api.rate_limit import init_rate_limits
from app.api.request_id import init_request_id
from app.api.tenant_cache import TenantCache
from app.api.unit_of_work import init_unit_of_work
from app.checkout import init_checkout
from app.cli import register_cli
from app.crypto import SecretBox
from app.db import Database
from app.embedded_redis import ensure_embedded_redis
from app.jobs import wire_webhook_dispatch
from app.settings import Settings
from app.webhooks.transport import build_http_pool
from bridge import init_bridge


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.resolved_secret_key(),
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
    app.extensions["kc.secret_box"] = SecretBox(app.config["SECRET_KEY"])
    app.extensions["kc.http"] = build_http_pool()
    wire_webhook_dispatch(app)

    init_request_id(app)
    api = build_api_blueprint()
    init_rate_limits(app, api, settings, redis_url)
    init_unit_of_work(app)
    register_error_handlers(app)
    app.register_blueprint(api)
    app.register_blueprint(health_bp)
    app.register_blueprint(openapi_bp)
    init_checkout(app, settings)
    init_bridge(app, settings)
    register_cli(app)
    return app
