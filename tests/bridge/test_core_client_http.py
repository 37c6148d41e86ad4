"""Which core client the bridge uses, and the HTTP one's wall-clock deadline: it ends every
call in time, however slowly the server trickles its answer (a per-read timeout would not)."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from app.settings import Settings
from bridge import core_connector
from bridge.core_client import CoreUnavailable, HttpCore
from bridge.embedded_core import EmbeddedCore
from tests.trickle import trickle_peer

DEADLINE_SECONDS = 1.0


@pytest.mark.parametrize("trickle", ["status", "body"])
def test_a_trickling_core_is_cut_off_at_the_deadline(trickle: str) -> None:
    with trickle_peer(trickle, interval=0.2) as peer:
        core = HttpCore(peer.url, deadline=DEADLINE_SECONDS)("sk_test_" + "0" * 64)
        started = time.monotonic()
        with pytest.raises(CoreUnavailable):
            core.get_session("cs_slow")
        elapsed = time.monotonic() - started
    assert peer.requests == 1
    # The whole answer would take over 40 s at this pace.
    assert DEADLINE_SECONDS <= elapsed < DEADLINE_SECONDS + 1.0


@pytest.mark.parametrize(
    ("core_api_url", "embedded"),
    [("", True), ("https://checkout.example.test/", True), ("https://core.example.test", False)],
)
def test_the_core_is_reached_in_process_unless_it_runs_elsewhere(
    app: Flask, settings: Settings, core_api_url: str, embedded: bool
) -> None:
    assert settings.public_base_url == "https://checkout.example.test"
    chosen = core_connector(app, settings.model_copy(update={"core_api_url": core_api_url}))
    assert isinstance(chosen, EmbeddedCore) is embedded
    if isinstance(chosen, HttpCore):
        assert chosen.base_url == "https://core.example.test"
    assert embedded or isinstance(chosen, HttpCore)
