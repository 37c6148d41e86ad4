"""Server-side render time of the hosted checkout page (target: p50 < 30 ms).

Builds the real app (create_app) on a fresh SQLite database (or DATABASE_URL), creates a
sandbox session with three items through the API, then renders GET /checkout/{id} through
the WSGI stack (routing, session load with the expiry check, Jinja, CSRF token, unit of
work commit) and reports percentiles. No network: the browser-side Daum script is not part
of server time.

    .venv/bin/python bench/checkout_render.py [--requests 500] [--lang ko]
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
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app, migrate
from app.models.base import utcnow
from app.payments import api_keys
from app.payments.tenancy import Mode
from app.settings import Settings

TARGET_P50_MS = 30.0


def build(database_url: str, var_dir: str) -> tuple[object, str]:
    migrate.upgrade(database_url)
    settings = Settings(
        KC_ENV="test",
        DATABASE_URL=database_url,
        REDIS_URL=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        REDIS_NAMESPACE=f"kcbench-{secrets.token_hex(4)}",
        SECRET_KEY=secrets.token_hex(32),
        PUBLIC_BASE_URL="https://checkout.example.test",
        VAR_DIR=var_dir,
        RATE_LIMIT_TEST_PER_MINUTE=100000,
        RATE_LIMIT_PAGES_PER_MINUTE=100000,
    )  # type: ignore[call-arg]
    app = create_app(settings)
    with app.extensions["kc.database"].transaction() as db:
        account = api_keys.create_account(db, f"bench-{secrets.token_hex(3)}", utcnow())
        key = api_keys.create_key(db, account, Mode.TEST, utcnow())
    items = [
        {"name": "한정판 티셔츠", "price": 29000, "quantity": 2, "description": "블랙 / L"},
        {"name": "에코백", "price": 12000, "quantity": 1},
        {"name": "스티커 세트", "price": 3000, "quantity": 3},
    ]
    body = {
        "platform": "custom",
        "platformOrderId": "bench_1",
        "items": items,
        "customer": {"name": "홍길동", "email": "hong@example.com", "phone": "010-1234-5678"},
        "totalAmount": 29000 * 2 + 12000 + 9000 + 3000,
        "shippingAmount": 3000,
        "currency": "KRW",
        "returnUrl": "https://shop.example/success",
        "cancelUrl": "https://shop.example/cancel",
    }
    client = app.test_client()
    response = client.post(
        "/api/checkout/create-session", json=body, headers={"x-api-key": key.secret}
    )
    assert response.status_code == 201, response.get_json()
    return app, str(response.get_json()["checkoutUrl"])


def run(requests: int, lang: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
        app, checkout_url = build(url, tmp)
        client = app.test_client()  # type: ignore[attr-defined]
        # The shopper's link trades its capability for a (Secure) cookie, then the clean URL.
        link = urlsplit(checkout_url)
        base = f"{link.scheme}://{link.netloc}"
        assert client.get(f"{link.path}?{link.query}", base_url=base).status_code == 303
        path = f"{link.path}?lang={lang}"
        for _ in range(30):  # warm up: template compilation, connection pool
            assert client.get(path, base_url=base).status_code == 200
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path, base_url=base)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        app.extensions["kc.database"].dispose()  # type: ignore[attr-defined]
    timings.sort()
    return {
        "requests": requests,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 2),
        "max_ms": round(timings[-1], 2),
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--lang", choices=("ko", "en"), default="ko")
    args = parser.parse_args()
    result = run(args.requests, args.lang)
    print(json.dumps(result))
    return 0 if result["p50_ms"] < TARGET_P50_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
