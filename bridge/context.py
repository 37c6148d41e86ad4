"""Everything the bridge's services need, built once by `create_app` (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import redis
import urllib3

from app.crypto import SecretBox
from app.db import Database
from app.webhooks.target_guard import Resolver
from bridge.core_client import CoreConnector

Enqueue = Callable[[str, datetime | None], None]


@dataclass
class BridgeContext:
    database: Database
    box: SecretBox
    # An API key -> the core as that key's tenant (in process, or over HTTP).
    core: CoreConnector
    redis: redis.Redis
    namespace: str
    public_url: str
    store_concurrency: int
    woo_timeout: float
    retry_scale: float
    task_lease_seconds: int
    reconcile_after_seconds: int
    enqueue: Enqueue
    # Keep-alive pools for store requests (pinned to guard-approved addresses).
    woo_http: urllib3.PoolManager
    # Store addresses on loopback are allowed (test-mode stores only) when this is set.
    allow_loopback: bool = True
    # Name resolution for the store address check; None is the system resolver.
    resolver: Resolver | None = None

    def __repr__(self) -> str:
        return f"BridgeContext(core={self.core!r}, public={self.public_url!r})"

    def webhook_url(self, store_id: str) -> str:
        return f"{self.public_url}/bridge/v1/webhooks/{store_id}"

    def key(self, *parts: str) -> str:
        return ":".join([self.namespace, "bridge", *parts])
