"""Gateway calls end at a wall-clock deadline well inside the web worker's timeout, however
slowly the gateway answers (a real socket answering one byte per second)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests

from app.devserver import WEB_TIMEOUT_SECONDS
from app.gateways import GatewayTimeout
from app.gateways.http import CALL_DEADLINE_SECONDS, send
from app.gateways.toss.client import TossClient
from tests.app.gateways.gateway_helpers import confirm
from tests.trickle import trickle_peer

ROOT = Path(__file__).resolve().parents[3]
DEADLINE = 1.5
MARGIN = 0.75


@pytest.mark.parametrize("trickle", ["status", "body"])
def test_a_trickling_gateway_call_ends_at_its_deadline(trickle: str):
    with trickle_peer(trickle) as peer:
        started = time.monotonic()
        with pytest.raises(GatewayTimeout):
            send(requests.Session(), "GET", f"{peer.url}/v1/payments/x", timeout=DEADLINE)
        took = time.monotonic() - started
    assert DEADLINE - 0.1 <= took < DEADLINE + MARGIN


def test_a_live_client_operation_ends_at_its_deadline():
    with trickle_peer("body") as peer:
        toss = TossClient(
            secret_key="test_sk_x",
            client_key="c",
            session=requests.Session(),
            base_url=peer.url,
            timeout=DEADLINE,
        )
        started = time.monotonic()
        with pytest.raises(GatewayTimeout):
            confirm(toss, {"paymentKey": "pk_1", "orderId": "cs_test_0001", "amount": "29000"})
        took = time.monotonic() - started
    assert took < DEADLINE + MARGIN


def test_gateway_deadline_is_well_inside_the_web_worker_timeout():
    procfile = (ROOT / "Procfile").read_text()
    web_timeout = int(re.search(r"gunicorn .*--timeout (\d+)", procfile).group(1))
    assert web_timeout == WEB_TIMEOUT_SECONDS
    assert web_timeout / 2 >= CALL_DEADLINE_SECONDS
