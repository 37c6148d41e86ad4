"""Sessions API load benchmark: gunicorn + PostgreSQL + Redis, load generated on this machine.

    .venv/bin/python bench/sessions_load.py [--quick] [--no-profile]

One run measures, with the same gunicorn settings (workers, worker class, bind):

* ``GET /`` of ``bench/trivial_app.py`` (a bare Flask JSON endpoint, the baseline),
* ``POST /api/checkout/create-session`` (the reference document's body, live key),
* ``GET /api/checkout/session/{id}`` over a pool of pre-created sessions,

each at peak (``wrk``, closed loop) and at half of that peak rate (an open-loop, constant-rate
generator in this file: Debian's wrk has no ``-R``; latency is measured from the *scheduled*
send time, as wrk2 does, so queueing is not hidden). Then it profiles create-session and
get-session briefly with py-spy, if installed.

Everything it needs it makes and removes itself: a PostgreSQL database ``kc_bench_<hex>``
(migrated with ``app.migrate.upgrade``, dropped at the end), a Redis namespace
``kcbench-<hex>`` (its keys deleted at the end), an account with an ``sk_live_`` key.
``RATE_LIMIT_LIVE_PER_MINUTE`` is set to 10^9 so the limiter still runs (one Redis round trip
per request, as in production) but never refuses. Results: a table on stdout and
``bench/results/sessions_load.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import migrate  # noqa: E402
from app.db import Database  # noqa: E402
from app.models.base import utcnow  # noqa: E402
from app.payments import api_keys  # noqa: E402
from app.payments.tenancy import Mode  # noqa: E402

BENCH = ROOT / "bench"
LUA_DIR = BENCH / "lua"
RESULTS = BENCH / "results" / "sessions_load.json"
VENV_BIN = Path(sys.executable).parent
ADMIN_DSN = os.environ.get("BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
HOST = "127.0.0.1"
RATE_LIMIT = 1_000_000_000
LAG_WARNING_MS = 20.0

# The Procfile's web process: sync workers, WEB_CONCURRENCY (default 2) of them. Only the
# bind (loopback, a free port) and the access log (off: it would measure the pipe) differ.
WORKERS = int(os.environ.get("WEB_CONCURRENCY", "2"))
WORKER_CLASS = "sync"

TARGETS = {
    "create_over_trivial_min": 0.30,
    "get_over_trivial_min": 0.50,
    "p99_at_half_peak_max_ms": 50.0,
    "worker_rss_max_mb": 150.0,
}

# The reference document's "POST /api/checkout/create-session" example, sent as written.
CREATE_BODY: dict[str, Any] = {
    "platform": "custom",
    "platformOrderId": "order_123",
    "items": [
        {
            "name": "Sample Product",
            "price": 29000,
            "quantity": 1,
            "description": "Product description",
        }
    ],
    "customer": {"name": "홍길동", "email": "customer@example.com", "phone": "+82-10-1234-5678"},
    "totalAmount": 29000,
    "currency": "KRW",
    "returnUrl": "https://yourstore.com/success",
    "cancelUrl": "https://yourstore.com/cancel",
    "metadata": {"internal_order_id": "12345"},
}


@dataclass
class Timing:
    warmup: float = 3.0
    peak: float = 10.0
    half: float = 10.0
    profile: float = 6.0
    connections: int = 8
    pool: int = 300


@dataclass
class Endpoint:
    name: str
    lua: str
    path: str
    requests: list[bytes]
    expect: int
    wrk_path: str = ""  # the URL wrk is given (the Lua script may choose each request's path)
    result: dict[str, Any] = field(default_factory=dict)


def cpu_pressure() -> float | None:
    """Linux PSI: % of the last 10 s in which some runnable task waited for a CPU."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        return float(line.split()[1].split("=")[1])
    return None


def contention() -> dict[str, Any]:
    return {"loadavg": loadavg_dict(os.getloadavg()), "cpu_pressure_some_avg10": cpu_pressure()}


