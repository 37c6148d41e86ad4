"""Stored secrets under a key set: tagged with their key id, rotatable, legacy rows readable."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app.crypto import (
    DERIVED_KEY_ID,
    DecryptionError,
    InvalidKeySet,
    KeyEntry,
    SecretBox,
    build_secret_box,
    legacy_key,
    new_key_line,
    parse_key_set,
)

OLD = KeyEntry("k0", Fernet.generate_key())
NEW = KeyEntry("k1", Fernet.generate_key())


def test_ciphertext_names_its_key_and_opens_again():
    box = SecretBox([OLD])
    ciphertext = box.encrypt("whsec_abc")
    assert ciphertext.startswith("k0$")
    assert "whsec_abc" not in ciphertext
    assert box.decrypt(ciphertext) == "whsec_abc"
    assert box.is_current(ciphertext)


def test_rotation_add_new_key_first_reencrypt_then_drop_old():
    stored = SecretBox([OLD]).encrypt("ck_secret")
    during = SecretBox([NEW, OLD])
    assert during.decrypt(stored) == "ck_secret"  # old rows still open while rotating
    assert not during.is_current(stored)
    rewritten = during.reencrypt(stored)
    assert rewritten.startswith("k1$")
    after = SecretBox([NEW])
    assert after.decrypt(rewritten) == "ck_secret"
    with pytest.raises(DecryptionError):
        after.decrypt(stored)  # the dropped key's rows are gone for good


def test_unknown_key_id_is_a_decryption_error():
    token = Fernet(NEW.key).encrypt(b"secret").decode()
    with pytest.raises(DecryptionError):
        SecretBox([OLD]).decrypt(f"k9${token}")


def test_token_under_the_wrong_key_or_tampered_is_a_decryption_error():
    box = SecretBox([OLD])
    foreign = Fernet(NEW.key).encrypt(b"secret").decode()
    with pytest.raises(DecryptionError):
        box.decrypt(f"k0${foreign}")
    with pytest.raises(DecryptionError):
        box.decrypt(box.encrypt("secret")[:-4] + "AAAA")
    with pytest.raises(DecryptionError):
        box.decrypt("k0$not-a-token-한글")


def test_rows_from_before_key_sets_stay_readable():
    """Untagged tokens made with the old SHA-256 derivation of SECRET_KEY (or of
    BRIDGE_ENCRYPTION_KEY) open through the legacy keys; new writes use the key set."""
    old_app = Fernet(legacy_key("root-secret")).encrypt(b"whsec_old").decode()
    old_bridge = Fernet(legacy_key("bridge-key")).encrypt(b"ck_old").decode()
    box = build_secret_box("", "root-secret", ["root-secret", "bridge-key"])
    assert box.decrypt(old_app) == "whsec_old"
    assert box.decrypt(old_bridge) == "ck_old"
    assert not box.is_current(old_app)
    assert box.encrypt("new").startswith(f"{DERIVED_KEY_ID}$")
    with pytest.raises(DecryptionError):
        build_secret_box("", "root-secret", []).decrypt(old_app)


def test_configured_keys_come_first_and_the_derived_key_stays_readable():
    derived_only = build_secret_box("", "root-secret", [])
    before = derived_only.encrypt("whsec_x")
    configured = build_secret_box(new_key_line("k1"), "root-secret", [])
    assert configured.current_kid == "k1"
    assert configured.decrypt(before) == "whsec_x"
    # Another root secret derives another key.
    with pytest.raises(DecryptionError):
        build_secret_box("", "other-root", []).decrypt(before)


def test_parse_key_set_keeps_order():
    text = f" {new_key_line('k2')} , {new_key_line('k1')} "
    assert [entry.kid for entry in parse_key_set(text)] == ["k2", "k1"]
    assert parse_key_set("") == []


@pytest.mark.parametrize(
    "text",
    [
        "no-colon",
        "bad id!:" + Fernet.generate_key().decode(),
        "k1:not-a-fernet-key",
        "k1:" + Fernet.generate_key().decode() + ",k1:" + Fernet.generate_key().decode(),
        "k1:키",
    ],
)
def test_malformed_key_sets_are_refused_without_quoting_keys(text: str):
    with pytest.raises(InvalidKeySet) as caught:
        parse_key_set(text)
    for part in text.split(","):
        key = part.partition(":")[2]
        if key:
            assert key not in str(caught.value)


def test_repr_shows_no_key():
    box = SecretBox([OLD])
    assert OLD.key.decode() not in repr(box)
    assert OLD.key.decode() not in repr(OLD)
