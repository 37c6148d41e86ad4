"""Receiver-side verification of Korea Checkout webhooks.

Standard library only, and importing nothing else from this project, so merchants can copy this
file into their own code. Two schemes are checked the same way:

* ``x-korea-checkout-signature: t=<unix>,v1=<hex>[,v1=<hex>...]`` -- ``verify_signature``
* Standard Webhooks ``webhook-id`` / ``webhook-timestamp`` / ``webhook-signature`` --
  ``verify_standard_webhook``

Always pass the raw request body bytes (re-serialised JSON will not match), keep the default
5-minute tolerance, and deduplicate on the event id: deliveries are at least once.

Example (Flask)::

    from verify import WebhookVerificationError, verify_webhook

    body = request.get_data()  # raw bytes, before any JSON parsing
    try:
        event = verify_webhook(body, request.headers, secret)
    except WebhookVerificationError:
        abort(400)
    if already_processed(event["id"]):  # deliveries are at least once
        return "", 200
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "MalformedHeaderError",
    "NoMatchingSignatureError",
    "TimestampOutOfToleranceError",
    "WebhookVerificationError",
    "verify_signature",
    "verify_standard_webhook",
    "verify_webhook",
]

DEFAULT_TOLERANCE_SECONDS = 300
SIGNATURE_HEADER = "x-korea-checkout-signature"
EVENT_ID_HEADER = "x-korea-checkout-event-id"
_SECRET_PREFIX = "whsec_"  # noqa: S105 -- a public prefix, not a secret


class WebhookVerificationError(ValueError):
    """The request is not a genuine, fresh Korea Checkout webhook: answer 400 and ignore it."""


class MalformedHeaderError(WebhookVerificationError):
    """A signature header is missing or cannot be parsed."""


class TimestampOutOfToleranceError(WebhookVerificationError):
    """The signed timestamp is too far from now (replay, or a badly wrong clock)."""


class NoMatchingSignatureError(WebhookVerificationError):
    """No signature matches: wrong secret, or the body or headers were changed."""


def verify_signature(
    body: bytes,
    header: str | None,
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: int | None = None,
) -> int:
    """Verify an ``x-korea-checkout-signature`` header; return its timestamp.

    The HMAC key is the whole secret string (``whsec_...``) as UTF-8, as Stripe does. An empty
    secret raises ``ValueError``: a configuration error, not a bad request.
    """
    _require_secret(secret)
    if not header:
        raise MalformedHeaderError("missing x-korea-checkout-signature header")
    timestamp: str | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise MalformedHeaderError("malformed x-korea-checkout-signature header")
        if key == "t":
            if timestamp is not None:
                raise MalformedHeaderError("repeated t= in x-korea-checkout-signature header")
            timestamp = value
        elif key == "v1":
            candidates.append(value)
        # Other keys are future schemes: ignored, so adding one never breaks old receivers.
    if timestamp is None or not candidates:
        raise MalformedHeaderError("x-korea-checkout-signature header lacks t= or v1=")
    signed_at = _check_timestamp(timestamp, tolerance, now)
    message = timestamp.encode("ascii") + b"." + body
    expected = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest().encode()
    for candidate in candidates:
        # Compare bytes: compare_digest rejects non-ASCII str, and headers come from the sender.
        if hmac.compare_digest(expected, candidate.encode("utf-8", "replace")):
            return signed_at
    raise NoMatchingSignatureError("no matching v1 signature")


def verify_standard_webhook(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: int | None = None,
) -> str:
    """Verify the Standard Webhooks headers; return the message (event) id.

    The HMAC key is the base64-decoded part of the secret after ``whsec_``, as that spec says.
    An empty or undecodable secret raises ``ValueError``: a configuration error, not a bad request.
    """
    key = _standard_key(secret)
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not (msg_id and timestamp and signatures):
        raise MalformedHeaderError("missing webhook-id, webhook-timestamp or webhook-signature")
    _check_timestamp(timestamp, tolerance, now)
    message = f"{msg_id}.{timestamp}.".encode() + body
    expected = hmac.new(key, message, hashlib.sha256).digest()
    for entry in signatures.split():
        version, sep, encoded = entry.partition(",")
        if not sep or version != "v1":
            continue  # other versions (e.g. asymmetric v1a) are not ours to check
        try:
            candidate = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if hmac.compare_digest(expected, candidate):
            return msg_id
    raise NoMatchingSignatureError("no matching webhook-signature")


def verify_webhook(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: int | None = None,
) -> dict[str, Any]:
    """Verify a request by its ``x-korea-checkout-signature``; return the parsed event.

    Deduplicate on the returned event's ``"id"``: it is covered by the signature, whereas the
    ``x-korea-checkout-event-id`` header is not (it is only checked to agree).
    """
    verify_signature(body, _header(headers, SIGNATURE_HEADER), secret, tolerance=tolerance, now=now)
    try:
        event = json.loads(body)
    except ValueError:
        raise MalformedHeaderError("signed body is not JSON") from None
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise MalformedHeaderError("signed body has no event id")
    header_id = _header(headers, EVENT_ID_HEADER)
    if header_id is not None and header_id != event["id"]:
        raise MalformedHeaderError("x-korea-checkout-event-id does not match the body")
    return event


def _check_timestamp(value: str, tolerance: int, now: int | None) -> int:
    # Digits only: int() would also accept "+1", " 1" or "1_000", which no sender produces.
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise MalformedHeaderError("signature timestamp is not unix seconds")
    signed_at = int(value)
    current = int(time.time()) if now is None else now
    # Both directions: a timestamp far in the future is as suspect as an old one.
    if abs(current - signed_at) > tolerance:
        raise TimestampOutOfToleranceError("signature timestamp outside tolerance")
    return signed_at


def _require_secret(secret: str) -> None:
    # An empty key (unset environment variable) would let anyone compute a valid signature.
    # ValueError, not WebhookVerificationError: this is the receiver's configuration, not the
    # request, and must not be answered like a bad request.
    if not secret or secret == _SECRET_PREFIX:
        raise ValueError("webhook secret is empty")


def _standard_key(secret: str) -> bytes:
    _require_secret(secret)
    encoded = secret[len(_SECRET_PREFIX) :] if secret.startswith(_SECRET_PREFIX) else secret
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        # `from None`: never chain an error that could echo the secret.
        raise ValueError("webhook secret is not whsec_ followed by base64") from None
    if not key:
        raise ValueError("webhook secret is empty")
    return key


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # HTTP header names are case-insensitive; plain dicts are not.
    value = headers.get(name)
    if value is not None:
        return value
    for key, candidate in headers.items():
        if key.lower() == name:
            return candidate
    return None
