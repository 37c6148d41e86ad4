"""The two modes every key, session, shop and gateway lives in. Data of one never mixes with
the other's; this is the one definition everything imports."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    TEST = "test"
    LIVE = "live"
