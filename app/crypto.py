"""Encryption of stored credentials (webhook secrets, WooCommerce keys) with a key derived
from SECRET_KEY. Fernet: AES-128-CBC + HMAC-SHA256, authenticated and timestamped."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class DecryptionError(RuntimeError):
    """Stored ciphertext could not be opened (wrong SECRET_KEY or tampered data)."""


class SecretBox:
    def __init__(self, secret_key: str) -> None:
        digest = hashlib.sha256(b"korea-checkout/stored-credentials\x00" + secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(digest.digest()))

    def __repr__(self) -> str:
        return "SecretBox(***)"

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken as exc:
            raise DecryptionError("stored credential cannot be decrypted") from exc
