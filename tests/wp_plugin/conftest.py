"""Session fixtures: one real WordPress store and one Korea Checkout service for all plugin
tests (starting the store takes about 20 s), and the store connected once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.wp_plugin.rig import Admin, Service, Store, korea_checkout, wordpress
from tests.wp_plugin.shopper import Checkout


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with wordpress(tmp_path_factory.mktemp("wp")) as running:
        yield running
        # After every test has used the store: no notice, warning or error from the plugin.
        assert running.plugin_log_lines() == []


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with korea_checkout(tmp_path_factory.mktemp("kc")) as running:
        yield running


@pytest.fixture(scope="session")
def admin(store: Store) -> Admin:
    return Admin(store)


@pytest.fixture(scope="session")
def connected(store: Store, service: Service, admin: Admin) -> Admin:
    """Settings saved through the page and the store connected with the button."""
    admin.submit(
        "korea_checkout_save",
        {
            "api_url": service.url,
            "api_key": service.merchant.test_key,
            "status_mapping": "automatic",
            "methods[]": ["card", "virtual_account", "kakao_pay"],
        },
    )
    admin.submit("korea_checkout_connect")
    return admin


@pytest.fixture(params=["classic", "blocks"])
def checkout(request: pytest.FixtureRequest, store: Store) -> Iterator[Checkout]:
    """Each shopper scenario runs on the classic checkout and on the Checkout block; for the
    block the store's checkout page is the block, so the shopper comes back to it."""
    kind: Checkout = request.param
    if kind == "classic":
        yield kind
        return
    store.set_checkout("blocks")
    try:
        yield kind
    finally:
        store.set_checkout("classic")
