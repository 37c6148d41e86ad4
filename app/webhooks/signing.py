"""Signing of outbound webhook requests: the one place that produces signature headers.

Two schemes are sent on every request, over the same per-shop secret (DESIGN.md, Webhooks):

* ``x-korea-checkout-signature: t=<unix>,v1=<hex>`` -- HMAC-SHA256 of ``b"<t>." + body``, keyed by
  the whole secret string as UTF-8, exactly as Stripe does, so Stripe-style code ports directly.
* Standard Webhooks (https://www.standardwebhooks.com/) -- ``webhook-signature: v1,<base64>`` over
  ``b"<id>.<t>." + body``, keyed by the base64-decoded part after ``whsec_`` as that spec requires,
  so receivers can use the spec's libraries unchanged.

During secret rotation every active secret signs, one entry per secret in each header; a receiver
holding either secret then verifies. Receivers use ``app/webhooks/verify.py``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"  # noqa: S105 -- a public prefix, not a secret
SECRET_BYTES = 32
# The Standard Webhooks spec allows keys of 24 to 64 bytes; anything else is a corrupt secret.
_MIN_KEY_BYTES = 24
_MAX_KEY_BYTES = 64

SIGNATURE_HEADER = "x-korea-checkout-signature"
EVENT_ID_HEADER = "x-korea-checkout-event-id"
WEBHOOK_ID_HEADER = "webhook-id"
WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp"
WEBHOOK_SIGNATURE_HEADER = "webhook-signature"

# Event ids go into headers and into the signed Standard Webhooks content, so keep them to a
# charset that can neither inject header lines nor contain the "." separator.
_EVENT_ID_RE = re.compile(r"evt_[A-Za-z0-9_-]{1,60}")


class SigningError(ValueError):
    """Inputs that cannot be signed. Messages never contain the secret."""


def generate_secret() -> str:
    """Return a new shop signing secret: ``whsec_`` + padded standard base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def standard_webhooks_key(secret: str) -> bytes:
    """The Standard Webhooks HMAC key of ``secret``: the bytes base64-encoded after ``whsec_``."""
    if not secret.startswith(SECRET_PREFIX):
        raise SigningError("webhook secret lacks the whsec_ prefix")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        # `from None`: keep the decoder's message (and any traceback locals) away from logs.
        raise SigningError("webhook secret is not valid base64") from None
    if not _MIN_KEY_BYTES <= len(key) <= _MAX_KEY_BYTES:
        raise SigningError("webhook secret has the wrong length")
    return key


def sign_korea_checkout(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``b"<timestamp>." + body`` keyed by the secret string as UTF-8."""
    message = f"{timestamp}.".encode("ascii") + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign_standard_webhooks(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """Base64 HMAC-SHA256 of ``b"<id>.<timestamp>." + body`` keyed by the decoded secret."""
    message = f"{event_id}.{timestamp}.".encode("ascii") + body
    digest = hmac.new(standard_webhooks_key(secret), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def build_signature_headers(
    event_id: str, body: bytes, timestamp: int, active_secrets: Sequence[str]
) -> dict[str, str]:
    """Return every webhook header for one delivery attempt.

    ``body`` must be the exact bytes that will be sent; ``timestamp`` is the attempt time in unix
    seconds (re-sign on each retry so receivers' 5-minute tolerance holds). ``active_secrets`` is
    the current secret first, then any still-valid rotated ones.
    """
    _check_inputs(event_id, body, timestamp, active_secrets)
    # dict.fromkeys de-duplicates while keeping order: a repeated secret adds nothing.
    unique = list(dict.fromkeys(active_secrets))
    korea = ",".join(
        [f"t={timestamp}"] + [f"v1={sign_korea_checkout(s, timestamp, body)}" for s in unique]
    )
    standard = " ".join(
        f"v1,{sign_standard_webhooks(s, event_id, timestamp, body)}" for s in unique
    )
    return {
        SIGNATURE_HEADER: korea,
        EVENT_ID_HEADER: event_id,
        WEBHOOK_ID_HEADER: event_id,
        WEBHOOK_TIMESTAMP_HEADER: str(timestamp),
        WEBHOOK_SIGNATURE_HEADER: standard,
    }


def _check_inputs(
    event_id: str, body: bytes, timestamp: int, active_secrets: Sequence[str]
) -> None:
    if not _EVENT_ID_RE.fullmatch(event_id):
        raise SigningError("event id must look like evt_[A-Za-z0-9_-]+")
    if not isinstance(body, bytes):
        raise SigningError("body must be the raw bytes that are sent")
    # bool is an int subclass; True would sign "t=1".
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise SigningError("timestamp must be non-negative unix seconds")
    if isinstance(active_secrets, str) or not active_secrets:
        raise SigningError("at least one secret is needed, as a sequence")
    for secret in active_secrets:
        standard_webhooks_key(secret)  # validates format and length
