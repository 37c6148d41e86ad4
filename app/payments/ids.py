"""Public identifiers: a type prefix and 128 random bits."""

from __future__ import annotations

import secrets
from enum import StrEnum


class IdPrefix(StrEnum):
    SESSION = "cs"
    REFUND = "ref"
    SHOP = "shop"
    EVENT = "evt"
    ACCOUNT = "acct"
    API_KEY = "key"
    DELIVERY = "whd"
    ENDPOINT = "we"


def new_id(prefix: str) -> str:
    """`<prefix>_` + 32 hex characters; prefixes of the core are the IdPrefix values."""
    return f"{prefix}_{secrets.token_hex(16)}"
