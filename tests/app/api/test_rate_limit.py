"""Rate limits per key: headers on every response, 429 + Retry-After past the limit."""

from __future__ import annotations

import secrets
from pathlib import Path

from app import create_app
from app.api.auth import HEADER
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


def limited_app(database_url: str, namespace: str, tmp_path: Path, **overrides: object):
    settings = make_settings(database_url, namespace, tmp_path, **overrides)
    return create_app(settings)


def junk_key() -> str:
    return "sk_test_" + secrets.token_hex(32)


def assert_rate_limited(response) -> None:
    assert response.status_code == 429, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert 0 <= int(response.headers["Retry-After"]) <= 60


def test_failed_authentications_are_limited_per_client_address(
    database_url: str, redis_namespace: str, tmp_path: Path
):
    app = limited_app(
        database_url,
        f"{redis_namespace}:authfail-{secrets.token_hex(4)}",
        tmp_path,
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE=3,
    )
    client = app.test_client()
    merchant = make_merchant(app.extensions["kc.database"])
    # Well-formed junk keys each have a bucket of their own; their failures share one.
    for _ in range(2):
        assert client.get("/api/checkout/sessions", headers={HEADER: junk_key()}).status_code == 401
    # /bridge/v1 failures count in the same bucket.
    assert client.get("/bridge/v1/stores/current").status_code == 401
    assert_rate_limited(client.get("/api/checkout/sessions", headers={HEADER: junk_key()}))
    assert_rate_limited(client.get("/bridge/v1/stores/current", headers={HEADER: junk_key()}))
    # Past the limit the address is refused before any key is looked at, even a good one,
    # and a forged X-Forwarded-For changes nothing.
    assert_rate_limited(client.get("/api/checkout/sessions", headers=merchant.headers()))
    spoofed = {**merchant.headers(), "X-Forwarded-For": "198.51.100.7"}
    assert_rate_limited(client.get("/api/checkout/sessions", headers=spoofed))
    # Successes never count: another address works, and keeps working.
    other = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(5):
        ok = client.get("/api/checkout/sessions", headers=merchant.headers(), environ_base=other)
        assert ok.status_code == 200
    app.extensions["kc.database"].dispose()


def test_trusted_proxy_hops_take_the_client_address_from_the_proxy(
    database_url: str, redis_namespace: str, tmp_path: Path
):
    app = limited_app(
        database_url,
        f"{redis_namespace}:proxy-{secrets.token_hex(4)}",
        tmp_path,
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE=1,
        TRUSTED_PROXY_HOPS=1,
    )
    client = app.test_client()

    def attempt(client_address: str):
        headers = {HEADER: junk_key(), "X-Forwarded-For": f"10.9.9.9, {client_address}"}
        return client.get("/api/checkout/sessions", headers=headers)

    assert attempt("198.51.100.1").status_code == 401
    assert_rate_limited(attempt("198.51.100.1"))
    # Only the last (proxy-added) entry is believed: the client's own first entry is not.
    assert attempt("198.51.100.2").status_code == 401
    app.extensions["kc.database"].dispose()


def test_bridge_is_limited_per_key(database_url: str, redis_namespace: str, tmp_path: Path):
    app = limited_app(
        database_url,
        f"{redis_namespace}:bridge-{secrets.token_hex(4)}",
        tmp_path,
        RATE_LIMIT_BRIDGE_PER_MINUTE=2,
    )
    client = app.test_client()
    merchant = make_merchant(app.extensions["kc.database"])
    for _ in range(2):
        response = client.get("/bridge/v1/stores/current", headers=merchant.headers())
        assert response.status_code != 429
        assert response.headers["X-RateLimit-Limit"] == "2"
    assert_rate_limited(client.get("/bridge/v1/stores/current", headers=merchant.headers()))
    # Another key has its own bucket.
    live = client.get("/bridge/v1/stores/current", headers=merchant.headers("live"))
    assert live.status_code != 429
    # The webhook receiver (signed, no key; the core's worker bursts) is not limited per key.
    for _ in range(4):
        webhook = client.post("/bridge/v1/webhooks/st_unknown", data=b"{}")
        assert webhook.status_code != 429
    app.extensions["kc.database"].dispose()


def test_hosted_pages_are_limited_per_client_address(
    database_url: str, redis_namespace: str, tmp_path: Path
):
    app = limited_app(
        database_url,
        f"{redis_namespace}:pages-{secrets.token_hex(4)}",
        tmp_path,
        RATE_LIMIT_PAGES_PER_MINUTE=2,
    )
    client = app.test_client()
    page = f"/checkout/cs_{secrets.token_hex(16)}"
    assert client.get(page).status_code == 404
    assert client.post("/sandbox/window/toss").status_code != 429  # one bucket for both
    limited = client.get(page)
    assert limited.status_code == 429
    assert 0 <= int(limited.headers["Retry-After"]) <= 60
    # Static files are not counted; another address has its own bucket.
    assert client.get("/checkout/static/checkout.js").status_code == 200
    assert client.get(page, environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    app.extensions["kc.database"].dispose()


def test_default_page_bridge_and_failure_limits(settings):
    assert settings.rate_limit_auth_failures_per_minute == 20
    assert settings.rate_limit_bridge_per_minute == 600
    assert settings.rate_limit_pages_per_minute == 600
    assert settings.trusted_proxy_hops == 0
