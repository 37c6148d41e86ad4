"""A worker that dies between the gateway and the commit, for real: run one refund through
the API of an app on the test's database, print the gateway's answer as soon as it is
given, then block until the parent test kills this process (SIGKILL).

Usage: ``python -m tests.app.payments.killed_refund_child '<json args>'``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app import create_app
from tests.app.payments.gateway_doubles import hook_gateways
from tests.conftest import make_settings


def _answer_then_hang(real: Callable[[Any], Any], request: Any) -> Any:
    result = real(request)
    answer = {"refundId": request.idempotency_key, "gatewayRefundId": result.refund_id}
    print(json.dumps(answer), flush=True)
    sys.stdin.read()  # the parent never writes: this process ends by its SIGKILL
    raise AssertionError("the parent was to kill this process")


def main(raw: str) -> None:
    args = json.loads(raw)
    settings = make_settings(
        args["database_url"],
        args["redis_namespace"],
        Path(args["var_dir"]),
        SECRET_KEY=args["secret_key"],
    )
    app = create_app(settings)
    hook_gateways(app, refund=_answer_then_hang)
    app.test_client().post(
        f"/api/checkout/session/{args['session_id']}/refund",
        json=args["body"],
        headers={"x-api-key": args["api_key"]},
    )


if __name__ == "__main__":
    main(sys.argv[1])
