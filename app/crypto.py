"""Encryption of stored credentials (webhook secrets, WooCommerce keys, the bridge's API keys).

Fernet (AES-128-CBC + HMAC-SHA256, authenticated) under a key set, so the key can be rotated:
every ciphertext is ``<key id>$<fernet token>``, the first key of the set encrypts, and
decryption picks the key by its id (no trial decryption across keys). Ciphertexts written
before key ids existed carry no id; they open with the old SHA-256 derivation of SECRET_KEY
(or BRIDGE_ENCRYPTION_KEY), kept as legacy keys, until ``flask secrets reencrypt`` rewrites them.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.keys import purpose_key

#: The key derived from SECRET_KEY; current when ENCRYPTION_KEYS is unset, readable always.
DERIVED_KEY_ID = "derived"
KEY_PURPOSE = "stored-credentials"
SEPARATOR = "$"
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class DecryptionError(RuntimeError):
    """Stored ciphertext could not be opened (unknown key id, wrong key or tampered data)."""


class InvalidKeySet(ValueError):
    """ENCRYPTION_KEYS is not a list of ``kid:base64key`` entries."""


@dataclass(frozen=True)
class KeyEntry:
    kid: str
    key: bytes = field(repr=False)  # a urlsafe-base64 Fernet key


def parse_key_set(text: str) -> list[KeyEntry]:
    """``kid:key,kid:key`` (first = current) as entries; the messages never quote a key."""
    entries: list[KeyEntry] = []
    for position, item in enumerate(part.strip() for part in text.split(",") if part.strip()):
        kid, sep, key = item.partition(":")
        if not sep or not KEY_ID.fullmatch(kid):
            raise InvalidKeySet(
                f"ENCRYPTION_KEYS entry {position + 1} must be 'kid:key' with a key id "
                "of 1-32 letters, digits, '_' or '-'"
            )
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            # `from None`: the library's error would sit next to the key in a traceback.
            raise InvalidKeySet(
                f"ENCRYPTION_KEYS key '{kid}' is not a urlsafe-base64 32-byte key"
            ) from None
        if any(entry.kid == kid for entry in entries):
            raise InvalidKeySet(f"ENCRYPTION_KEYS names key id '{kid}' twice")
        entries.append(KeyEntry(kid, key.encode("ascii")))
    return entries


def new_key_line(kid: str) -> str:
    """A fresh ``kid:key`` entry for ENCRYPTION_KEYS."""
    if not KEY_ID.fullmatch(kid):
        raise InvalidKeySet("a key id is 1-32 letters, digits, '_' or '-'")
    return f"{kid}:{Fernet.generate_key().decode('ascii')}"


def new_key_id() -> str:
    return "k" + secrets.token_hex(4)


def derived_key(root_secret: str) -> KeyEntry:
    key = base64.urlsafe_b64encode(purpose_key(root_secret, KEY_PURPOSE))
    return KeyEntry(DERIVED_KEY_ID, key)


def legacy_key(secret: str) -> bytes:
    """The derivation used before key sets: kept only to read existing rows."""
    digest = hashlib.sha256(b"korea-checkout/stored-credentials\x00" + secret.encode())
    return base64.urlsafe_b64encode(digest.digest())


class SecretBox:
    def __init__(self, keys: Sequence[KeyEntry], legacy_keys: Iterable[bytes] = ()) -> None:
        if not keys:
            raise InvalidKeySet("a key set needs at least one key")
        self.current_kid = keys[0].kid
        # Later entries with a listed id never shadow an earlier one.
        self._fernets: dict[str, Fernet] = {}
        for entry in keys:
            self._fernets.setdefault(entry.kid, Fernet(entry.key))
        legacy = [Fernet(key) for key in dict.fromkeys(legacy_keys)]
        self._legacy = MultiFernet(legacy) if legacy else None

    def __repr__(self) -> str:
        return f"SecretBox(current={self.current_kid!r}, ***)"

    def encrypt(self, plaintext: str) -> str:
        token = self._fernets[self.current_kid].encrypt(plaintext.encode()).decode("ascii")
        return f"{self.current_kid}{SEPARATOR}{token}"

    def decrypt(self, ciphertext: str) -> str:
        kid, sep, token = ciphertext.rpartition(SEPARATOR)
        fernet: Fernet | MultiFernet | None = self._fernets.get(kid) if sep else self._legacy
        if fernet is None:
            raise DecryptionError("stored credential uses a key that is not configured")
        try:
            return fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as exc:
            raise DecryptionError("stored credential cannot be decrypted") from exc

    def is_current(self, ciphertext: str) -> bool:
        """Whether `ciphertext` is already under the current key (re-encryption skips it)."""
        return ciphertext.startswith(self.current_kid + SEPARATOR)

    def reencrypt(self, ciphertext: str) -> str:
        return self.encrypt(self.decrypt(ciphertext))


def build_secret_box(configured: str, root_secret: str, legacy_secrets: Iterable[str]) -> SecretBox:
    """The key set: ENCRYPTION_KEYS (first encrypts), then the key derived from SECRET_KEY
    (current when nothing is configured, so an embedded install needs no setting), plus the
    pre-key-set derivations of `legacy_secrets` for rows written before key ids."""
    keys = [*parse_key_set(configured), derived_key(root_secret)]
    return SecretBox(keys, [legacy_key(secret) for secret in legacy_secrets if secret])
