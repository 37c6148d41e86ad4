"""Sync-log excerpts: secrets masked wherever they sit, the rest kept readable."""

from __future__ import annotations

import json

from bridge.masking import EXCERPT_CHARS, excerpt


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
    assert masked["billing"] == {"first_name": "민수", "api_key": "***", "Authorization": "***"}
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
