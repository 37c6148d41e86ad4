"""The real WordPress + WooCommerce store and the Korea Checkout service, for the plugin tests.

The store is started by scripts/wp_rig.sh (tarballs from KC_WP_DIST, verified) with the plugin
linked in; the service is gunicorn + an RQ worker on a database of its own."""

from __future__ import annotations

import html
import os
import re
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from woocommerce import API

from app import migrate
from app.db import Database
from tests.conftest import Merchant, make_merchant
from tests.servers import free_port, gunicorn_server, redis_server, start_worker, stop

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "wp-plugin" / "korea-checkout"
MU_PLUGIN = Path(__file__).resolve().parent / "kc-test-hooks.php"


@dataclass
class Store:
    """A running rig: its URL, admin login, REST keys and log folder."""

    url: str
    env: dict[str, str]
    home: Path

    @property
    def logs(self) -> Path:
        return self.home / "state" / "logs"

    @property
    def wp_dir(self) -> Path:
        return Path(self.env["WC_RIG_WP_DIR"])

    def rest(self) -> API:
        return API(
            url=self.url,
            consumer_key=self.env["WC_RIG_CK"],
            consumer_secret=self.env["WC_RIG_CS"],
            version="wc/v3",
            timeout=30,
        )

    def order(self, order_id: int) -> dict[str, Any]:
        response = self.rest().get(f"orders/{order_id}")
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def hook_calls(self) -> list[str]:
        path = self.logs / "kc-hooks.log"
        return path.read_text(encoding="utf-8").splitlines() if path.exists() else []

    def run_php(self, *files: Path) -> subprocess.CompletedProcess[str]:
        """Runs PHP files inside this WordPress (tests/wp_plugin/php/bootstrap.php)."""
        bootstrap = Path(__file__).resolve().parent / "php" / "bootstrap.php"
        return subprocess.run(
            ["php", str(bootstrap), str(self.wp_dir), self.url, *map(str, files)],
            capture_output=True,
            text=True,
            timeout=120,
        )

    def set_checkout(self, kind: str) -> None:
        """Puts the classic checkout shortcode or the Checkout block on the checkout page."""
        env = {**self.env, "WC_RIG_CHECKOUT": kind, "PATH": "/usr/bin:/bin"}
        setup = ROOT / "tests" / "wp_rig" / "rig-setup.php"
        subprocess.run(
            ["php", str(setup), str(self.wp_dir), "configure"],
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def plugin_log_lines(self) -> list[str]:
        """Notices, warnings and errors in wp-debug.log that come from the plugin."""
        path = self.logs / "wp-debug.log"
        if not path.exists():
            return []
        text = path.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if "korea-checkout" in line]


