"""Rate limits per key: headers on every response, 429 + Retry-After past the limit."""

from __future__ import annotations

from pathlib import Path

from app import create_app
from tests.conftest import make_merchant, make_settings


def test_headers_on_every_response_and_429_past_limit(
    database_url: str, redis_namespace: str, tmp_path: Path
):
    settings = make_settings(
        database_url,
        f"{redis_namespace}:rl",
        tmp_path,
        RATE_LIMIT_TEST_PER_MINUTE=5,
        RATE_LIMIT_LIVE_PER_MINUTE=8,
    )
    app = create_app(settings)
    client = app.test_client()
    merchant = make_merchant(app.extensions["kc.database"])
    remaining = []
    for _ in range(5):
        response = client.get("/api/checkout/sessions", headers=merchant.headers())
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "5"
        assert int(response.headers["X-RateLimit-Reset"]) > 0
        assert "Retry-After" not in response.headers
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    limited = client.get("/api/checkout/sessions", headers=merchant.headers())
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert 0 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    # The live key has its own bucket and its own limit.
    live = client.get("/api/checkout/sessions", headers=merchant.headers("live"))
    assert live.status_code == 200
    assert live.headers["X-RateLimit-Limit"] == "8"
    # Errors count and carry the headers too.
    error = client.get("/api/checkout/session/cs_x", headers=merchant.headers("live"))
    assert error.status_code == 404
    assert error.headers["X-RateLimit-Remaining"] == "6"
    app.extensions["kc.database"].dispose()


def test_default_limits_are_documented_values(settings):
    assert settings.rate_limit_for_mode("live") == 1000
    assert settings.rate_limit_for_mode("test") == 100
