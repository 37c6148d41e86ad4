"""WooCommerce bridge relay benchmark (issue 5).

On its own PostgreSQL database and Redis namespace, with gunicorn serving the app, 2
`flask --app app worker` processes and WooCommerce doubles answering in 20 ms, signed
`payment.completed` webhooks are posted to `/bridge/v1/webhooks/{store}` for orders linked
to sessions, and the time from posting each one to its order's status update (PUT) in the
double is measured (also to its Korean note, the last write of the sync):
  1. sustained: 100 events/s for 60 s spread over N stores (p50/p99);
  2. burst: M events posted as fast as possible (events/s from first post to last update);
  3. isolation: store B alone at 10 events/s (baseline p99), then again with store A's
     every request hanging past the 2 s client timeout (B's p99 within 1.5x).
Run: .venv/bin/python bench/bridge_relay.py [--stores 16] [--rate 100] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import migrate  # noqa: E402
from app.db import Database  # noqa: E402
from bench.bridge_stack import (  # noqa: E402
    Store,
    connect_store,
    latencies,
    paced,
    prepare,
    reset,
    wait_synced,
)
from tests.servers import free_port, gunicorn_server, start_worker, stop  # noqa: E402

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def summary(stores: list[Store]) -> dict[str, Any]:
    updates, missing = latencies(stores, "updated")
    notes, _ = latencies(stores, "noted")
    return {
        "events": len(updates) + missing,
        "updated": len(updates),
        "missing": missing,
        "p50_ms": round(statistics.median(updates), 1) if updates else None,
        "p99_ms": round(percentile(updates, 0.99), 1),
        "max_ms": round(max(updates), 1) if updates else None,
        "note_p50_ms": round(statistics.median(notes), 1) if notes else None,
        "note_p99_ms": round(percentile(notes, 0.99), 1),
    }


def round_robin(stores: list[Store], count: int) -> list[Store]:
    return [stores[n % len(stores)] for n in range(count)]


def run(url: str, env: dict[str, str], database: Database, args: argparse.Namespace) -> dict:
    stores = [connect_store(url, database) for _ in range(args.stores)]
    slow, alone = connect_store(url, database), connect_store(url, database)
    sustained = args.rate * args.seconds
    iso = args.iso_rate * args.iso_seconds
    started = time.monotonic()
    prepare(url, stores, (sustained + args.burst) // len(stores) + 2)
    prepare(url, [alone], 2 * iso + 2)
    prepare(url, [slow], iso + 2)
    prepare_seconds = time.monotonic() - started
    workers = [start_worker(env) for _ in range(2)]
    result: dict[str, Any] = {"prepare_seconds": round(prepare_seconds, 1)}
    try:
        # Warm-up: both workers, every store's first connection.
        paced(url, round_robin(stores, len(stores)), 50)
        wait_synced(stores, 60)
        reset(stores)

        load = os.getloadavg()
        took = paced(url, round_robin(stores, sustained), args.rate)
        wait_synced(stores, 60)
        result["sustained"] = {
            "rate": args.rate,
            "seconds": args.seconds,
            "posting_seconds": round(took, 1),
            **summary(stores),
            "loadavg_before": [round(x, 2) for x in load],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        }
        reset(stores)
        time.sleep(2)

        load = os.getloadavg()
        first = time.monotonic()
        paced(url, round_robin(stores, args.burst), 5000)
        wait_synced(stores, 120)
        updates = [t for s in stores for o, t in s.double.updated.items() if o in s.sent]
        result["burst"] = {
            **summary(stores),
            "events_per_second": round(len(updates) / (max(updates) - first), 1),
            "sync_events_per_second": round(len(updates) / (max(updates) - min(updates)), 1),
            "loadavg_before": [round(x, 2) for x in load],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        }
        reset(stores)
        time.sleep(2)

        load = os.getloadavg()
        paced(url, [alone] * iso, args.iso_rate)
        wait_synced([alone], 60)
        baseline = summary([alone])
        reset([alone])
        slow.double.faults.hang_next(100000, seconds=5)
        mixed = [s for pair in zip([alone] * iso, [slow] * iso, strict=True) for s in pair]
        paced(url, mixed, 2 * args.iso_rate)
        wait_synced([alone], 60)
        with_slow = summary([alone])
        slow.double.faults.clear()
        slow.double.faults.release()
        result["isolation"] = {
            "rate_per_store": args.iso_rate,
            "seconds": args.iso_seconds,
            "baseline": baseline,
            "with_store_timing_out": with_slow,
            "slow_store_updated": len(slow.double.updated),
            "p99_ratio": round(with_slow["p99_ms"] / baseline["p99_ms"], 2),
            "loadavg_before": [round(x, 2) for x in load],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        }
    finally:
        for worker in workers:
            stop(worker)
        for store in [*stores, slow, alone]:
            store.double.stop()
    return result


def cleanup_redis(namespace: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"*{namespace}*", count=1000))
    for key in client.scan_iter(match="rq:job:*", count=1000):
        if client.hget(key, "origin") in (f"{namespace}-default".encode(),):
            keys.append(key)
    if keys:
        client.delete(*keys)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stores", type=int, default=16)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--burst", type=int, default=1500)
    parser.add_argument("--iso-rate", type=int, default=10)
    parser.add_argument("--iso-seconds", type=int, default=30)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "bridge_relay.json"))
    args = parser.parse_args()

    name = f"kc_bench_{secrets.token_hex(4)}"
    namespace = f"kcbench{secrets.token_hex(3)}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    port = free_port()
    env = {
        "KC_ENV": "test",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "REDIS_NAMESPACE": namespace,
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "VAR_DIR": tempfile.mkdtemp(prefix=name),
        "SWEEP_INTERVAL_SECONDS": "5",
        "BRIDGE_WOOCOMMERCE_TIMEOUT_SECONDS": "2",
        "BRIDGE_RECONCILE_AFTER_SECONDS": "3600",
        # One test-mode key per store makes thousands of sessions here: no per-key limit.
        "RATE_LIMIT_TEST_PER_MINUTE": "1000000",
        "RATE_LIMIT_BRIDGE_PER_MINUTE": "1000000",
        "RATE_LIMIT_PAGES_PER_MINUTE": "1000000",
    }
    database: Database | None = None
    try:
        migrate.upgrade(url)
        database = Database(url)
        # The bridge calls the API on this same server: enough workers that none waits on itself.
        with gunicorn_server(env, workers=8, port=port) as base:
            result = run(base, env, database, args)
        result.update(
            {
                "stores": args.stores,
                "workers": 2,
                "woocommerce_latency_ms": 20,
                "cpu_count": os.cpu_count(),
            }
        )
        print(json.dumps(result, indent=2))
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    finally:
        if database is not None:
            database.dispose()
        cleanup_redis(namespace)
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
