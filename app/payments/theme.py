"""The brand CSS variables a session's metadata may carry (README "Brand colours"), and the
exact shape each value must have. Shared by the hosted page, which renders them, and the
bridge, which copies the plugin's ``korea_checkout_css_vars`` into the session."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_COLOR = r"#[0-9a-fA-F]{3,8}|rgba?\(\s*[\d.]+%?(\s*,\s*[\d.]+%?){2,3}\s*\)|[a-zA-Z]{3,20}"
_LENGTH = r"0|\d{1,3}(\.\d{1,2})?(px|rem|em|%)"
_FONT = r"[\w\s,'\"-]{1,120}"
#: The CSS variables a shop or the plugin (``korea_checkout_css_vars``) may set, and the
#: exact shape each value must have: anything else is dropped, never escaped into CSS.
THEME_VARIABLES: Mapping[str, re.Pattern[str]] = {
    name: re.compile(rf"^(?:{pattern})$")
    for name, pattern in {
        "--primary-color": _COLOR,
        "--primary-text-color": _COLOR,
        "--background-color": _COLOR,
        "--surface-color": _COLOR,
        "--text-color": _COLOR,
        "--muted-color": _COLOR,
        "--border-color": _COLOR,
        "--button-radius": _LENGTH,
        "--card-radius": _LENGTH,
        "--font-family": _FONT,
    }.items()
}


def theme(metadata: Mapping[str, Any]) -> dict[str, str]:
    """Valid theme variables from the session metadata (keys like ``--primary-color``)."""
    chosen: dict[str, str] = {}
    for name, pattern in THEME_VARIABLES.items():
        value = metadata.get(name)
        if isinstance(value, str) and pattern.fullmatch(value.strip()):
            chosen[name] = value.strip()
    return chosen
