"""Short excerpts of request and response bodies for the sync log, without secrets or the
customer's personal data. Identifiers (sessions `cs_`, events `evt_`, refunds `ref_`, order
numbers) stay readable: they are what an operator searches the log for."""

from __future__ import annotations

import json
import re
from typing import Any

EXCERPT_CHARS = 1000
MASK = "***"
_SENSITIVE_WORDS = r"(?:secret|password|token|api[_-]?key|consumer[_-]?key|authorization|signature)"
SECRET_KEYS = re.compile(_SENSITIVE_WORDS, re.I)
# WooCommerce order fields holding the customer's name, contact details and address.
_PERSONAL_NAMES = (
    r"(?:first_name|last_name|company|email|phone|address_1|address_2|postcode"
    r"|customer_note|customer_ip_address|customer_user_agent)"
)
PERSONAL_KEYS = re.compile(rf"^{_PERSONAL_NAMES}$", re.I)
# A JSON key naming a secret (anywhere in the name) or personal data (the whole name).
_MASKED_KEY = rf'"(?:[^"\\]*{_SENSITIVE_WORDS}[^"\\]*|{_PERSONAL_NAMES})"'
_MASKED_NAMES = re.compile(rf"{_MASKED_KEY}\s*:", re.I)
# In JSON text: such a key with a plain value, or with an object or array value.
# (A quoted string followed by a colon is always a key; values cannot hold a bare quote.)
_MASKED_FIELD = re.compile(rf'({_MASKED_KEY}\s*:\s*)("(?:[^"\\]|\\.)*"|[-+.\w]+)', re.I)
_MASKED_TREE = re.compile(rf"{_MASKED_KEY}\s*:\s*[\[{{]", re.I)
# Key-like strings wherever they appear (query strings, error messages, nested values).
# WooCommerce consumer secrets are `cs_` + 40 hex; session ids (`cs_` + 32 hex) are not.
SECRET_VALUES = re.compile(
    r"\b(ck_[0-9a-zA-Z]{6,}|cs_[0-9a-f]{40}(?![0-9a-f])|sk_(?:test|live)_[0-9a-f]{16,}"
    r"|whsec_[A-Za-z0-9+/=]{8,})"
)
OAUTH_PARAMS = re.compile(r"(oauth_[a-z_]+|consumer_key|consumer_secret)=[^&\s\"]+", re.I)
# The shopper's capability in a checkoutUrl (`/checkout/cs_...?t=...`): whoever holds it can
# act on the session, so a log never shows it.
CHECKOUT_CAPABILITY = re.compile(r"(/checkout/[\w-]+\?(?:[^\s\"#]*&)?t=)[\w-]+")
# Personal data in free text (error messages, notes): e-mail addresses and Korean phone
# numbers (mobile with or without separators, other numbers with them).
EMAILS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONES = re.compile(
    r"(?<![\w-])(?:\+82[-. ]?|0)"
    r"(?:1[016789][-. ]?\d{3,4}[-. ]?\d{4}|[2-6]\d?[-. ]\d{3,4}[-. ]\d{4})"
    r"(?![\w-])"
)


def mask_value(text: str) -> str:
    # A store's answer may hold NUL, which PostgreSQL text cannot: the row would never be
    # written (and the task's outcome with it).
    text = text.replace("\x00", "\ufffd")
    text = SECRET_VALUES.sub(lambda m: f"{m.group(0)[:3]}{MASK}", text)
    text = OAUTH_PARAMS.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = CHECKOUT_CAPABILITY.sub(lambda m: f"{m.group(1)}{MASK}", text)
    text = EMAILS.sub(MASK, text)
    return PHONES.sub(MASK, text)


def _masked_key(key: Any) -> bool:
    name = str(key)
    return bool(SECRET_KEYS.search(name) or PERSONAL_KEYS.match(name))


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: MASK if _masked_key(key) else _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value[:20]]
    if isinstance(value, str):
        return mask_value(value)
    return value


def _mask_field(match: re.Match[str]) -> str:
    # An empty value stays empty: it says the field was blank, and nothing about anyone.
    return match.group(0) if match.group(2) == '""' else f'{match.group(1)}"{MASK}"'


def _masked_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    if not _MASKED_NAMES.search(text):
        return text  # nothing secret or personal named anywhere: nothing to mask by name
    if _MASKED_TREE.search(text):
        # Rare: a whole object under such a name. Walk it.
        return json.dumps(_scrub(value), ensure_ascii=False, default=str)
    # The usual case, in C: regular expressions over the text instead of walking the value.
    return _MASKED_FIELD.sub(_mask_field, text)


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    text = value if isinstance(value, str) else _masked_json(value)
    text = mask_value(text)
    return text if len(text) <= limit else f"{text[:limit]}…"


def hint(secret: str) -> str:
    """What may be shown of a key: its prefix and last four characters."""
    return f"{secret[:3]}…{secret[-4:]}" if len(secret) > 8 else MASK
