"""Deeply nested JSON is a 400 invalid_json on the bridge, never a 500 (RecursionError)."""

from __future__ import annotations

import secrets
import time

import pytest

from app.api.responses import ErrorResponse
from app.webhooks.signing import build_signature_headers
from tests.bridge.conftest import ConnectedStore

DEEP_BODIES = {
    "arrays": b"[" * 100_000 + b"]" * 100_000,
    "objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "unclosed": b"[" * 100_000,
}


def assert_invalid_json(response) -> None:
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert ErrorResponse.model_validate(response.get_json()).error.code == "invalid_json"


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_deep_order_body(store: ConnectedStore, body: bytes):
    response = store.client.post(
        "/bridge/v1/orders",
        data=body,
        headers={**store.headers(), "Content-Type": "application/json"},
    )
    assert_invalid_json(response)


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_deep_webhook_body_even_when_signed(store: ConnectedStore, body: bytes):
    event_id = f"evt_{secrets.token_hex(16)}"
    headers = build_signature_headers(event_id, body, int(time.time()), [store.secret])
    headers["Content-Type"] = "application/json"
    response = store.client.post(
        f"/bridge/v1/webhooks/{store.store_id}", data=body, headers=headers
    )
    assert_invalid_json(response)
