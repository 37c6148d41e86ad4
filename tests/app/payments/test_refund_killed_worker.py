"""A worker killed after the gateway refunded but before it recorded the answer: the refund
is on record as pending, and the sweep, asking again with the same idempotency key, gets
the same refund and settles it exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from app.models import Refund
from tests.app.checkout.checkout_helpers import pay
from tests.app.payments.test_refund_ledger import APPROVE, _ledger, _sweep

REPO = Path(__file__).resolve().parents[3]


def _run_until_answered(args: dict[str, object], log: Path) -> dict[str, str]:
    with log.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.app.payments.killed_refund_child", json.dumps(args)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            assert child.stdout is not None
            line = child.stdout.readline()  # blocks until the gateway has answered
            assert line, log.read_text()
            os.kill(child.pid, signal.SIGKILL)
            assert child.wait(timeout=30) == -signal.SIGKILL
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=30)
    answer: dict[str, str] = json.loads(line)
    return answer


def test_refund_of_a_killed_worker_is_settled_once_by_the_sweep(
    app, settings, client, merchant, create_session, database, tmp_path
):
    session_id = create_session()
    assert pay(client, session_id, "card", choices=APPROVE).status_code == 303
    args = {
        "database_url": settings.resolved_database_url,
        "redis_namespace": settings.redis_namespace,
        "var_dir": str(tmp_path),
        "secret_key": settings.secret_key.get_secret_value(),
        "session_id": session_id,
        "api_key": merchant.test_key,
        "body": {"amount": 12000, "reason": "고객 요청 환불"},
    }
    answered = _run_until_answered(args, tmp_path / "child.log")
    assert _ledger(database, session_id) == (("completed", 0), [("pending", 12000)], 0)

    assert _sweep(database, app.extensions["kc.gateways"]) >= 1
    assert _ledger(database, session_id) == (
        ("partially_refunded", 12000),
        [("succeeded", 12000)],
        1,
    )
    data = client.get(f"/api/checkout/session/{session_id}", headers=merchant.headers())
    [refund] = data.get_json()["data"]["refunds"]
    assert (refund["refundId"], refund["status"]) == (answered["refundId"], "succeeded")
    with database.transaction() as db:
        # The same idempotency key got the same refund from the gateway, not a second one.
        settled = db.get_one(Refund, answered["refundId"])
        assert settled.gateway_refund_id == answered["gatewayRefundId"]
    _sweep(database, app.extensions["kc.gateways"])
    assert _ledger(database, session_id)[2] == 1
