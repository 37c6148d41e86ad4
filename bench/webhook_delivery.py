"""Webhook delivery benchmark (issue 4).

Measures, on PostgreSQL + Redis with 2 `flask --app app worker` processes delivering to a
local receiver:
  1. drain throughput: N events committed while the workers are stopped, then the time for
     2 workers to deliver all of them (deliveries/s from first to last 2xx), and the
     end-to-end burst rate from first commit to last 2xx with workers running;
  2. commit-to-2xx latency (p50/p99) with events committed at a constant 100 events/s.
Run: .venv/bin/python bench/webhook_delivery.py [--events 3000] [--rate 100] [--seconds 20]
Targets: >= 300 deliveries/s; p99 < 250 ms at 100 events/s.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import redis
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app, migrate  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.payments import api_keys, sessions  # noqa: E402
from app.payments.inputs import CreateSessionRequest  # noqa: E402
from app.payments.tenancy import Mode, Tenant  # noqa: E402
from app.settings import Settings  # noqa: E402

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


class Receiver:
    def __init__(self) -> None:
        self.received: dict[str, float] = {}
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, Request.application(self.handle), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, request: Request) -> Response:
        session_id = json.loads(request.get_data())["data"]["sessionId"]
        with self.lock:
            self.received.setdefault(session_id, time.monotonic())
        return Response("ok")

    def wait(self, count: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)


def body(url: str, n: int) -> CreateSessionRequest:
    return CreateSessionRequest.model_validate(
        {
            "platformOrderId": f"bench-{n}",
            "items": [{"name": "상품", "price": 29000, "quantity": 1}],
            "customer": {"name": "홍길동", "email": "bench@example.com"},
            "totalAmount": 29000,
            "returnUrl": "https://shop.example/ok",
            "cancelUrl": "https://shop.example/cancel",
            "webhookUrl": url,
        }
    )


def produce(app, tenant: Tenant, url: str, n: int, commits: dict[str, float]) -> None:
    database = app.extensions["kc.database"]
    with database.transaction() as db:
        session = sessions.create_session(db, tenant, body(url, n), utcnow())
        session_id = session.id
    with database.transaction() as db:
        sessions.cancel_session(db, tenant, session_id, utcnow())
    commits[session_id] = time.monotonic()


def start_workers(env: dict[str, str], count: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "worker"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    name = f"kc_bench_{secrets.token_hex(4)}"
    namespace = f"kcbench{secrets.token_hex(3)}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "REDIS_NAMESPACE": namespace,
        "SECRET_KEY": secrets.token_hex(32),
        "KC_ENV": "production",
        "SWEEP_INTERVAL_SECONDS": "30",
        # The receiver runs on this machine: production refuses loopback targets unless told.
        "ALLOW_LOOPBACK_TARGETS": "true",
    }
    workers: list[subprocess.Popen[bytes]] = []
    try:
        migrate.upgrade(url)
        app = create_app(Settings(**env))  # type: ignore[arg-type]
        with app.extensions["kc.database"].transaction() as db:
            account = api_keys.create_account(db, "bench", utcnow())
        tenant = Tenant(account.id, Mode.TEST)
        receiver = Receiver()
        load = os.getloadavg()

        # 1. Drain: events queued while no worker runs, then 2 workers deliver them.
        commits: dict[str, float] = {}
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(
                pool.map(
                    lambda n: produce(app, tenant, receiver.url, n, commits), range(args.events)
                )
            )
        workers = start_workers(env, args.workers)
        receiver.wait(1, 60)
        first = min(receiver.received.values())
        receiver.wait(args.events, 300)
        drained = len(receiver.received)
        drain_rate = (drained - 1) / (max(receiver.received.values()) - first)

        # 2. Latency at a constant rate with workers running.
        receiver.received.clear()
        commits.clear()
        total = args.rate * args.seconds
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            for n in range(total):
                due = start + n / args.rate
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)  # open-loop pacing of the producer
                pool.submit(produce, app, tenant, receiver.url, args.events + n, commits)
        receiver.wait(total, 120)
        latencies = [
            (receiver.received[k] - commits[k]) * 1000 for k in commits if k in receiver.received
        ]
        result = {
            "events": args.events,
            "workers": args.workers,
            "drain_deliveries_per_second": round(drain_rate, 1),
            "delivered_in_drain": drained,
            "rate_events_per_second": args.rate,
            "rate_events": total,
            "rate_delivered": len(latencies),
            "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "max_ms": round(max(latencies), 1),
            "loadavg_before": [round(x, 2) for x in load],
            "cpu_count": os.cpu_count(),
        }
        print(json.dumps(result, indent=2))
        out = ROOT / "bench" / "results" / "webhook_delivery.json"
        out.write_text(json.dumps(result, indent=2) + "\n")
    finally:
        stop(workers)
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{namespace}*", count=1000))
        if keys:
            client.delete(*keys)
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
