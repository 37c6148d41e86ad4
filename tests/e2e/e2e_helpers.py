"""Helpers for the browser tests (conftest is not importable in importlib mode)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


def screenshot(page: Page, name: str) -> None:
    """Save the current page at phone (390 px) and desktop (1280 px) widths."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    if original:
        page.set_viewport_size(original)
