"""WooCommerce bridge: a client of the public API and a receiver of its webhooks.

`init_bridge` is called by `create_app`, the only composition root.
"""

from __future__ import annotations

import requests
from flask import Flask

from app.crypto import SecretBox
from app.settings import Settings


def init_bridge(app: Flask, settings: Settings) -> None:
    from app.jobs import default_queue
    from bridge.api.views import bp
    from bridge.context import BridgeContext
    from bridge.jobs import make_enqueue

    app.extensions["bridge"] = BridgeContext(
        database=app.extensions["kc.database"],
        box=SecretBox(settings.resolved_bridge_encryption_key()),
        http=requests.Session(),
        redis=app.extensions["kc.redis"],
        namespace=settings.redis_namespace,
        core_api_url=settings.resolved_core_api_url,
        public_url=settings.resolved_bridge_public_url,
        store_concurrency=settings.bridge_store_concurrency,
        woo_timeout=settings.bridge_woocommerce_timeout_seconds,
        retry_scale=settings.bridge_retry_scale,
        task_lease_seconds=settings.bridge_task_lease_seconds,
        reconcile_after_seconds=settings.bridge_reconcile_after_seconds,
        enqueue=make_enqueue(
            default_queue(app), app.extensions["kc.redis"], settings.redis_namespace
        ),
        woo_http=app.extensions["kc.http"],
        allow_loopback=bool(getattr(settings, "allow_loopback_targets", True)),
    )
    app.register_blueprint(bp)
