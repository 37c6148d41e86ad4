"""Hands the core a gateway by (name, mode); built once per process from one config.

Gateways store nothing, so one instance per (name, mode) is shared by every request.
``create_app`` builds the provider; the domain only sees the ``GatewayProvider`` callable.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.gateways.base import Gateway, GatewayName, Mode
from app.gateways.routing import GatewayConfig, build_gateway

GatewayProvider = Callable[[str, str], Gateway]


class CachedGatewayProvider:
    def __init__(self, config: GatewayConfig) -> None:
        self._config = config
        self._gateways: dict[tuple[GatewayName, Mode], Gateway] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "CachedGatewayProvider(<config>)"

    def __call__(self, name: str, mode: str) -> Gateway:
        key = (GatewayName(name), Mode(mode))
        with self._lock:
            gateway = self._gateways.get(key)
            if gateway is None:
                gateway = build_gateway(key[0], key[1], self._config)
                self._gateways[key] = gateway
            return gateway
