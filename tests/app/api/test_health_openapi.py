"""Probes and the generated OpenAPI 3.1 document."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from app import create_app
from app.payments.inputs import CreateSessionRequest
from tests.conftest import make_settings


def test_healthz_and_readyz(client: FlaskClient):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": True, "redis": True}


def test_readyz_reports_unreachable_redis(database_url: str, tmp_path: Path):
    settings = make_settings(
        database_url, "kc-unreachable", tmp_path, REDIS_URL="redis://127.0.0.1:1/0"
    )
    app = create_app(settings)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": True, "redis": False}


def test_openapi_is_3_1_and_built_from_models(client: FlaskClient):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    for path in (
        "/api/checkout/create-session",
        "/api/checkout/session/{sessionId}",
        "/api/checkout/session/{sessionId}/address",
        "/api/checkout/sessions",
        "/api/checkout/session/{sessionId}/cancel",
    ):
        assert path in spec["paths"]
    schema = spec["components"]["schemas"]["CreateSessionRequest"]
    assert set(schema["required"]) == {
        name for name, field in CreateSessionRequest.model_fields.items() if field.is_required()
    }
    assert schema["properties"]["items"]["maxItems"] == 100
    assert spec["components"]["securitySchemes"]["apiKey"]["name"] == "x-api-key"
    assert spec["paths"]["/api/checkout/session/{sessionId}/address"]["patch"]["security"] == []


def test_docs_page_lists_endpoints(client: FlaskClient):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/checkout/create-session" in html
    assert "totalAmount" in html
