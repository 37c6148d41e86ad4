"""Real browser tests: Debian's Chromium driven by Playwright against gunicorn.

Chromium is never downloaded by Playwright: ``/usr/bin/chromium`` comes from apt
(scripts/ensure_services.sh). The shop's return and cancel pages are served locally and the
Kakao postcode script is answered by route handlers, so no test needs the network. Every
Content-Security-Policy violation a page reports fails the test.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from playwright.sync_api import Browser, ConsoleMessage, Page

from app import migrate
from app.db import Database
from app.models.base import utcnow
from app.payments import api_keys
from app.payments.tenancy import Mode
from tests import servers

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class _ShopHandler(BaseHTTPRequestHandler):
    """The merchant's return and cancel pages."""

    def do_GET(self) -> None:
        title = "cancelled" if self.path.startswith("/cancel") else "success"
        body = f"<!doctype html><h1 id='shop'>{title}</h1>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def shop_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ShopHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class Server:
    def __init__(self, url: str, key: str, database: Database, shop: str) -> None:
        self.url, self.key, self.database, self.shop = url, key, database, shop

    def create_session(self, **overrides: object) -> str:
        body: dict[str, object] = {
            "platform": "custom",
            "platformOrderId": f"order_{secrets.token_hex(3)}",
            "items": [{"name": "한정판 티셔츠", "price": 29000, "quantity": 1}],
            "customer": {"name": "홍길동", "email": "hong@example.com", "phone": "010-1234-5678"},
            "totalAmount": 29000,
            "currency": "KRW",
            "returnUrl": f"{self.shop}/success",
            "cancelUrl": f"{self.shop}/cancel",
        }
        body.update(overrides)
        response = requests.post(
            f"{self.url}/api/checkout/create-session", json=body, headers=self.headers, timeout=10
        )
        assert response.status_code == 201, response.text
        return str(response.json()["sessionId"])

    @property
    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.key}

    def link(self, session_id: str) -> str:
        """The shopper's checkoutUrl (the session id alone opens nothing)."""
        return str(self.session(session_id)["checkoutUrl"])

    def session(self, session_id: str) -> dict[str, object]:
        response = requests.get(
            f"{self.url}/api/checkout/session/{session_id}", headers=self.headers, timeout=10
        )
        assert response.status_code == 200, response.text
        data: dict[str, object] = response.json()["data"]
        return data

    def post(self, path: str, body: dict[str, object]) -> requests.Response:
        return requests.post(f"{self.url}{path}", json=body, headers=self.headers, timeout=10)

    def patch_address(self, session_id: str, body: dict[str, object]) -> None:
        """As the bridge does, without a key (the documented address call)."""
        path = f"{self.url}/api/checkout/session/{session_id}/address"
        response = requests.patch(path, json=body, timeout=10)
        assert response.status_code == 200, response.text


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
    migrate.upgrade(url)
    database = Database(url)
    with database.transaction() as db:
        account = api_keys.create_account(db, f"e2e-{secrets.token_hex(3)}", utcnow())
        key = api_keys.create_key(db, account, Mode.TEST, utcnow())
    port = servers.free_port()
    env = {
        "KC_ENV": "test",
        "DATABASE_URL": url,
        "REDIS_URL": TEST_REDIS_URL,
        "REDIS_NAMESPACE": f"kce2e-{secrets.token_hex(4)}",
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RATE_LIMIT_TEST_PER_MINUTE": "1000",
    }
    with shop_server() as shop, servers.gunicorn_server(env, workers=2, port=port) as base:
        yield Server(base, key.secret, database, shop)
    database.dispose()


REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def csp_violations(page: Page) -> list[str]:
    """Every CSP report the page's documents print (events and Chromium's own messages)."""
    found: list[str] = []

    def record(message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            found.append(text)

    page.on("console", record)
    return found


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    context.add_init_script(REPORT_VIOLATIONS)
    # No network in tests: the postcode script fails, as it may for a real customer.
    context.route("**/t1.kakaocdn.net/**", lambda route: route.abort())
    new_page = context.new_page()
    new_page.set_default_timeout(15000)
    violations = csp_violations(new_page)
    yield new_page
    context.close()
    assert violations == []
