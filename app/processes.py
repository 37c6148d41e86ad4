"""Running a few child processes as one: the dev runner (web + worker) and the worker (one
process per queue). A stop signal reaches every child; when one child ends, the others are
stopped too, so a process manager sees the failure and restarts the whole group."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from types import FrameType

POLL_SECONDS = 0.5
STOP_GRACE_SECONDS = 30


def supervise(commands: Sequence[Sequence[str]], env: Mapping[str, str] | None = None) -> int:
    """Start `commands`, wait until one of them ends, stop the rest; the first exit code."""
    children = [
        subprocess.Popen(list(argv), env=env)  # noqa: S603 - our own interpreter and arguments
        for argv in commands
    ]

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while all(child.poll() is None for child in children):
        time.sleep(POLL_SECONDS)
    first = next(child.returncode for child in children if child.returncode is not None)
    _stop(signal.SIGTERM, None)
    for child in children:
        try:
            child.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return first
