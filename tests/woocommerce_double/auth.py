"""WC_REST_Authentication: Basic auth over HTTPS only, OAuth 1.0a one-legged over HTTP.

Only requests to `/wp-json/wc/...` are authenticated. No credentials at all is not an
error here: the endpoint's own permission check answers 401 later. Wrong credentials are
an error even on the public `wc/v3` index (fixture api-index-wrong-secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import quote, unquote

from .errors import WooError
from .models import ApiKey
from .store import Store

OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
)
# WooCommerce accepts OAuth timestamps within 15 minutes of its own clock.
TIMESTAMP_WINDOW = 15 * 60


def auth_error(message: str, code: str = "woocommerce_rest_authentication_error") -> WooError:
    return WooError(code, message, 401)


@dataclass(frozen=True)
class Credentials:
    key: ApiKey | None
    method: str | None  # "basic", "oauth1" or None


def php_params(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """PHP's $_GET: a repeated name keeps its first position and its last value. The
    `woocommerce` client sends every parameter twice; this is why that works."""
    params: dict[str, str] = {}
    for name, value in pairs:
        params[name] = value
    return params


def authenticate(
    store: Store,
    method: str,
    path: str,
    params: dict[str, str],
    basic: tuple[str, str] | None,
    https: bool,
    home: str,
    oauth_header: dict[str, str] | None = None,
) -> Credentials:
    if https:
        return _basic(store, params, basic)
    merged = dict(params)
    if oauth_header:
        merged.update(oauth_header)
    present = [n for n in OAUTH_PARAMS if merged.get(n)]
    if not present:
        return Credentials(None, None)
    missing = [n for n in OAUTH_PARAMS if not merged.get(n)]
    if missing:
        noun = "parameter" if len(missing) == 1 else "parameters"
        raise auth_error(
            f"Missing OAuth {noun} {', '.join(missing)}",
            "woocommerce_rest_authentication_missing_parameter",
        )
    key = store.keys.get(merged["oauth_consumer_key"])
    if key is None:
        raise auth_error("Consumer key is invalid.")
    _check_signature(key, method, path, merged, home)
    _check_timestamp_and_nonce(store, key, merged["oauth_timestamp"], merged["oauth_nonce"])
    return Credentials(key, "oauth1")


def _basic(store: Store, params: dict[str, str], basic: tuple[str, str] | None) -> Credentials:
    if basic is not None:
        consumer_key, consumer_secret = basic
    else:
        consumer_key = params.get("consumer_key", "")
        consumer_secret = params.get("consumer_secret", "")
    if not consumer_key or not consumer_secret:
        return Credentials(None, None)
    key = store.keys.get(consumer_key)
    if key is None:
        raise auth_error("Consumer key is invalid.")
    if not hmac.compare_digest(key.consumer_secret.encode(), consumer_secret.encode()):
        raise auth_error("Consumer secret is invalid.")
    return Credentials(key, "basic")


def rawurlencode(value: str) -> str:
    """PHP rawurlencode(): everything but A-Z a-z 0-9 - _ . ~ is escaped (also "/")."""
    return quote(value, safe="~")


def string_to_sign(method: str, url: str, params: dict[str, str]) -> str:
    """The OAuth base string exactly as WooCommerce builds it (note the double encoding)."""
    signed = {k: v for k, v in params.items() if k != "oauth_signature"}
    # uksort(strcmp) on PHP's top-level keys: "status[0]" sorts under "status".
    ordered = sorted(signed.items(), key=lambda kv: kv[0].split("[", 1)[0])
    pairs = [rawurlencode(f"{rawurlencode(k)}={rawurlencode(v)}") for k, v in ordered]
    return f"{method.upper()}&{rawurlencode(url)}&{'%26'.join(pairs)}"


def sign(method: str, url: str, params: dict[str, str], secret: str, algorithm: str) -> str:
    digest = hashlib.sha256 if algorithm == "HMAC-SHA256" else hashlib.sha1
    base = string_to_sign(method, url, params)
    mac = hmac.new(f"{secret}&".encode(), base.encode(), digest).digest()
    return base64.b64encode(mac).decode()


def _check_signature(
    key: ApiKey, method: str, path: str, params: dict[str, str], home: str
) -> None:
    algorithm = params["oauth_signature_method"]
    if algorithm not in ("HMAC-SHA1", "HMAC-SHA256"):
        raise auth_error("Invalid signature - signature method is invalid.")
    # The URL signed is the *site's* home URL plus the request path, not the Host header.
    url = home + path
    expected = sign(method, url, params, key.consumer_secret, algorithm)
    provided = unquote(params["oauth_signature"].replace(" ", "+"))
    if not hmac.compare_digest(expected.encode(), provided.encode()):
        raise auth_error("Invalid signature - provided signature does not match.")


def _check_timestamp_and_nonce(store: Store, key: ApiKey, timestamp: str, nonce: str) -> None:
    try:
        stamp = int(timestamp)
    except ValueError:
        raise auth_error("Invalid timestamp.") from None
    now = store.clock().timestamp() if store.clock else time.time()
    if abs(stamp - now) > TIMESTAMP_WINDOW:
        raise auth_error("Invalid timestamp.")
    with store.lock:
        if nonce in key.nonces:
            raise auth_error("Invalid nonce - nonce has already been used.")
        key.nonces.add(nonce)


def parse_oauth_header(value: str | None) -> dict[str, str] | None:
    """`Authorization: OAuth k="v", ...`, the other place WooCommerce reads OAuth from."""
    if not value or not value.strip().lower().startswith("oauth "):
        return None
    params: dict[str, str] = {}
    for part in value.strip()[6:].split(","):
        name, _, raw = part.strip().partition("=")
        if name.startswith("oauth_"):
            params[name] = unquote(raw.strip().strip('"'))
    return params


def required_permission_error(key: ApiKey, method: str) -> WooError | None:
    """check_permissions(), run before the route's own checks."""
    if method in ("GET", "HEAD"):
        if not key.permissions.can_read():
            return auth_error("The API key provided does not have read permissions.")
    elif method in ("POST", "PUT", "PATCH", "DELETE") and not key.permissions.can_write():
        return auth_error("The API key provided does not have write permissions.")
    return None
