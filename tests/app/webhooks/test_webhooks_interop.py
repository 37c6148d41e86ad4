"""Signatures checked by implementations that share no code with app.webhooks.

(a) the PyPI `standardwebhooks` package, (b) a Stripe-style verifier written here from the
contract, (c) PHP running docs/verify_webhook.php. PHP is required: CI installs php-cli, so a
missing interpreter fails rather than skips.
"""

import base64
import hashlib
import hmac
import json
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from app.webhooks.signing import build_signature_headers, generate_secret

EVENT_ID = "evt_interop_1"
BODY = json.dumps(
    {
        "id": EVENT_ID,
        "event": "payment.refunded",
        "createdAt": "2024-01-01T12:00:00Z",
        "data": {"customer": {"name": "김철수"}, "totalAmount": 29000},
    },
    ensure_ascii=False,
).encode()
TAMPERED = BODY.replace(b"29000", b"29001")
PHP_LIB = Path(__file__).resolve().parents[3] / "docs" / "verify_webhook.php"


def now():
    return int(time.time())


# ---- (a) standardwebhooks ------------------------------------------------------------------


def test_standardwebhooks_accepts_our_headers():
    secret = generate_secret()
    headers = build_signature_headers(EVENT_ID, BODY, now(), [secret])
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)


def test_standardwebhooks_signs_what_we_sign():
    secret = generate_secret()
    ts = now()
    ours = build_signature_headers(EVENT_ID, BODY, ts, [secret])["webhook-signature"]
    theirs = Webhook(secret).sign(EVENT_ID, datetime.fromtimestamp(ts, UTC), BODY.decode())
    assert ours == theirs


def test_standardwebhooks_accepts_either_secret_during_rotation():
    old, new = generate_secret(), generate_secret()
    headers = build_signature_headers(EVENT_ID, BODY, now(), [new, old])
    assert Webhook(old).verify(BODY, headers)["id"] == EVENT_ID
    assert Webhook(new).verify(BODY, headers)["id"] == EVENT_ID


@pytest.mark.parametrize(
    ("body", "offset", "use_other_secret", "message"),
    [
        (TAMPERED, 0, False, "No matching signature"),
        (BODY, -400, False, "too old"),
        (BODY, 400, False, "too new"),
        (BODY, 0, True, "No matching signature"),
    ],
)
def test_standardwebhooks_rejects(body, offset, use_other_secret, message):
    secret = generate_secret()
    headers = build_signature_headers(EVENT_ID, BODY, now() + offset, [secret])
    key = generate_secret() if use_other_secret else secret
    with pytest.raises(WebhookVerificationError, match=message):
        Webhook(key).verify(body, headers)


# ---- (b) Stripe-style verifier, written from the contract ----------------------------------


def stripe_style_verify(body, header, secret, current, tolerance=300):
    pairs = [item.split("=", 1) for item in header.split(",")]
    timestamps = [v for k, v in pairs if k == "t"]
    signatures = [v for k, v in pairs if k == "v1"]
    if len(timestamps) != 1 or abs(current - int(timestamps[0])) > tolerance:
        return False
    payload = timestamps[0].encode() + b"." + body
    expected = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s) for s in signatures)


def korea_header(secrets, ts):
    return build_signature_headers(EVENT_ID, BODY, ts, secrets)["x-korea-checkout-signature"]


def test_stripe_style_accepts_our_header():
    secret = generate_secret()
    ts = now()
    assert stripe_style_verify(BODY, korea_header([secret], ts), secret, ts)


def test_stripe_style_accepts_either_secret_during_rotation():
    old, new = generate_secret(), generate_secret()
    ts = now()
    header = korea_header([new, old], ts)
    assert header.count(",v1=") == 2
    assert stripe_style_verify(BODY, header, old, ts)
    assert stripe_style_verify(BODY, header, new, ts)


