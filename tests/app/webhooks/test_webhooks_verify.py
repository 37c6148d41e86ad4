"""app.webhooks.verify (the published receiver helper) against what signing.py sends."""

import ast
import base64
import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.webhooks import signing, verify
from app.webhooks.signing import build_signature_headers, generate_secret
from app.webhooks.verify import (
    MalformedHeaderError,
    NoMatchingSignatureError,
    TimestampOutOfToleranceError,
    WebhookVerificationError,
    verify_signature,
    verify_standard_webhook,
    verify_webhook,
)

NOW = 1_700_000_000
EVENT_ID = "evt_01HZX3"
BODY = json.dumps(
    {
        "id": EVENT_ID,
        "event": "payment.completed",
        "createdAt": "2024-01-01T12:00:00Z",
        "data": {"customer": {"name": "홍길동"}, "totalAmount": 29000},
    },
    ensure_ascii=False,
).encode()


def signed(secrets, *, body=BODY, timestamp=NOW, event_id=EVENT_ID):
    return build_signature_headers(event_id, body, timestamp, secrets)


def flip_one_byte(body):
    return body[:10] + bytes([body[10] ^ 0x01]) + body[11:]


@pytest.fixture
def secret():
    return generate_secret()


def test_both_schemes_accept_a_genuine_request(secret):
    headers = signed([secret])
    sig = headers["x-korea-checkout-signature"]
    assert verify_signature(BODY, sig, secret, now=NOW) == NOW
    assert verify_standard_webhook(BODY, headers, secret, now=NOW) == EVENT_ID
    assert verify_webhook(BODY, headers, secret, now=NOW)["id"] == EVENT_ID


@pytest.mark.parametrize("offset", [-300, 300])
def test_tolerance_edges_are_accepted(secret, offset):
    headers = signed([secret], timestamp=NOW + offset)
    assert verify_signature(BODY, headers["x-korea-checkout-signature"], secret, now=NOW)
    assert verify_standard_webhook(BODY, headers, secret, now=NOW) == EVENT_ID


@pytest.mark.parametrize("offset", [-301, 301, -86_400])
def test_old_and_future_timestamps_are_refused(secret, offset):
    headers = signed([secret], timestamp=NOW + offset)
    with pytest.raises(TimestampOutOfToleranceError):
        verify_signature(BODY, headers["x-korea-checkout-signature"], secret, now=NOW)
    with pytest.raises(TimestampOutOfToleranceError):
        verify_standard_webhook(BODY, headers, secret, now=NOW)


def test_body_changed_by_one_byte_is_refused(secret):
    headers = signed([secret])
    tampered = flip_one_byte(BODY)
    assert tampered != BODY
    with pytest.raises(NoMatchingSignatureError):
        verify_signature(tampered, headers["x-korea-checkout-signature"], secret, now=NOW)
    with pytest.raises(NoMatchingSignatureError):
        verify_standard_webhook(tampered, headers, secret, now=NOW)


def test_wrong_secret_is_refused(secret):
    headers = signed([secret])
    other = generate_secret()
    with pytest.raises(NoMatchingSignatureError):
        verify_signature(BODY, headers["x-korea-checkout-signature"], other, now=NOW)
    with pytest.raises(NoMatchingSignatureError):
        verify_standard_webhook(BODY, headers, other, now=NOW)


def test_rotation_both_secrets_accepted(secret):
    new = generate_secret()
    headers = signed([new, secret])
    for key in (new, secret):
        assert verify_signature(BODY, headers["x-korea-checkout-signature"], key, now=NOW) == NOW
        assert verify_standard_webhook(BODY, headers, key, now=NOW) == EVENT_ID
    with pytest.raises(NoMatchingSignatureError):
        verify_standard_webhook(BODY, headers, generate_secret(), now=NOW)


def test_timestamp_is_signed(secret):
    # Moving t= forward (to dodge the tolerance) must break the signature.
    sig = signed([secret], timestamp=NOW - 1000)["x-korea-checkout-signature"]
    forged = sig.replace(f"t={NOW - 1000}", f"t={NOW}")
    with pytest.raises(NoMatchingSignatureError):
        verify_signature(BODY, forged, secret, now=NOW)
    headers = dict(signed([secret], timestamp=NOW - 1000), **{"webhook-timestamp": str(NOW)})
    with pytest.raises(NoMatchingSignatureError):
        verify_standard_webhook(BODY, headers, secret, now=NOW)


def test_standard_webhook_id_is_signed(secret):
    headers = dict(signed([secret]), **{"webhook-id": "evt_other"})
    with pytest.raises(NoMatchingSignatureError):
        verify_standard_webhook(BODY, headers, secret, now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "t=1700000000",
        "v1=abc",
        "t=1700000000,garbage",
        "t=1700000000,t=1700000000,v1=abc",
        "t=+1700000000,v1=abc",
        "t=17e8,v1=abc",
        "t=١٧٠٠٠٠٠٠٠٠,v1=abc",  # Arabic-Indic digits pass str.isdigit()
    ],
)
def test_malformed_korea_headers(secret, header):
    with pytest.raises(MalformedHeaderError):
        verify_signature(BODY, header, secret, now=NOW)