def log(message: str) -> None:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    psi = cpu_pressure()
    print(f"[{time.strftime('%H:%M:%S')} load {load} psi {psi}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


# --- fixtures: database, Redis namespace, merchant -------------------------------------------


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    name = f"kc_bench_{secrets.token_hex(6)}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_DSN)
    host, port, user = info.get("host", HOST), info.get("port", "5432"), info.get("user")
    try:
        yield f"postgresql+psycopg://{user}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log(f"dropped database {name}")


@contextlib.contextmanager
def redis_namespace() -> Iterator[str]:
    namespace = f"kcbench-{secrets.token_hex(6)}"
    try:
        yield namespace
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        # Also the limiter's keys, which `limits` files under "LIMITS:LIMITER/<namespace>...".
        keys = list(client.scan_iter(match=f"*{namespace}*", count=1000))
        if keys:
            client.delete(*keys)
        log(f"deleted {len(keys)} Redis keys of {namespace}")


def make_live_key(database_url: str) -> str:
    database = Database(database_url)
    try:
        with database.transaction() as session:
            account = api_keys.create_account(session, f"bench-{secrets.token_hex(4)}", utcnow())
            issued = api_keys.create_key(session, account, Mode.LIVE, utcnow())
    finally:
        database.dispose()
    return issued.secret


def count_sessions(database_url: str) -> int:
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        row = connection.execute("SELECT count(*) FROM checkout_sessions").fetchone()
    return int(row[0]) if row else 0


# --- gunicorn ----------------------------------------------------------------------------------


class Gunicorn:
    """One gunicorn master started by us, stopped by its own pid."""

    def __init__(self, target: str, port: int, env: dict[str, str], log_path: Path) -> None:
        self.port = port
        self.log_path = log_path
        command = [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--worker-class",
            WORKER_CLASS,
            "--bind",
            f"{HOST}:{port}",
            "--pythonpath",
            str(BENCH),
            target,
        ]
        self.command = command
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, path: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            with contextlib.suppress(OSError):
                status, _ = asyncio.run(fetch(self.port, raw_get(path, {})))
                if status == 200 and len(self.workers()) == WORKERS:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready in {timeout}s; see {self.log_path}")

    def workers(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def worker_memory(self) -> list[dict[str, float]]:
        out = []
        for worker in self.workers():
            info = worker.memory_full_info()
            out.append({"pid": worker.pid, "rss_mb": info.rss / 2**20, "uss_mb": info.uss / 2**20})
        return out

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# --- a minimal HTTP/1.1 client over asyncio (open-loop generator, pool creation) ----------------


def raw_get(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def raw_post(path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"POST {path} HTTP/1.1", f"Host: {HOST}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def fetch(port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length) if length else b""
        return status, body
    finally:
        writer.close()


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


class _OneShot(asyncio.Protocol):
    """Send one request on a fresh connection and collect the reply until the server closes it
    (every request says ``Connection: close``): cheaper per request than asyncio streams."""

    def __init__(self, payload: bytes, done: asyncio.Future[bytes]) -> None:
        self.payload = payload
        self.done = done
        self.chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(self.payload)

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            if exc is not None:
                self.done.set_exception(exc)
            else:
                self.done.set_result(b"".join(self.chunks))


async def _send(port: int, payload: bytes, timeout: float) -> str:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()
    try:
        transport, _ = await loop.create_connection(lambda: _OneShot(payload, done), HOST, port)
    except OSError as exc:
        return type(exc).__name__
    timer = loop.call_later(timeout, transport.abort)
    try:
        reply = await done
    except OSError as exc:
        return type(exc).__name__
    finally:
        timer.cancel()
    return reply[9:12].decode() if reply.startswith(b"HTTP/1.") else "bad_reply"


async def _open_loop_one(
    port: int,
    requests: list[bytes],
    rate: float,
    total: int,
    offset: int,
    stride: int,
    start_wall: float,
) -> tuple[list[float], dict[str, int], float, float]:
    """Requests offset, offset+stride, ... of a schedule of `total` at `rate` per second."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    max_lag = 0.0
    # Bounded even when the server falls behind: past this many open connections new requests
    # wait here (their latency still counts from the due time) instead of flooding the backlog.
    in_flight = asyncio.Semaphore(256)
    # All generator processes share one schedule, anchored on the wall clock.
    start = loop.time() + (start_wall - time.time())

    async def one(index: int, scheduled: float) -> None:
        async with in_flight:
            statuses[await _send(port, requests[index % len(requests)], 10.0)] += 1
        latencies.append(loop.time() - scheduled)

    tasks = []
    for index in range(offset, total, stride):
        scheduled = start + index / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            max_lag = max(max_lag, -delay)
        tasks.append(asyncio.create_task(one(index, scheduled)))
    await asyncio.gather(*tasks)
    return latencies, dict(statuses), max_lag, loop.time() - start


def _open_loop_process(args: tuple[int, list[bytes], float, int, int, int, float]) -> Any:
    return asyncio.run(_open_loop_one(*args))


def _raise_priority() -> None:
    # The generator's own scheduling delays on a busy 2-CPU machine would otherwise count as
    # server latency; as root, let it preempt (it needs little CPU at half of peak).
    with contextlib.suppress(OSError):
        os.nice(int(os.environ.get("KC_BENCH_NICE", "-10")))


def open_loop(
    port: int, requests: list[bytes], rate: float, duration: float, expect: int
) -> dict[str, Any]:
    """Constant-rate, open-loop load: request i is due at start + i/rate whatever happened to
    the others, and its latency counts from that due time (no coordinated omission)."""
    total = max(1, int(rate * duration))
    # One asyncio loop sends ~2000 short requests/s on this machine; split faster schedules.
    processes = max(1, min(4, math.ceil(rate / 900)))
    start_wall = time.time() + 1.0
    jobs = [(port, requests, rate, total, i, processes, start_wall) for i in range(processes)]
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_raise_priority) as pool:
        parts = pool.map(_open_loop_process, jobs)
    latencies = sorted(x for part in parts for x in part[0])
    statuses: Counter[str] = Counter()
    for part in parts:
        statuses.update(part[1])
    max_lag = max(part[2] for part in parts)
    elapsed = max(part[3] for part in parts)
    return {
        "target_rate": rate,
        "requests": total,
        "generator_processes": processes,
        "expected_status": expect,
        "ok": statuses.get(str(expect), 0),
        "statuses": dict(statuses),
        "achieved_rps": total / elapsed,
        # How late the generator itself was to send; large values mean the generator, not the
        # server, was short of CPU (the latency still counts from the due time).
        "max_send_lag_ms": max_lag * 1000,
        "latency_ms": {
            "p50": percentile(latencies, 50) * 1000,
            "p90": percentile(latencies, 90) * 1000,
            "p99": percentile(latencies, 99) * 1000,
            "max": latencies[-1] * 1000,
        },
    }


async def _create_pool(port: int, request: bytes, count: int) -> list[str]:
    ids: list[str] = []
    queue = iter(range(count))

    async def worker() -> None:
        for _ in queue:
            status, body = await fetch(port, request)
            if status != 201:
                raise RuntimeError(f"create-session answered {status}: {body[:300]!r}")
            ids.append(json.loads(body)["sessionId"])

    await asyncio.gather(*(worker() for _ in range(8)))
    return ids


# --- wrk -----------------------------------------------------------------------------------


def run_wrk(
    port: int, endpoint: Endpoint, duration: float, connections: int, env: dict[str, str]
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = Path(out.name)
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_DIR / endpoint.lua),
        f"http://{HOST}:{port}{endpoint.wrk_path or endpoint.path}",
    ]
    env = {**env, "KC_BENCH_OUT": str(out_path), "KC_BENCH_LUA_DIR": str(LUA_DIR)}
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    try:
        if completed.returncode != 0 or out_path.stat().st_size == 0:
            raise RuntimeError(f"wrk failed: {completed.stdout}\n{completed.stderr}")
        raw = json.loads(out_path.read_text())
    finally:
        out_path.unlink(missing_ok=True)
    seconds = raw["duration_us"] / 1e6
    errors = raw["errors"]
    lat = raw["latency_us"]
    return {
        "connections": connections,
        "duration_s": seconds,
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds,
        "errors": errors,
        "latency_ms": {k: lat[k] / 1000 for k in ("mean", "p50", "p90", "p99", "p999", "max")},
    }


def measure(
    server: Gunicorn, endpoint: Endpoint, timing: Timing, env: dict[str, str]
) -> dict[str, Any]:
    log(f"{endpoint.name}: warm-up {timing.warmup:.0f}s")
    run_wrk(server.port, endpoint, timing.warmup, timing.connections, env)
    before = contention()
    log(f"{endpoint.name}: peak, wrk -c{timing.connections} for {timing.peak:.0f}s")
    peak = run_wrk(server.port, endpoint, timing.peak, timing.connections, env)
    bad = sum(peak["errors"].values())
    if bad:
        log(f"{endpoint.name}: WARNING wrk counted errors {peak['errors']}")
    half_rate = peak["rps"] / 2
    log(f"{endpoint.name}: peak {peak['rps']:.0f} req/s; open loop at {half_rate:.0f} req/s")
    during_peak = contention()
    half = open_loop(server.port, endpoint.requests, half_rate, timing.half, endpoint.expect)
    half["generator_limited"] = half["max_send_lag_ms"] > LAG_WARNING_MS
    if half["generator_limited"]:
        log(
            f"{endpoint.name}: WARNING the generator sent up to {half['max_send_lag_ms']:.0f} ms "
            "late (CPU contention): this p99 is an upper bound"
        )
    if half["ok"] != half["requests"]:
        log(f"{endpoint.name}: WARNING open-loop statuses {half['statuses']}")
    return {
        "path": endpoint.path,
        "peak": peak,
        "half_peak": half,
        "contention_before_peak": before,
        "contention_after_peak": during_peak,
        "contention_after_half": contention(),
    }


# --- profiling (py-spy) ---------------------------------------------------------------------


def summarize_folded(path: Path, top: int = 15) -> dict[str, Any]:
    """Self and inclusive sample shares per function, and self share per package, from
    py-spy's raw (folded) output. gunicorn's own frames, above every request, are left out
    of the inclusive ranking."""
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_function(f) for f in stack.split(";") if not f.startswith("process ")]
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        packages[_package(frames[-1])] += count
        for name in set(frames):
            if "(gunicorn" not in name and not name.startswith("<module>"):
                inclusive[name] += count

    def share(counter: Counter[str], limit: int) -> list[dict[str, Any]]:
        return [
            {"function": name, "pct": round(100 * n / max(total, 1), 1)}
            for name, n in counter.most_common(limit)
        ]

    return {
        "samples": total,
        "self_by_package": share(packages, 12),
        "self": share(own, top),
        "inclusive": share(inclusive, 2 * top),
    }


def _package(function: str) -> str:
    where = function.rpartition(" (")[2].rstrip(")")
    return where.split("/", 1)[0] if "/" in where else where


def _function(frame: str) -> str:
    # "name (path/to/file.py:123)" -> "name (path/to/file.py)"
    name, _, where = frame.partition(" (")
    where = where.rsplit(":", 1)[0].removeprefix(str(ROOT) + "/")
    where = where.split("/site-packages/", 1)[-1].split("/lib/python3.11/", 1)[-1]
    return f"{name} ({where})" if where else name


def profile(
    server: Gunicorn, endpoint: Endpoint, timing: Timing, env: dict[str, str], out_dir: Path
) -> dict[str, Any] | None:
    py_spy = shutil.which("py-spy") or str(VENV_BIN / "py-spy")
    if not Path(py_spy).exists():
        log("py-spy not installed (.venv/bin/pip install py-spy): profiling skipped")
        return None
    folded = out_dir / f"sessions_{endpoint.name}.folded"
    command = [
        py_spy,
        "record",
        "--pid",
        str(server.process.pid),
        "--subprocesses",
        "--rate",
        "200",
        "--format",
        "raw",
        "--duration",
        str(round(timing.profile)),
        "--output",
        str(folded),
    ]
    log(f"{endpoint.name}: py-spy for {timing.profile:.0f}s under wrk load")
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)
    run_wrk(server.port, endpoint, timing.profile + 1, timing.connections, env)
    _, err = spy.communicate(timeout=60)
    if spy.returncode != 0 or not folded.exists():
        log(f"py-spy failed ({spy.returncode}): {err.decode()[-500:]}")
        return None
    summary = summarize_folded(folded)
    summary["folded"] = str(folded)
    return summary


# --- the run ------------------------------------------------------------------------------


def loadavg_dict(values: tuple[float, float, float] | list[float]) -> dict[str, float]:
    return {"1m": round(values[0], 2), "5m": round(values[1], 2), "15m": round(values[2], 2)}


def busy_processes(limit: int = 5) -> list[dict[str, Any]]:
    """The other processes using CPU right now (context for a shared machine)."""
    procs = list(psutil.process_iter(["pid", "name", "cmdline"]))
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.cpu_percent(None)
    time.sleep(1.0)
    rows = []
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            cpu = proc.cpu_percent(None)
            if cpu >= 5:
                cmd = " ".join(proc.info["cmdline"] or [proc.info["name"] or ""])[:80]
                rows.append({"pid": proc.pid, "cpu_pct": cpu, "cmd": cmd})
    return sorted(rows, key=lambda r: -r["cpu_pct"])[:limit]


def code_state() -> dict[str, Any]:
    """Which code was measured: HEAD, and the files under app/ that differ from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    changed = [line[3:] for line in git("status", "--porcelain", "--", "app").splitlines()]
    return {"head": git("rev-parse", "HEAD"), "app_files_differing_from_head": changed}


def check_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed. On Debian: apt-get install -y wrk  (then run this again)")


def run(timing: Timing, with_profile: bool, profile_dir: Path) -> dict[str, Any]:
    check_wrk()
    started = time.monotonic()
    load_start = os.getloadavg()
    busy_start = busy_processes()
    log(f"{os.cpu_count()} CPUs; busy processes before the run: {busy_start}")
    port = free_port()
    base_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("KC_", "DATABASE_", "REDIS_"))
    }
    body = json.dumps(CREATE_BODY, ensure_ascii=False).encode()
    result: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "kernel": platform.release(),
            "loadavg_start": loadavg_dict(load_start),
            "cpu_pressure_start": cpu_pressure(),
            "busy_processes_start": busy_start,
        },
        "gunicorn": {"workers": WORKERS, "worker_class": WORKER_CLASS, "bind": f"{HOST}:<port>"},
        "load_generator": {
            "peak": f"wrk -t1 -c{timing.connections} -d{timing.peak:.0f}s (closed loop)",
            "half_peak": (
                f"open loop, constant rate = peak/2 for {timing.half:.0f}s, asyncio, "
                "new connection per request, latency from the scheduled send time"
            ),
            "warmup_s": timing.warmup,
        },
        "app_settings": {
            "KC_ENV": "production",
            "RATE_LIMIT_LIVE_PER_MINUTE": RATE_LIMIT,
            "mode": "live key",
        },
        "targets": TARGETS,
        "code": code_state(),
    }

    with tempfile.TemporaryDirectory(prefix="kc_bench_") as tmp:
        tmp_dir = Path(tmp)
        body_file = tmp_dir / "body.json"
        body_file.write_bytes(body)

        # 1. The baseline.
        trivial = Endpoint("trivial", "trivial.lua", "/", [raw_get("/", {})], 200)
        server = Gunicorn("trivial_app:app", port, base_env, tmp_dir / "trivial.log")
        try:
            server.wait_ready("/")
            trivial.result = measure(server, trivial, timing, base_env)
            trivial_memory = server.worker_memory()
        finally:
            server.stop()

        # 2. The application, on its own database and Redis namespace.
        with bench_database() as database_url, redis_namespace() as namespace:
            log(f"migrating {database_url.rsplit('/', 1)[1]}")
            migrate.upgrade(database_url)
            key = make_live_key(database_url)
            app_env = {
                **base_env,
                "KC_ENV": "production",
                "SECRET_KEY": secrets.token_hex(32),
                "DATABASE_URL": database_url,
                "REDIS_URL": REDIS_URL,
                "REDIS_NAMESPACE": namespace,
                "RATE_LIMIT_LIVE_PER_MINUTE": str(RATE_LIMIT),
                "PUBLIC_BASE_URL": "https://checkout.bench.test",
                "VAR_DIR": str(tmp_dir / "var"),
            }
            wrk_env = {
                **base_env,
                "KC_BENCH_KEY": key,
                "KC_BENCH_BODY": str(body_file),
                "KC_BENCH_IDS": str(tmp_dir / "ids.txt"),
            }
            auth = {"x-api-key": key}
            create_request = raw_post("/api/checkout/create-session", auth, body)
            server = Gunicorn("app:create_app()", port, app_env, tmp_dir / "app.log")
            try:
                server.wait_ready("/healthz")
                log(f"creating a pool of {timing.pool} sessions for get-session")
                ids = asyncio.run(_create_pool(port, create_request, timing.pool))
                (tmp_dir / "ids.txt").write_text("\n".join(ids) + "\n")
                create = Endpoint(
                    "create_session",
                    "create_session.lua",
                    "/api/checkout/create-session",
                    [create_request],
                    201,
                )
                get = Endpoint(
                    "get_session",
                    "get_session.lua",
                    "/api/checkout/session/{id}",
                    [raw_get(f"/api/checkout/session/{i}", auth) for i in ids],
                    200,
                    wrk_path=f"/api/checkout/session/{ids[0]}",
                )
                create.result = measure(server, create, timing, wrk_env)
                get.result = measure(server, get, timing, wrk_env)
                app_memory = server.worker_memory()
                result["sessions_in_database"] = count_sessions(database_url)
                if with_profile:
                    result["profile"] = {
                        "tool": "py-spy record --subprocesses --rate 200 (raw/folded)",
                        "seconds_each": timing.profile,
                        "create_session": profile(server, create, timing, wrk_env, profile_dir),
                        "get_session": profile(server, get, timing, wrk_env, profile_dir),
                    }
                    app_memory_after_profile = server.worker_memory()
                    result["worker_memory_after_profile"] = app_memory_after_profile
            finally:
                server.stop()

    result["endpoints"] = {e.name: e.result for e in (trivial, create, get)}
    result["worker_memory"] = {"trivial": trivial_memory, "app": app_memory}
    base = trivial.result["peak"]["rps"]
    ratios = {
        "create_over_trivial": create.result["peak"]["rps"] / base,
        "get_over_trivial": get.result["peak"]["rps"] / base,
    }
    result["ratios"] = ratios
    max_rss = max(w["rss_mb"] for w in app_memory)
    result["verdict"] = {
        "create_throughput": ratios["create_over_trivial"] >= TARGETS["create_over_trivial_min"],
        "get_throughput": ratios["get_over_trivial"] >= TARGETS["get_over_trivial_min"],
        "create_p99_half_peak": create.result["half_peak"]["latency_ms"]["p99"]
        < TARGETS["p99_at_half_peak_max_ms"],
        "get_p99_half_peak": get.result["half_peak"]["latency_ms"]["p99"]
        < TARGETS["p99_at_half_peak_max_ms"],
        "worker_rss": max_rss < TARGETS["worker_rss_max_mb"],
    }
    result["machine"]["loadavg_end"] = loadavg_dict(os.getloadavg())
    result["machine"]["cpu_pressure_end"] = cpu_pressure()
    result["machine"]["busy_processes_end"] = busy_processes()
    result["machine"]["wall_seconds"] = round(time.monotonic() - started, 1)
    return result


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_table(result: dict[str, Any]) -> None:
    rows = [("endpoint", "peak req/s", "p50 ms", "p99 ms", "½ rate", "½ p50", "½ p99", "errors")]
    for name, data in result["endpoints"].items():
        peak, half = data["peak"], data["half_peak"]
        errors = sum(peak["errors"].values()) + (half["requests"] - half["ok"])
        rows.append(
            (
                name,
                f"{peak['rps']:.0f}",
                f"{peak['latency_ms']['p50']:.1f}",
                f"{peak['latency_ms']['p99']:.1f}",
                f"{half['achieved_rps']:.0f}",
                f"{half['latency_ms']['p50']:.1f}",
                f"{half['latency_ms']['p99']:.1f}",
                str(errors),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    print()
    for index, row in enumerate(rows):
        print(
            "  ".join(
                cell.rjust(w) if i else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print("  ".join("-" * w for w in widths))
    ratios, verdict = result["ratios"], result["verdict"]
    mem = result["worker_memory"]
    print()
    print(
        f"create/trivial = {ratios['create_over_trivial']:.2f}x (target >= 0.30: "
        f"{_met(verdict['create_throughput'])}); "
        f"get/trivial = {ratios['get_over_trivial']:.2f}x (target >= 0.50: "
        f"{_met(verdict['get_throughput'])})"
    )
    print(
        f"p99 at half of peak < 50 ms: create {_met(verdict['create_p99_half_peak'])}"
        f", get {_met(verdict['get_p99_half_peak'])}"
    )
    app_rss = ", ".join(f"{w['rss_mb']:.0f}" for w in mem["app"])
    trivial_rss = ", ".join(f"{w['rss_mb']:.0f}" for w in mem["trivial"])
    print(
        f"web worker RSS MB: app [{app_rss}] (target < 150: "
        f"{_met(verdict['worker_rss'])}); trivial [{trivial_rss}]"
    )
    machine = result["machine"]
    print(
        f"load average start {machine['loadavg_start']} end {machine['loadavg_end']} "
        f"on {machine['cpus']} CPUs; CPU pressure (PSI some avg10) start "
        f"{machine['cpu_pressure_start']}% end {machine['cpu_pressure_end']}%; "
        f"wall {machine['wall_seconds']} s"
    )
    for name, data in result["endpoints"].items():
        if data["half_peak"].get("generator_limited"):
            print(
                f"note: {name} half-peak generator was up to "
                f"{data['half_peak']['max_send_lag_ms']:.0f} ms late (CPU contention)"
            )
    for name, prof in (result.get("profile") or {}).items():
        if not isinstance(prof, dict):
            continue
        print(f"\nprofile {name}: {prof['samples']} samples; top inclusive:")
        for row in prof["inclusive"][:20]:
            print(f"  {row['pct']:5.1f}%  {row['function']}")
        print("  self time by package:")
        for row in prof["self_by_package"][:8]:
            print(f"  {row['pct']:5.1f}%  {row['function']}")
        print("  top self:")
        for row in prof["self"][:8]:
            print(f"  {row['pct']:5.1f}%  {row['function']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short phases (smoke test)")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy phase")
    parser.add_argument(
        "--profile-dir",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where py-spy's folded stacks go (default: the temp directory)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    timing = Timing()
    if args.quick:
        timing = Timing(warmup=1, peak=3, half=3, profile=2, pool=50)
    result = run(timing, not args.no_profile, args.profile_dir)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print_table(result)
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
