"""Webhook endpoints with a signing secret of their own.

A receiver that registers its URL (the WooCommerce bridge does, per store) gets a `whsec_`
secret that only that endpoint's deliveries are signed with: a key that can read the shop's
secret, or another receiver of the shop's webhooks, cannot sign for it. Unregistered
endpoints keep the shop's secret.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.crypto import DecryptionError, SecretBox
from app.models import WebhookEndpoint
from app.payments.inputs import StrictModel, Url
from app.payments.tenancy import Tenant
from app.payments.validation import parse
from app.webhooks.outbox import endpoint_for
from app.webhooks.signing import generate_secret

logger = logging.getLogger(__name__)


class RegisterEndpointRequest(StrictModel):
    url: Url


def register_endpoint(
    db: Session, box: SecretBox, tenant: Tenant, body: Any, now: datetime
) -> tuple[WebhookEndpoint, str]:
    """The tenant's endpoint for `body["url"]` and its secret, made on first registration.

    Registering again returns the same secret (a receiver may ask after a restart) and
    re-enables an endpoint that a 410 had disabled: its owner says it is back."""
    request = parse(RegisterEndpointRequest, body, {"mode": tenant.mode})
    endpoint_for(db, tenant.account_id, tenant.mode, request.url, now)
    # Locked, so two first registrations agree on one secret.
    endpoint = db.scalars(
        select(WebhookEndpoint)
        .where(
            WebhookEndpoint.account_id == tenant.account_id,
            WebhookEndpoint.mode == tenant.mode,
            WebhookEndpoint.url == request.url,
        )
        .with_for_update()
    ).one()
    endpoint.disabled_at = None
    endpoint.disabled_reason = None
    if endpoint.encrypted_secret is not None:
        try:
            return endpoint, box.decrypt(endpoint.encrypted_secret)
        except DecryptionError:
            # Unusable for signing anyway: a new secret heals the endpoint.
            logger.warning("endpoint secret replaced", extra={"endpoint_id": endpoint.id})
    secret = generate_secret()
    endpoint.encrypted_secret = box.encrypt(secret)
    return endpoint, secret


def endpoint_dict(endpoint: WebhookEndpoint, secret: str) -> dict[str, str]:
    return {"id": endpoint.id, "url": endpoint.url, "secret": secret}
