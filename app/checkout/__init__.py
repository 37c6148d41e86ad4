"""Hosted checkout pages (Korean first) and the sandbox gateways' payment window."""

from __future__ import annotations

from flask import Flask

from app.checkout import capability, views, window
from app.checkout.i18n import Catalog
from app.gateways import GatewayConfig
from app.gateways.provider import CachedGatewayProvider
from app.keys import purpose_key
from app.settings import Settings


def init_checkout(app: Flask, settings: Settings) -> None:
    """Gateways for the core and the API, the catalogs, and the two page blueprints."""
    base = settings.public_base_url.rstrip("/")
    config = GatewayConfig(
        # Its own key: a seal must never verify under the CSRF or encryption keys.
        sandbox_secret=purpose_key(settings.resolved_secret_key(), "sandbox-seals"),
        sandbox_window_url=f"{base}/sandbox/window",
    )
    app.extensions["kc.gateways"] = CachedGatewayProvider(config)
    app.extensions["kc.checkout_catalog"] = Catalog()
    capability.init_app(app, settings)  # the shopper's links, and the cookies' flags
    app.register_blueprint(views.bp)
    app.register_blueprint(window.bp)
