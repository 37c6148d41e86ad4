"""Keys for separate purposes, derived from one root secret (SECRET_KEY).

Each purpose (CSRF, sandbox seals, the shopper's checkout capability, ...) gets its own key
through HKDF-SHA256 with the purpose as its info label, so a key leaked or misused in one place
says nothing about the others, and no two mechanisms ever share raw key material.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SALT = b"korea-checkout/purpose-keys/v1"


def purpose_key(root_secret: str, purpose: str, length: int = 32) -> bytes:
    """A `length`-byte key for `purpose` (a short constant label such as "csrf")."""
    if not purpose:
        raise ValueError("a key purpose is required")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=SALT, info=purpose.encode())
    return hkdf.derive(root_secret.encode())
