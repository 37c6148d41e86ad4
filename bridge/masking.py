"""Short, secret-free excerpts of request and response bodies for the sync log."""

from __future__ import annotations

import json
import re
from typing import Any

EXCERPT_CHARS = 1000
_SENSITIVE_WORDS = r"(?:secret|password|token|api[_-]?key|consumer[_-]?key|authorization|signature)"
SECRET_KEYS = re.compile(_SENSITIVE_WORDS, re.I)
# In JSON text: a key naming a secret with a plain value, or with an object or array value.
# (A quoted string followed by a colon is always a key; values cannot hold a bare quote.)
_SECRET_FIELD = re.compile(
    rf'("[^"\\]*{_SENSITIVE_WORDS}[^"\\]*"\s*:\s*)("(?:[^"\\]|\\.)*"|[-+.\w]+)', re.I
)
_SECRET_TREE = re.compile(rf'"[^"\\]*{_SENSITIVE_WORDS}[^"\\]*"\s*:\s*[\[{{]', re.I)
# Key-like strings wherever they appear (query strings, error messages, nested values).
SECRET_VALUES = re.compile(
    r"\b(ck_[0-9a-zA-Z]{6,}|cs_[0-9a-f]{20,}|sk_(?:test|live)_[0-9a-f]{16,}|whsec_[A-Za-z0-9+/=]{8,})"
)
OAUTH_PARAMS = re.compile(r"(oauth_[a-z_]+|consumer_key|consumer_secret)=[^&\s\"]+", re.I)


def mask_value(text: str) -> str:
    text = SECRET_VALUES.sub(lambda m: f"{m.group(0)[:3]}***", text)
    return OAUTH_PARAMS.sub(lambda m: f"{m.group(1)}=***", text)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: "***" if SECRET_KEYS.search(str(key)) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrub(item) for item in value[:20]]
    if isinstance(value, str):
        return mask_value(value)
    return value


def _masked_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    if not SECRET_KEYS.search(text):
        return text  # no secret-looking name anywhere: nothing to mask by name
    if _SECRET_TREE.search(text):
        # Rare: a whole object under a secret's name. Walk it.
        return json.dumps(_scrub(value), ensure_ascii=False, default=str)
    # The usual case, in C: regular expressions over the text instead of walking the value.
    return _SECRET_FIELD.sub(lambda m: f'{m.group(1)}"***"', text)


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    text = value if isinstance(value, str) else _masked_json(value)
    text = mask_value(text)
    return text if len(text) <= limit else f"{text[:limit]}…"


def hint(secret: str) -> str:
    """What may be shown of a key: its prefix and last four characters."""
    return f"{secret[:3]}…{secret[-4:]}" if len(secret) > 8 else "***"
