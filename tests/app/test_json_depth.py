"""The nesting check on raw JSON bodies: exact at the limit, blind to brackets in strings."""

from __future__ import annotations

import json

import pytest

from app.json_depth import MAX_DEPTH, too_deep


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_limit_is_exact():
    assert not too_deep(nested(MAX_DEPTH))
    assert too_deep(nested(MAX_DEPTH + 1))
    assert not too_deep(b'{"a": ' + nested(MAX_DEPTH - 1) + b"}")
    assert too_deep(b'{"a": ' + nested(MAX_DEPTH) + b"}")


@pytest.mark.parametrize(
    "value",
    [
        {"name": "[" * 500 + "{" * 500},
        {"note": 'a \\" [[[[ " ' * 200},
        [[1, 2], {"k": [3, {"x": "]]]]}"}]}] * 500,
        "",
        {},
    ],
)
def test_ordinary_bodies_pass(value: object):
    assert not too_deep(json.dumps(value).encode())


def test_wide_bodies_are_not_deep():
    assert not too_deep(b"[" + b",".join([b"[[1]]"] * 100_000) + b"]")


def test_unclosed_brackets_are_refused():
    assert too_deep(b"[" * (MAX_DEPTH + 1))
