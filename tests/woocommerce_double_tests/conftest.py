from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.woocommerce_double import WooCommerceDouble
from tests.woocommerce_double_tests.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def double(clock: ManualClock) -> Iterator[WooCommerceDouble]:
    with WooCommerceDouble(clock=clock) as running:
        running.seed_reference_catalog()
        yield running
