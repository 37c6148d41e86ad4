"""Log lines carry their structured fields, with secret-looking fields masked."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

from app.log_format import KeyValueFormatter

ROOT = Path(__file__).resolve().parents[2]


def _formatted(message: str, **extra: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyValueFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"tests.log_format.{id(stream)}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    logger.info(message, extra=extra)
    logger.removeHandler(handler)
    return stream.getvalue().rstrip("\n")


def test_extra_fields_follow_the_message():
    line = _formatted("sync parked", store_id="st_1", reason="store unreachable", attempt=3)
    assert line == 'INFO sync parked store_id=st_1 reason="store unreachable" attempt=3'


def test_secret_looking_fields_are_masked():
    line = _formatted(
        "connected",
        store_id="st_1",
        webhook_secret="whsec_abc",
        api_key="sk_test_123",
        consumer_secret="cs_1",
        Authorization="Basic xyz",
    )
    for secret in ("whsec_abc", "sk_test_123", "cs_1", "Basic xyz"):
        assert secret not in line
    assert "store_id=st_1" in line
    assert "webhook_secret=***" in line


def test_plain_message_is_unchanged():
    assert _formatted("started") == "INFO started"


def test_traceback_follows_the_fields():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(KeyValueFormatter("%(message)s"))
    logger = logging.getLogger("tests.log_format.exc")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed", extra={"request_id": "req_1"})
    logger.removeHandler(handler)
    first, *rest = stream.getvalue().splitlines()
    assert first == "failed request_id=req_1"
    assert rest[0].startswith("Traceback")


def test_configure_logging_installs_the_formatter_on_a_bare_process():
    # A fresh interpreter: pytest's own handlers would make basicConfig a no-op here.
    code = (
        "import logging; from app.log_format import configure_logging; configure_logging(); "
        "logging.getLogger('x').info('delivery failed', extra={'delivery_id': 'dlv_1'})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.rstrip().endswith("INFO x delivery failed delivery_id=dlv_1")