def test_stripe_style_rejects_tampering_time_and_secret():
    secret = generate_secret()
    ts = now()
    header = korea_header([secret], ts)
    assert not stripe_style_verify(TAMPERED, header, secret, ts)
    assert not stripe_style_verify(BODY, header, secret, ts + 301)
    assert not stripe_style_verify(BODY, header, secret, ts - 301)
    assert not stripe_style_verify(BODY, header, generate_secret(), ts)


def test_korea_key_is_the_secret_string_not_its_decoded_bytes():
    secret = generate_secret()
    ts = now()
    decoded = base64.b64decode(secret.removeprefix("whsec_"))
    wrong = hmac.new(decoded, f"{ts}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert f"v1={wrong}" not in korea_header([secret], ts)


# ---- (c) PHP --------------------------------------------------------------------------------

PHP_DRIVER = r"""
$in = json_decode(stream_get_contents(STDIN), true);
require $in['lib'];
$body = base64_decode($in['body']);
echo json_encode([
    'korea' => korea_checkout_verify_signature($body, $in['korea'], $in['secret'], 300, $in['now']),
    'standard' => korea_checkout_verify_standard_webhook(
        $body, $in['id'], $in['ts'], $in['std'], $in['secret'], 300, $in['now']
    ),
]);
"""


def run_php(body, headers, secret, current):
    php = shutil.which("php")
    assert php, "php is required (apt-get install -y php-cli); CI installs it"
    request = {
        "lib": str(PHP_LIB),
        "body": base64.b64encode(body).decode(),
        "korea": headers["x-korea-checkout-signature"],
        "id": headers["webhook-id"],
        "ts": headers["webhook-timestamp"],
        "std": headers["webhook-signature"],
        "secret": secret,
        "now": current,
    }
    done = subprocess.run(
        [php, "-d", "display_errors=stderr", "-r", PHP_DRIVER],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert done.stderr == ""
    return json.loads(done.stdout)


def test_php_file_has_valid_syntax():
    php = shutil.which("php")
    assert php, "php is required (apt-get install -y php-cli); CI installs it"
    done = subprocess.run([php, "-l", str(PHP_LIB)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_php_accepts_a_genuine_request():
    secret = generate_secret()
    ts = now()
    headers = build_signature_headers(EVENT_ID, BODY, ts, [secret])
    assert run_php(BODY, headers, secret, ts) == {"korea": True, "standard": True}


def test_php_accepts_either_secret_during_rotation():
    old, new = generate_secret(), generate_secret()
    ts = now()
    headers = build_signature_headers(EVENT_ID, BODY, ts, [new, old])
    assert run_php(BODY, headers, old, ts) == {"korea": True, "standard": True}
    assert run_php(BODY, headers, new, ts) == {"korea": True, "standard": True}


@pytest.mark.parametrize(
    ("case", "offset"),
    [("tampered", 0), ("old", -301), ("future", 301), ("wrong_secret", 0)],
)
def test_php_rejects(case, offset):
    secret = generate_secret()
    ts = now()
    headers = build_signature_headers(EVENT_ID, BODY, ts, [secret])
    body = TAMPERED if case == "tampered" else BODY
    key = generate_secret() if case == "wrong_secret" else secret
    assert run_php(body, headers, key, ts - offset) == {"korea": False, "standard": False}


@pytest.mark.parametrize("empty", ["", "whsec_"])
def test_php_refuses_an_empty_secret_even_with_a_matching_forgery(empty):
    ts = now()
    headers = build_signature_headers(EVENT_ID, BODY, ts, [generate_secret()])
    forged_korea = hmac.new(empty.encode(), f"{ts}.".encode() + BODY, hashlib.sha256).hexdigest()
    forged_standard = hmac.new(b"", f"{EVENT_ID}.{ts}.".encode() + BODY, hashlib.sha256).digest()
    headers["x-korea-checkout-signature"] = f"t={ts},v1={forged_korea}"
    headers["webhook-signature"] = "v1," + base64.b64encode(forged_standard).decode()
    assert run_php(BODY, headers, empty, ts) == {"korea": False, "standard": False}
