"""app.webhooks.signing: secret format, header shape, input validation, a known vector."""

import base64
import re

import pytest

from app.webhooks import signing
from app.webhooks.signing import (
    SigningError,
    build_signature_headers,
    generate_secret,
    sign_standard_webhooks,
    standard_webhooks_key,
)

BODY = '{"id":"evt_1","event":"payment.completed","data":{"name":"홍길동"}}'.encode()


def test_generate_secret_is_whsec_padded_base64_of_32_bytes():
    secret = generate_secret()
    assert secret.startswith("whsec_")
    encoded = secret.removeprefix("whsec_")
    assert len(encoded) == 44  # 32 bytes -> 44 padded base64 characters
    assert encoded.endswith("=")
    assert len(base64.b64decode(encoded, validate=True)) == 32


def test_generate_secret_is_random():
    assert len({generate_secret() for _ in range(20)}) == 20


def test_headers_for_one_secret():
    secret = generate_secret()
    headers = build_signature_headers("evt_abc", BODY, 1_700_000_000, [secret])
    assert set(headers) == {
        "x-korea-checkout-signature",
        "x-korea-checkout-event-id",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
    assert re.fullmatch(r"t=1700000000,v1=[0-9a-f]{64}", headers["x-korea-checkout-signature"])
    assert headers["x-korea-checkout-event-id"] == "evt_abc"
    assert headers["webhook-id"] == "evt_abc"
    assert headers["webhook-timestamp"] == "1700000000"
    assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", headers["webhook-signature"])


def test_rotation_signs_once_per_secret_in_order():
    old, new = generate_secret(), generate_secret()
    headers = build_signature_headers("evt_abc", BODY, 1_700_000_000, [new, old])
    korea = headers["x-korea-checkout-signature"].split(",")
    assert korea[0] == "t=1700000000"
    assert korea[1:] == [
        "v1=" + signing.sign_korea_checkout(new, 1_700_000_000, BODY),
        "v1=" + signing.sign_korea_checkout(old, 1_700_000_000, BODY),
    ]
    standard = headers["webhook-signature"].split(" ")
    assert standard == [
        "v1," + sign_standard_webhooks(new, "evt_abc", 1_700_000_000, BODY),
        "v1," + sign_standard_webhooks(old, "evt_abc", 1_700_000_000, BODY),
    ]


def test_repeated_secret_signs_once():
    secret = generate_secret()
    headers = build_signature_headers("evt_abc", BODY, 1, [secret, secret])
    assert headers["x-korea-checkout-signature"].count("v1=") == 1
    assert headers["webhook-signature"].count("v1,") == 1


def test_schemes_use_different_keys():
    # The Korea Checkout key is the secret string; the Standard Webhooks key its decoded bytes.
    secret = generate_secret()
    assert standard_webhooks_key(secret) == base64.b64decode(secret.removeprefix("whsec_"))
    assert standard_webhooks_key(secret) != secret.encode()


def test_standard_webhooks_known_vector():
    # Test vector from the Standard Webhooks reference libraries.
    signature = sign_standard_webhooks(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )
    assert signature == "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.mark.parametrize(
    "event_id",
    ["abc", "evt_", "evt_a.b", "evt_a\r\nx-evil: 1", "evt_a b", "evt_" + "a" * 61, "EVT_a"],
)
def test_bad_event_ids_are_refused(event_id):
    with pytest.raises(SigningError, match="event id"):
        build_signature_headers(event_id, BODY, 1, [generate_secret()])


@pytest.mark.parametrize("timestamp", [-1, True, 1.5, "1700000000"])
def test_bad_timestamps_are_refused(timestamp):
    with pytest.raises(SigningError, match="timestamp"):
        build_signature_headers("evt_a", BODY, timestamp, [generate_secret()])


def test_body_must_be_bytes():
    with pytest.raises(SigningError, match="bytes"):
        build_signature_headers("evt_a", BODY.decode(), 1, [generate_secret()])


@pytest.mark.parametrize("secrets", [[], (), "whsec_" + "A" * 44])
def test_secrets_must_be_a_non_empty_sequence(secrets):
    with pytest.raises(SigningError, match="secret"):
        build_signature_headers("evt_a", BODY, 1, secrets)


@pytest.mark.parametrize(
    "secret",
    [
        "sk_" + "A" * 44,  # wrong prefix
        "whsec_not*base64*at*all!!",
        "whsec_" + base64.b64encode(b"x" * 8).decode(),  # too short
        "whsec_" + base64.b64encode(b"x" * 65).decode(),  # too long
    ],
)
def test_malformed_secrets_are_refused_without_echoing_them(secret):
    with pytest.raises(SigningError) as excinfo:
        build_signature_headers("evt_a", BODY, 1, [secret])
    assert secret not in str(excinfo.value)
    assert secret.removeprefix("whsec_")[:8] not in str(excinfo.value)
    assert excinfo.value.__cause__ is None
