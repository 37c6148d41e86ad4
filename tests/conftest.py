"""Shared fixtures: real PostgreSQL and SQLite databases, real Redis, apps built by create_app.

Every test that uses `app` runs once per database backend. Each backend gets its own
database (PostgreSQL: a fresh `kc_test_<hex>` database; SQLite: a file in tmp) and every
run its own Redis key namespace, all removed afterwards; nothing else is touched.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from app import create_app, migrate
from app.db import Database
from app.models.base import utcnow
from app.payments import api_keys
from app.payments.tenancy import Mode
from app.settings import Settings
from tests.browser import browser  # noqa: F401  (the one Chromium every browser test shares)
from tests.servers import redis_server

POSTGRES_ADMIN_DSN = os.environ.get(
    "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    name, url = new_postgres_database("kc_test")
    yield url
    drop_postgres_database(name)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'korea_checkout.db'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    migrate.upgrade(url)
    return url


def new_postgres_database(prefix: str) -> tuple[str, str]:
    """A fresh database on the test server: (its name, its SQLAlchemy URL)."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dsn = psycopg.conninfo.conninfo_to_dict(POSTGRES_ADMIN_DSN)
    host, port, user = dsn.get("host", "127.0.0.1"), dsn.get("port", "5432"), dsn.get("user")
    return name, f"postgresql+psycopg://{user}@{host}:{port}/{name}"


def drop_postgres_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of the test's own: worker processes sweeping it then see only this
    test's rows, not the backlog other tests leave in the shared one."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'own.db'}"
        migrate.upgrade(url)
        yield url
        return
    name, url = new_postgres_database("kc_own")
    migrate.upgrade(url)
    yield url
    drop_postgres_database(name)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def redis_namespace() -> Iterator[str]:
    namespace = f"kctest-{secrets.token_hex(6)}"
    yield namespace
    client = redis.Redis.from_url(TEST_REDIS_URL)
    keys = list(client.scan_iter(match=f"{namespace}*", count=1000))
    if keys:
        client.delete(*keys)


def make_settings(
    database_url: str, redis_namespace: str, var_dir: Path, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "KC_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "REDIS_NAMESPACE": redis_namespace,
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": "https://checkout.example.test",
        "VAR_DIR": str(var_dir),
        # Revocation must show at once in tests; the cache has its own tests.
        "API_KEY_CACHE_SECONDS": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str, redis_namespace: str, tmp_path: Path) -> Settings:
    # A namespace per test keeps rate-limit counters from leaking between tests.
    return make_settings(database_url, f"{redis_namespace}:{secrets.token_hex(4)}", tmp_path)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    application = create_app(settings)
    yield application
    application.extensions["kc.database"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def database(app: Flask) -> Database:
    return app.extensions["kc.database"]


@dataclass(frozen=True)
class Merchant:
    """An account with one key per mode, made through the public key functions."""

    account_id: str
    test_key: str
    live_key: str
    test_key_id: str

    def headers(self, mode: str = "test", **extra: str) -> dict[str, str]:
        return {"x-api-key": self.test_key if mode == "test" else self.live_key, **extra}


def make_merchant(database: Database) -> Merchant:
    with database.transaction() as session:
        account = api_keys.create_account(session, f"shop-{secrets.token_hex(4)}", utcnow())
        test = api_keys.create_key(session, account, Mode.TEST, utcnow())
        live = api_keys.create_key(session, account, Mode.LIVE, utcnow())
    return Merchant(account.id, test.secret, live.secret, test.key_id)


@pytest.fixture
def merchant(database: Database) -> Merchant:
    return make_merchant(database)


@pytest.fixture
def other_merchant(database: Database) -> Merchant:
    return make_merchant(database)


def session_body(**overrides: object) -> dict[str, object]:
    """The reference document's create-session example."""
    body: dict[str, object] = {
        "platform": "custom",
        "platformOrderId": "order_123",
        "items": [
            {
                "name": "Sample Product",
                "price": 29000,
                "quantity": 1,
                "description": "Product description",
            }
        ],
        "customer": {
            "name": "홍길동",
            "email": "customer@example.com",
            "phone": "+82-10-1234-5678",
        },
        "totalAmount": 29000,
        "currency": "KRW",
        "returnUrl": "https://yourstore.com/success",
        "cancelUrl": "https://yourstore.com/cancel",
        "metadata": {"internal_order_id": "12345"},
    }
    body.update(overrides)
    return body


@pytest.fixture
def create_session(client: FlaskClient, merchant: Merchant):
    def _create(mode: str = "test", **overrides: object) -> str:
        response = client.post(
            "/api/checkout/create-session",
            json=session_body(**overrides),
            headers=merchant.headers(mode),
        )
        assert response.status_code == 201, response.get_json()
        session_id: str = response.get_json()["sessionId"]
        return session_id

    return _create
