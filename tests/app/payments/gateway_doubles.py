"""Gateway providers for ledger tests: the real sandboxes, with a fault or a gate put in
front of one operation. Everything else goes to the sandbox untouched."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from app.gateways import Gateway
from app.gateways.provider import GatewayProvider

#: Runs instead of the named operation; gets the real bound method and its request.
Hook = Callable[[Callable[[Any], Any], Any], Any]


class HookedGateway:
    def __init__(self, inner: Gateway, hooks: dict[str, Hook]) -> None:
        self._inner = inner
        self._hooks = hooks

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._inner, name)
        hook = self._hooks.get(name)
        if hook is None:
            return real
        return lambda request: hook(real, request)


def hook_gateways(app: Flask, **hooks: Hook) -> GatewayProvider:
    """Put ``hooks`` (by operation name: ``refund=...``) in front of every gateway the app
    hands out; returns the untouched provider (for sweeps that should meet the real one)."""
    inner: GatewayProvider = app.extensions["kc.gateways"]

    def provider(name: str, mode: str) -> Gateway:
        return HookedGateway(inner(name, mode), hooks)  # type: ignore[return-value]

    app.extensions["kc.gateways"] = provider
    return inner


class Gate:
    """Holds a call inside the gateway until the test releases it."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def hook(self, real: Callable[[Any], Any], request: Any) -> Any:
        self.entered.set()
        if not self.release.wait(timeout=30):
            raise AssertionError("gate never released")
        return real(request)


def raising(error: BaseException) -> Hook:
    def hook(_real: Callable[[Any], Any], _request: Any) -> Any:
        raise error

    return hook


def after_answer(error: BaseException) -> Hook:
    """The gateway does the work and answers, then the caller dies before recording it."""

    def hook(real: Callable[[Any], Any], request: Any) -> Any:
        real(request)
        raise error

    return hook
