"""`flask secrets ...` over a real database: rotate the stored-secret key and keep every
secret readable; nothing secret is printed."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import select, update

from app import create_app
from app.cli_secrets import secret_columns
from app.crypto import legacy_key, new_key_line
from app.models import ShopWebhookSecret
from tests.conftest import TEST_REDIS_URL, Merchant, make_merchant, make_settings

ROOT = Path(__file__).resolve().parents[2]
COLUMN = "shop_webhook_secrets.encrypted_secret"


@pytest.fixture
def env(fresh_database_url: str, redis_namespace: str, tmp_path: Path) -> dict[str, str]:
    return {
        "KC_ENV": "test",
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "REDIS_NAMESPACE": f"{redis_namespace}:secrets-{secrets.token_hex(4)}",
        "VAR_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_hex(32),
        "ENCRYPTION_KEYS": "",
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def app_for(env: dict[str, str], tmp_path: Path) -> Flask:
    overrides = {k: v for k, v in env.items() if k not in ("DATABASE_URL", "REDIS_NAMESPACE")}
    settings = make_settings(env["DATABASE_URL"], env["REDIS_NAMESPACE"], tmp_path, **overrides)
    return create_app(settings)


def create_shop(app: Flask, merchant: Merchant) -> tuple[str, str]:
    client = app.test_client()
    created = client.post("/api/shops", json={"name": "키 교체 상점"}, headers=merchant.headers())
    assert created.status_code == 201, created.get_json()
    shop_id: str = created.get_json()["id"]
    return shop_id, webhook_secret(app, merchant, shop_id)


def webhook_secret(app: Flask, merchant: Merchant, shop_id: str) -> str:
    response = app.test_client().get(
        f"/api/shops/{shop_id}/webhook-secret", headers=merchant.headers()
    )
    assert response.status_code == 200, response.get_json()
    secret: str = response.get_json()["data"]["secret"]
    return secret


def stored(app: Flask) -> list[str]:
    with app.extensions["kc.database"].transaction() as db:
        return list(db.scalars(select(ShopWebhookSecret.encrypted_secret)))


def test_every_encrypted_column_is_covered():
    names = {f"{table.name}.{column.name}" for table, column in secret_columns()}
    assert {
        "shop_webhook_secrets.encrypted_secret",
        "bridge_stores.encrypted_api_key",
        "bridge_stores.encrypted_consumer_key",
        "bridge_stores.encrypted_consumer_secret",
        "bridge_stores.encrypted_webhook_secret",
    } <= names


def test_generate_key_prints_a_usable_entry(env: dict[str, str]):
    result = run(env, "secrets", "generate-key", "--kid", "k2026")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert re.fullmatch(r"k2026:[A-Za-z0-9_-]{43}=", line)
    assert line not in result.stderr


def test_rotate_reencrypt_then_drop_the_old_key(env: dict[str, str], tmp_path: Path):
    old, new = new_key_line("k0"), new_key_line("k1")
    env["ENCRYPTION_KEYS"] = old
    app = app_for(env, tmp_path)
    merchant = make_merchant(app.extensions["kc.database"])
    shops = [create_shop(app, merchant) for _ in range(3)]
    # One row as a database from before key sets holds it: untagged, old derivation.
    legacy_id, legacy_secret = shops[0]
    with app.extensions["kc.database"].transaction() as db:
        token = Fernet(legacy_key(env["SECRET_KEY"])).encrypt(legacy_secret.encode()).decode()
        db.execute(
            update(ShopWebhookSecret)
            .where(ShopWebhookSecret.shop_id == legacy_id)
            .values(encrypted_secret=token)
        )
    app.extensions["kc.database"].dispose()

    env["ENCRYPTION_KEYS"] = f"{new},{old}"
    first = run(env, "secrets", "reencrypt", "--batch-size", "2")
    assert first.returncode == 0, first.stderr
    assert (
        "shop_webhook_secrets.encrypted_secret: 3 re-encrypted, 0 already current" in first.stdout
    )
    assert "current key: k1" in first.stderr
    again = run(env, "secrets", "reencrypt")
    assert again.returncode == 0, again.stderr
    assert (
        "shop_webhook_secrets.encrypted_secret: 0 re-encrypted, 3 already current" in again.stdout
    )
    for _shop_id, secret in shops:
        for output in (first.stdout, first.stderr, again.stdout, again.stderr):
            assert secret not in output
    for key in (old, new):
        assert key.partition(":")[2] not in first.stdout + first.stderr

    # Old key dropped, and another SECRET_KEY: neither the derived nor the legacy key remain.
    env["ENCRYPTION_KEYS"] = new
    env["SECRET_KEY"] = secrets.token_hex(32)
    after = app_for(env, tmp_path)
    assert all(value.startswith("k1$") for value in stored(after))
    for shop_id, secret in shops:
        assert webhook_secret(after, merchant, shop_id) == secret
    after.extensions["kc.database"].dispose()


def test_rows_no_key_opens_are_named_not_shown(env: dict[str, str], tmp_path: Path):
    env["ENCRYPTION_KEYS"] = new_key_line("k0")
    app = app_for(env, tmp_path)
    merchant = make_merchant(app.extensions["kc.database"])
    _shop_id, secret = create_shop(app, merchant)
    app.extensions["kc.database"].dispose()

    env["ENCRYPTION_KEYS"] = new_key_line("k1")  # k0 lost
    result = run(env, "secrets", "reencrypt")
    assert result.returncode != 0
    assert "1 unreadable" in result.stdout
    assert "unreadable: shop_webhook_secrets.encrypted_secret row" in result.stderr
    assert "add the missing key" in result.stderr
    assert secret not in result.stdout + result.stderr
