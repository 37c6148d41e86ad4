"""WooCommerce bridge: a client of the public API and a receiver of its webhooks.

`init_bridge` is called by `create_app`, the only composition root.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from app.settings import Settings
    from bridge.core_client import CoreConnector


def core_connector(app: Flask, settings: Settings) -> CoreConnector:
    """In process when the core is this service (the default: a web worker must never wait
    on an HTTP call to its own server); over HTTP when CORE_API_URL names another one."""
    from bridge.core_client import HttpCore
    from bridge.embedded_core import EmbeddedCore

    own_url = settings.public_base_url.rstrip("/")
    if settings.resolved_core_api_url != own_url:
        return HttpCore(settings.resolved_core_api_url)
    return EmbeddedCore(
        database=app.extensions["kc.database"],
        box=app.extensions["kc.secret_box"],
        tenants=app.extensions["kc.tenant_cache"],
        gateways=app.extensions["kc.gateways"],
        links=app.extensions["kc.checkout_links"],
    )


def init_bridge(app: Flask, settings: Settings) -> None:
    from app.jobs import bridge_queue
    from bridge.api.views import bp
    from bridge.context import BridgeContext
    from bridge.jobs import make_enqueue

    app.extensions["bridge"] = BridgeContext(
        database=app.extensions["kc.database"],
        box=app.extensions["kc.secret_box"],  # one key set for every stored secret
        core=core_connector(app, settings),
        redis=app.extensions["kc.redis"],
        namespace=settings.redis_namespace,
        public_url=settings.resolved_bridge_public_url,
        store_concurrency=settings.bridge_store_concurrency,
        woo_timeout=settings.bridge_woocommerce_timeout_seconds,
        retry_scale=settings.bridge_retry_scale,
        task_lease_seconds=settings.bridge_task_lease_seconds,
        reconcile_after_seconds=settings.bridge_reconcile_after_seconds,
        enqueue=make_enqueue(
            bridge_queue(app), app.extensions["kc.redis"], settings.redis_namespace
        ),
        woo_http=app.extensions["kc.http"],
        allow_loopback=bool(getattr(settings, "allow_loopback_targets", True)),
    )
    app.register_blueprint(bp)


# `app` imports bridge modules while it initialises (its models, jobs and blueprints), and
# every bridge module imports `app`: loading `app` here, once `init_bridge` exists, lets any
# `bridge.*` module be imported first, on its own, without meeting a half-made module.
importlib.import_module("app")
