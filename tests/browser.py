"""One headless Chromium for the whole test run (hosted pages and the WordPress plugin alike).

Playwright's sync API runs its own event loop in the calling thread, so two live
`sync_playwright()` instances in one process refuse to start: every browser test shares this
one, started on first use and closed at the end of the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# As the machine's own probe starts it: without the background-networking flags Chromium keeps
# trying the (closed) network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
