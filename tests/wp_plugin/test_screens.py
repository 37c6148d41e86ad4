"""The settings page, the classic checkout and the Checkout block in a real browser, with
screenshots at 390 px and 1280 px saved under the pytest tmp dir (wp-screens*)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.wp_plugin.rig import ROOT, Admin, Store

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("wp-screens")


def shoot(page: Page, directory: Path, name: str) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"{name}-{width}.png"), full_page=True)


def context_for(browser: Browser, store: Store, admin: Admin | None = None) -> BrowserContext:
    context = browser.new_context(locale="ko-KR")
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(store.url) else route.abort()
        ),
    )
    if admin is not None:
        context.add_cookies(
            [{"name": c.name, "value": c.value or "", "url": store.url} for c in admin.http.cookies]
        )
    return context


def set_checkout(store: Store, kind: str) -> None:
    env = {**store.env, "WC_RIG_CHECKOUT": kind, "PATH": "/usr/bin:/bin"}
    subprocess.run(
        ["php", str(ROOT / "tests" / "wp_rig" / "rig-setup.php"), str(store.wp_dir), "configure"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_settings_page(browser: Browser, store: Store, connected: Admin, screens: Path):
    context = context_for(browser, store, connected)
    page = context.new_page()
    page.goto(f"{store.url}/wp-admin/admin.php?page=korea-checkout")
    expect(page.locator("#korea-checkout-state")).to_contain_text("Connected (bst_")
    expect(page.locator("#korea-checkout-api-key")).to_have_attribute("type", "password")
    shoot(page, screens, "settings")
    context.close()


def add_to_cart(page: Page, store: Store) -> None:
    page.goto(f"{store.url}/?add-to-cart={store.env['WC_RIG_DEMO_PRODUCT_ID']}")


def test_classic_checkout_shows_the_methods_styled_by_the_filter(
    browser: Browser, store: Store, connected: Admin, screens: Path
):
    context = context_for(browser, store)
    page = context.new_page()
    add_to_cart(page, store)
    page.goto(f"{store.url}/checkout/")
    page.locator("#payment_method_korea_checkout").check()
    methods = page.locator(".payment_box.payment_method_korea_checkout .korea-checkout-methods")
    expect(methods).to_be_visible()
    expect(methods.locator("input[name=korea_checkout_method]")).to_have_count(3)
    colour = methods.evaluate("e => getComputedStyle(e).getPropertyValue('--primary-color')")
    assert colour.strip() == "#c0392b"
    expect(page.locator("#custom_field")).to_be_visible()
    shoot(page, screens, "classic-checkout")
    context.close()


def test_checkout_block_shows_the_methods(
    browser: Browser, store: Store, connected: Admin, screens: Path
):
    set_checkout(store, "blocks")
    try:
        context = context_for(browser, store)
        page = context.new_page()
        page.set_default_timeout(30000)
        add_to_cart(page, store)
        page.goto(f"{store.url}/checkout/")
        option = page.get_by_label("Korean payment methods")
        option.check()
        methods = page.locator(".wc-block-checkout .korea-checkout-methods")
        expect(methods).to_be_visible()
        expect(methods.locator("input[type=radio]")).to_have_count(3)
        expect(page.get_by_label("Custom Field")).to_be_visible()
        shoot(page, screens, "blocks-checkout")
        context.close()
    finally:
        set_checkout(store, "classic")