def read_env(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        name, _, value = line.partition("=")
        env[name] = value
    return env


@contextmanager
def wordpress(home: Path, *, linked: bool = True) -> Iterator[Store]:
    """A running store; `linked=False` gives a fresh site without the plugin where plugins
    can be uploaded from wp-admin."""
    port = free_port()
    env = {
        **os.environ,
        "WC_RIG_HOME": str(home),
        "WC_RIG_PORT": str(port),
        "WC_RIG_EXTRA_PLUGIN_DIRS": str(PLUGIN_DIR) if linked else "",
        "WC_RIG_ALLOW_FILE_MODS": "0" if linked else "1",
    }
    started = subprocess.run(
        ["bash", str(ROOT / "scripts" / "wp_rig.sh"), "start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert started.returncode == 0, started.stdout + started.stderr
    rig_env = read_env(home / "state" / "rig.env")
    mu_dir = Path(rig_env["WC_RIG_WP_DIR"]) / "wp-content" / "mu-plugins"
    (mu_dir / MU_PLUGIN.name).write_text(MU_PLUGIN.read_text())
    try:
        yield Store(rig_env["WC_RIG_URL"], rig_env, home)
    finally:
        subprocess.run(
            ["bash", str(ROOT / "scripts" / "wp_rig.sh"), "stop"],
            env=env,
            capture_output=True,
            timeout=120,
        )


@dataclass
class Service:
    url: str
    merchant: Merchant
    env: dict[str, str]


@contextmanager
def korea_checkout(tmp: Path) -> Iterator[Service]:
    """gunicorn + worker on a SQLite file and a Redis of their own."""
    database_url = f"sqlite:///{tmp / 'kc.db'}"
    migrate.upgrade(database_url)
    database = Database(database_url)
    merchant = make_merchant(database)
    port = free_port()
    with redis_server(tmp) as redis_url:
        env = {
            "KC_ENV": "test",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REDIS_NAMESPACE": f"kcwp{secrets.token_hex(3)}",
            "SECRET_KEY": secrets.token_hex(32),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "VAR_DIR": str(tmp),
            "SWEEP_INTERVAL_SECONDS": "1",
            "BRIDGE_RETRY_SCALE": "0.01",
            "RATE_LIMIT_TEST_PER_MINUTE": "1000",
        }
        with gunicorn_server(env, workers=2, port=port) as url:
            worker = start_worker(env)
            try:
                yield Service(url, merchant, env)
            finally:
                stop(worker)
    database.dispose()


class Admin:
    """A logged-in wp-admin user over plain HTTP (cookies, nonces read from the pages)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.http = requests.Session()
        self.http.cookies.set("wordpress_test_cookie", "WP Cookie check")
        response = self.http.post(
            f"{store.url}/wp-login.php",
            data={
                "log": store.env["WC_RIG_ADMIN_USER"],
                "pwd": store.env["WC_RIG_ADMIN_PASS"],
                "wp-submit": "Log In",
                "testcookie": "1",
            },
            timeout=60,
        )
        assert any(c.name.startswith("wordpress_logged_in") for c in self.http.cookies), (
            response.text[:500]
        )

    def settings_page(self) -> str:
        response = self.http.get(
            f"{self.store.url}/wp-admin/admin.php?page=korea-checkout", timeout=60
        )
        assert response.status_code == 200, response.text[:500]
        return response.text

    def submit(self, action: str, fields: dict[str, Any] | None = None) -> requests.Response:
        """Posts one of the page's forms with its own nonce, as the browser would."""
        page = self.settings_page()
        form = form_with_action(page, action)
        response = self.http.post(
            f"{self.store.url}/wp-admin/admin-post.php",
            data={**form, **(fields or {})},
            timeout=60,
        )
        assert response.status_code == 200, response.text[:500]
        return response

    def order_screen(self, order_id: int) -> str:
        response = self.http.get(
            f"{self.store.url}/wp-admin/admin.php?page=wc-orders&action=edit&id={order_id}",
            timeout=60,
        )
        assert response.status_code == 200, response.text[:500]
        return response.text

    def refund(self, order_id: int, amount: int, reason: str = "") -> dict[str, Any]:
        """What the order screen's "Refund … via Korea Checkout" button sends (WooCommerce's
        meta-boxes-order.js): the screen's nonce and already-refunded total, an amount only."""
        screen = self.order_screen(order_id)
        assert 'class="button button-primary do-api-refund"' in screen
        nonce = re.search(r'"order_item_nonce":"([0-9a-f]+)"', screen)
        refunded = re.search(r'id="refunded_amount" name="refunded_amount" value="([^"]*)"', screen)
        assert nonce, "no order-item nonce on the order screen"
        assert refunded, "no refunded amount on the order screen"
        response = self.http.post(
            f"{self.store.url}/wp-admin/admin-ajax.php",
            data={
                "action": "woocommerce_refund_line_items",
                "order_id": str(order_id),
                "refund_amount": str(amount),
                "refunded_amount": refunded.group(1),
                "refund_reason": reason,
                "line_item_qtys": "{}",
                "line_item_totals": "{}",
                "line_item_tax_totals": "{}",
                "api_refund": "true",
                "restock_refunded_items": "false",
                "security": nonce.group(1),
            },
            timeout=60,
        )
        assert response.status_code == 200, response.text[:500]
        answer: dict[str, Any] = response.json()
        return answer


def form_with_action(page: str, action: str) -> dict[str, str]:
    """The hidden fields of the form whose `action` input is `action`."""
    for form in re.findall(r"<form.*?</form>", page, flags=re.S):
        hidden = r'<input type="hidden"[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"'
        fields = dict(re.findall(hidden, form))
        if fields.get("action") == action:
            return {name: html.unescape(value) for name, value in fields.items()}
    raise AssertionError(f"no form for {action}")
