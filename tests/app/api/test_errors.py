"""Every failure speaks the documented error shape, with a request id on every response."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.api.responses import ErrorResponse
from tests.conftest import Merchant


def test_unknown_route_is_json_404(client: FlaskClient):
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert ErrorResponse.model_validate(response.get_json()).error.code == "not_found"


def test_wrong_method_is_json_405_with_allow(client: FlaskClient, merchant: Merchant):
    response = client.delete("/api/checkout/create-session", headers=merchant.headers())
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_unexpected_exception_is_500_without_stack_trace(app: Flask):
    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/boom", "boom", boom)
    response = app.test_client().get("/api/boom", headers={"X-Request-Id": "req-trace-12345"})
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"]["code"] == "internal_error"
    assert body["error"]["details"] == {"requestId": "req-trace-12345"}
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_request_id_on_every_response(client: FlaskClient, merchant: Merchant):
    for response in (
        client.get("/healthz"),
        client.get("/api/nope"),
        client.get("/api/checkout/sessions", headers=merchant.headers()),
        client.post("/api/checkout/create-session", json={}),
    ):
        assert response.headers["X-Request-Id"].startswith("req_")


def test_caller_request_id_is_echoed_if_well_formed(client: FlaskClient):
    assert (
        client.get("/healthz", headers={"X-Request-Id": "abc-123-def"}).headers["X-Request-Id"]
        == "abc-123-def"
    )
    injected = client.get("/healthz", headers={"X-Request-Id": "bad id <script>"})
    assert injected.headers["X-Request-Id"].startswith("req_")


def test_korean_text_is_not_escaped(client: FlaskClient, merchant: Merchant, create_session):
    session_id = create_session()
    raw = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers()).get_data(
        as_text=True
    )
    assert "홍길동" in raw
