"""A nesting limit for every JSON body the service accepts, checked before anything parses it.

Python's json parser recurses once per nesting level, so a body of 100,000 ``[`` raises
RecursionError (a 500) wherever it is parsed: the API, the bridge, the webhook receiver.
One check on the raw bytes in front of every request covers them all, whichever parser
they use. No legitimate body here nests more than a handful of levels.
"""

from __future__ import annotations

import re

from flask import Flask, request

from app.payments.errors import InvalidRequest

MAX_DEPTH = 64
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # brackets inside strings do not nest
_NOT_BRACKETS = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether `raw` nests deeper than `limit`, or has brackets that never close (which the
    parser would also recurse into). Runs in C-speed passes, one per level, at most `limit`."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # cannot nest deeper than it has openers
    brackets = _NOT_BRACKETS.sub(b"", _STRINGS.sub(b"", raw))
    for _ in range(limit):
        if not brackets:
            return False
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not removed:
            return True
    return bool(brackets)


def _refuse_deep_json() -> None:
    if request.is_json and too_deep(request.get_data(cache=True)):
        raise InvalidRequest(
            f"The body is not valid JSON or nests deeper than {MAX_DEPTH} levels",
            code="invalid_json",
            details={"field": "body"},
        )


def init_json_depth_limit(app: Flask) -> None:
    app.before_request(_refuse_deep_json)
