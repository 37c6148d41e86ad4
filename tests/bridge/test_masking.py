"""Sync-log excerpts: secrets masked wherever they sit, the rest kept readable."""

from __future__ import annotations

import json

from bridge.masking import EXCERPT_CHARS, excerpt, mask_value
from tests.bridge.support import BILLING


def test_secret_named_fields_are_masked_at_any_depth() -> None:
    value = {
        "id": 7,
        "consumer_key": "ck_plain",
        "billing": {"first_name": "민수", "api_key": 12345, "Authorization": "Basic abc=="},
        "meta_data": [{"key": "x", "value": {"refresh_token": "tok-1", "ok": True}}],
        "note": 'the word secret in a value is kept: "password": stays',
    }
    masked = json.loads(excerpt(value, limit=10_000))
    assert masked["consumer_key"] == "***"
    assert masked["billing"] == {"first_name": "***", "api_key": "***", "Authorization": "***"}
    assert masked["meta_data"][0]["value"] == {"refresh_token": "***", "ok": True}
    assert masked["note"] == value["note"]
    assert masked["id"] == 7


def test_an_object_under_a_secret_name_is_masked_whole() -> None:
    masked = json.loads(excerpt({"secrets": {"a": "1", "b": ["2"]}, "n": 1}, limit=10_000))
    assert masked == {"secrets": "***", "n": 1}


def test_long_values_are_cut_after_masking() -> None:
    text = excerpt({"lines": ["x" * 50] * 100, "token": "t" * 40})
    assert len(text) == EXCERPT_CHARS + 1
    assert text.endswith("…")
    assert "t" * 40 not in text


SESSION = "cs_0123456789abcdef0123456789abcdef"
EVENT = "evt_0123456789abcdef0123456789abcdef"


def test_ids_stay_readable_and_woocommerce_secrets_do_not() -> None:
    consumer_secret = "cs_" + "a1" * 20
    message = (
        f"order 1234567 session {SESSION} event {EVENT} refund ref_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
        f" account 12345678901234 ?consumer_secret={consumer_secret}&x=1 {consumer_secret}"
    )
    masked = mask_value(message)
    for readable in ("order 1234567", SESSION, EVENT, "ref_9f8e7d6c", "12345678901234"):
        assert readable in masked
    assert consumer_secret not in masked
    meta = {"key": "_korea_checkout_session_id", "value": SESSION}
    assert SESSION in excerpt({"id": 1234567, "meta_data": [meta]})


def test_customer_personal_data_is_masked_in_excerpts_and_messages() -> None:
    order = {
        "id": 1234567,
        "status": "pending",
        "total": "29000",
        "billing": BILLING,
        "shipping": {k: v for k, v in BILLING.items() if k not in ("email", "phone")},
        "customer_note": "문 앞에 놓아 주세요 010-9876-5432",
        "transaction_id": "",
    }
    text = excerpt(order, limit=10_000)
    for personal in ("길동", "customer@example.com", "010-1234-5678", "테헤란로", "4층", "06236"):
        assert personal not in text
    masked = json.loads(text)
    assert masked["billing"]["first_name"] == "***"
    assert masked["billing"]["country"] == "KR"  # not personal on its own
    assert masked["shipping"]["address_1"] == "***"
    assert (masked["id"], masked["total"], masked["transaction_id"]) == (1234567, "29000", "")
    message = mask_value("rejected customer@example.com, phone 01012345678 / +82 10-1234-5678")
    assert message == "rejected ***, phone *** / ***"


def test_the_shoppers_checkout_capability_never_reaches_the_log() -> None:
    url = "https://pay.example/checkout/cs_0123456789abcdef0123456789abcdef?t=Zm9vYmFy-_Q1"
    shown = excerpt({"checkoutUrl": url})
    assert "Zm9vYmFy" not in shown
    assert "cs_0123456789abcdef0123456789abcdef?t=***" in shown
    assert "t=***" in mask_value(f"redirect {url.replace('?t=', '?lang=en&t=')}")
