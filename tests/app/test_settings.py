"""Settings: safe development defaults; production refuses a missing or default secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import ConfigurationError, Settings


def test_development_secret_is_generated_once_and_kept(tmp_path: Path):
    first = Settings(VAR_DIR=str(tmp_path)).resolved_secret_key()
    second = Settings(VAR_DIR=str(tmp_path)).resolved_secret_key()
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("secret", ["", "change-me", "short"])
def test_production_refuses_weak_secret(secret: str, tmp_path: Path):
    with pytest.raises(ConfigurationError):
        Settings(
            KC_ENV="production",
            SECRET_KEY=secret,
            DATABASE_URL="postgresql://x/y",
            REDIS_URL="redis://redis.internal:6379/0",
            VAR_DIR=str(tmp_path),
        )


def test_production_accepts_real_secret(tmp_path: Path):
    settings = Settings(
        KC_ENV="production",
        SECRET_KEY="x" * 40,
        DATABASE_URL="postgresql://x/y",
        REDIS_URL="redis://redis.internal:6379/0",
        VAR_DIR=str(tmp_path),
    )
    assert settings.resolved_secret_key() == "x" * 40


def test_production_refuses_to_start_without_redis_url(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="REDIS_URL must be set in production"):
        Settings(
            KC_ENV="production",
            SECRET_KEY="x" * 40,
            DATABASE_URL="postgresql://x/y",
            REDIS_URL="",
            VAR_DIR=str(tmp_path),
        )
    # Development keeps its embedded Redis.
    assert Settings(REDIS_URL="", VAR_DIR=str(tmp_path)).redis_url == ""


def test_malformed_encryption_keys_refuse_to_start(tmp_path: Path):
    with pytest.raises(ConfigurationError, match="ENCRYPTION_KEYS"):
        Settings(ENCRYPTION_KEYS="k1:not-a-key", VAR_DIR=str(tmp_path))


def test_secret_is_masked_in_repr(tmp_path: Path):
    settings = Settings(SECRET_KEY="super-secret-value-1234567890abcdef", VAR_DIR=str(tmp_path))
    assert "super-secret" not in repr(settings)


def test_default_database_is_sqlite_under_var(tmp_path: Path):
    settings = Settings(VAR_DIR=str(tmp_path))
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'korea_checkout.db'}"
