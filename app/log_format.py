"""Log lines that show the structured fields: ``... message store_id=st_1 reason=timeout``.

Code logs constant messages with ``extra={...}``; the stock formatter drops those fields, so
this one appends every non-standard record attribute as ``key=value``. Fields whose names
look like secrets are masked whatever their value, so a careless ``extra`` cannot leak one.
"""

from __future__ import annotations

import logging
import re

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
MASK = "***"
SECRET_NAME = re.compile(
    r"secret|password|passwd|token|api_?key|consumer_?key|authorization|cookie|signature|card",
    re.I,
)
# Attributes every LogRecord has (plus those Formatter.format adds), never "extra" fields.
_STANDARD = frozenset(logging.LogRecord("", logging.INFO, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


def _quoted(value: object) -> str:
    text = str(value)
    if not text or any(ch.isspace() or ch in '"=' for ch in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


class KeyValueFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        # formatMessage, not format: a traceback still follows the whole line.
        fields = [
            f"{name}={MASK if SECRET_NAME.search(name) else _quoted(value)}"
            for name, value in record.__dict__.items()
            if name not in _STANDARD and not name.startswith("_")
        ]
        return " ".join([super().formatMessage(record), *fields])


def configure_logging(level: int = logging.INFO) -> None:
    """Like ``logging.basicConfig``: a stderr handler on the root logger unless one exists
    (a process manager or test runner that configured logging keeps its own)."""
    handler = logging.StreamHandler()
    handler.setFormatter(KeyValueFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