def test_unknown_schemes_and_non_ascii_candidates_are_ignored(secret):
    sig = signed([secret])["x-korea-checkout-signature"]
    t_part, v1_part = sig.split(",")
    assert verify_signature(BODY, f"{t_part},v0=zz,v1=ü,{v1_part}", secret, now=NOW) == NOW
    with pytest.raises(NoMatchingSignatureError):
        verify_signature(BODY, f"{t_part},v1=ü", secret, now=NOW)


def test_standard_signature_entries_of_other_versions_or_bad_base64_are_skipped(secret):
    headers = signed([secret])
    good = headers["webhook-signature"]
    headers["webhook-signature"] = f"v1a,AAAA v1,!!notbase64!! v1 {good}"
    assert verify_standard_webhook(BODY, headers, secret, now=NOW) == EVENT_ID
    headers["webhook-signature"] = "v1a,AAAA v1,!!notbase64!!"
    with pytest.raises(NoMatchingSignatureError):
        verify_standard_webhook(BODY, headers, secret, now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_standard_headers(secret, missing):
    headers = signed([secret])
    del headers[missing]
    with pytest.raises(MalformedHeaderError):
        verify_standard_webhook(BODY, headers, secret, now=NOW)


def test_header_names_are_case_insensitive(secret):
    headers = {k.title(): v for k, v in signed([secret]).items()}
    assert verify_standard_webhook(BODY, headers, secret, now=NOW) == EVENT_ID
    assert verify_webhook(BODY, headers, secret, now=NOW)["event"] == "payment.completed"


def test_verify_webhook_checks_event_id_header_against_signed_body(secret):
    headers = dict(signed([secret]), **{"x-korea-checkout-event-id": "evt_someone_else"})
    with pytest.raises(MalformedHeaderError, match="does not match"):
        verify_webhook(BODY, headers, secret, now=NOW)


def test_verify_webhook_uses_real_clock_by_default(secret):
    with pytest.raises(TimestampOutOfToleranceError):
        verify_webhook(BODY, signed([secret], timestamp=NOW), secret)  # NOW is in 2023


def test_all_failures_share_one_base_class():
    for error in (MalformedHeaderError, TimestampOutOfToleranceError, NoMatchingSignatureError):
        assert issubclass(error, WebhookVerificationError)


def test_verify_module_is_standard_library_only():
    # Merchants copy verify.py alone, so it may import nothing outside the standard library.
    tree = ast.parse(Path(verify.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import in verify.py"
            imported.add(node.module.split(".")[0])
    assert imported
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_verify_constants_match_the_sender():
    assert verify.SIGNATURE_HEADER == signing.SIGNATURE_HEADER
    assert verify.EVENT_ID_HEADER == signing.EVENT_ID_HEADER
    assert verify.DEFAULT_TOLERANCE_SECONDS == 300


@pytest.mark.parametrize("empty", ["", "whsec_"])
def test_an_empty_secret_is_a_configuration_error_not_a_free_pass(empty):
    # A forger who guesses the receiver's secret is unset signs with an empty key.
    forged = build_signature_headers(EVENT_ID, BODY, NOW, [generate_secret()])
    forged["x-korea-checkout-signature"] = (
        f"t={NOW},v1="
        + hmac.new(empty.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    )
    forged["webhook-signature"] = (
        "v1,"
        + base64.b64encode(
            hmac.new(b"", f"{EVENT_ID}.{NOW}.".encode() + BODY, hashlib.sha256).digest()
        ).decode()
    )
    for check in (verify_webhook, verify_standard_webhook):
        with pytest.raises(ValueError, match="empty") as excinfo:
            check(BODY, forged, empty, now=NOW)
        assert not isinstance(excinfo.value, WebhookVerificationError)


def test_undecodable_standard_secret_is_a_configuration_error(secret):
    headers = signed([secret])
    with pytest.raises(ValueError, match="base64") as excinfo:
        verify_standard_webhook(BODY, headers, "whsec_%%%not-base64%%%", now=NOW)
    assert "not-base64" not in str(excinfo.value)


def test_copied_verify_py_works_alone(tmp_path, secret):
    # What a merchant does: copy the one file and import it, with nothing of ours on the path.
    shutil.copy(verify.__file__, tmp_path / "verify.py")
    headers = signed([secret], timestamp=int(time.time()))
    program = (
        "import json, sys; from verify import verify_webhook;"
        "a = json.loads(sys.stdin.read());"
        "print(verify_webhook(a['body'].encode(), a['headers'], a['secret'])['id'])"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(tmp_path)!r}); {program}",
        ],
        input=json.dumps({"body": BODY.decode(), "headers": headers, "secret": secret}),
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        timeout=30,
    )
    assert done.stdout.strip() == EVENT_ID
