"""Where the recorded WooCommerce fixtures live. Missing fixtures are an error, never a skip."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any


def fixtures_dir() -> Path:
    override = os.environ.get("WOOCOMMERCE_FIXTURES_DIR")
    if override:
        path = Path(override)
    else:
        # Recorded facts live in the repository: <repo>/tests/fixtures/woocommerce-10.0.2.
        path = Path(__file__).resolve().parents[1] / "fixtures" / "woocommerce-10.0.2"
    if not path.is_dir() or not any(path.glob("*.json")):
        raise RuntimeError(
            f"WooCommerce fixtures not found at {path}; set WOOCOMMERCE_FIXTURES_DIR"
        )
    return path


def fixture_names() -> list[str]:
    return sorted(p.stem for p in fixtures_dir().glob("*.json"))


@cache
def load(name: str) -> dict[str, Any]:
    return json.loads((fixtures_dir() / f"{name}.json").read_text(encoding="utf-8"))
