"""The per-fixture set-up table.

Each recorded exchange belongs to one scenario: a list of steps run in order on a fresh
double. A step is a fixture name (replayed through the HTTP API) or a Seed (an order put
straight into the store with the fixture's id and its "Before" state). To test fixture F,
the steps before F in its scenario run first, then F is replayed and compared.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.woocommerce_double import WooCommerceDouble
from tests.woocommerce_double_tests.fixtures_dir import load


def base_order_body(
    items: list[tuple[int, int]], payment_method: str = "korea_checkout"
) -> dict[str, Any]:
    body = copy.deepcopy(load("order-create-single-item")["request"]["body"])
    body["line_items"] = [{"product_id": p, "quantity": q} for p, q in items]
    if payment_method != "korea_checkout":
        body["payment_method"] = payment_method
        body["payment_method_title"] = "Check payments"
    return body


@dataclass(frozen=True)
class Seed:
    order_id: int
    items: tuple[tuple[int, int], ...] = ((17, 1),)
    then: tuple[dict[str, Any], ...] = ()
    payment_method: str = "korea_checkout"
    # Seconds between this state and the next recorded exchange (notes sort by second).
    earlier: int = 0

    def __call__(self, double: WooCommerceDouble) -> None:
        body = base_order_body(list(self.items), self.payment_method)
        double.seed_order(body, order_id=self.order_id, then=list(self.then))


@dataclass(frozen=True)
class Fillers:
    """Unrelated older orders, so list totals match the recorded store (25 orders)."""

    ids: tuple[int, ...]

    def __call__(self, double: WooCommerceDouble) -> None:
        for order_id in self.ids:
            double.seed_order(base_order_body([(18, 1)]), order_id=order_id)


Step = str | Callable[[WooCommerceDouble], None]


@dataclass(frozen=True)
class Scenario:
    steps: tuple[Step, ...]
    catalog: bool = True  # seed products 17-20 and coupons 21-22 first
    extra: tuple[Step, ...] = field(default=())


def paid(tx: str | None = None) -> dict[str, Any]:
    return {"set_paid": True, **({"transaction_id": tx} if tx else {})}


O31 = (
    Seed(31, ((19, 1),)),
    "order-set-paid-virtual-only",
    "order-set-paid-virtual-only-notes",
    "order-status-pending-from-completed",
    "order-status-pending-from-completed-notes",
    "order-set-paid-after-regression",
)
O33 = (
    Seed(33),
    "order-set-paid-pending",
    "order-set-paid-pending-notes",
    "order-set-paid-already-processing",
    "order-set-paid-already-processing-notes",
    "order-meta-put",
    "order-meta-get",
    "order-meta-put-same-key",
    "order-meta-put-structured-value",
)
O34 = (
    Seed(34),
    "order-status-to-on-hold",
    "order-set-paid-on-hold",
    "order-set-paid-on-hold-notes",
    "order-note-create",
    "order-note-create-customer",
    "order-note-create-empty",
    "order-notes-list",
)
O35 = (Seed(35), "order-status-to-failed", "order-set-paid-failed", "order-set-paid-failed-notes")
O36 = (
    Seed(36),
    "order-status-to-cancelled",
    "order-set-paid-cancelled",
    "order-set-paid-cancelled-notes",
)
O37 = (
    Seed(37, then=({"status": "on-hold"},), earlier=1),
    "order-status-processing-from-on-hold",
    "order-status-processing-from-on-hold-notes",
)
O43 = (
    Seed(43, then=(paid("toss_tx_r1"),)),
    "refund-create-partial-1",
    "refund-create-partial-2",
    "refund-create-exceeds-remaining",
    "refund-create-api-refund-default-unknown-gateway",
    "order-get-after-partial-refunds",
    "refunds-list",
    "refund-create-remaining-full",
    "order-get-fully-refunded",
    "refund-create-on-fully-refunded",
    "order-notes-after-refunds",
    "auth-missing-put",
    "auth-missing-note",
    "auth-read-only-key-get",
    "auth-read-only-key-put",
    "auth-read-only-key-note",
    "auth-wrong-secret-put",
)
O48 = (
    Seed(48, ((18, 1),), then=(paid(),), payment_method="cheque"),
    "refund-create-api-refund-default-cheque",
)
O50 = (Seed(50, ((18, 1),)), "refund-create-on-pending-order", "order-get-pending-after-refund")
O52 = (
    Seed(52, ((18, 1),), then=({"status": "on-hold"},)),
    "refund-create-full-on-hold-order",
    "order-get-on-hold-after-full-refund",
)
# The recorded store held 25 orders; 43, 48, 50 and 52 come from their scenarios.
LIST_STORE = (
    Fillers((*range(1, 17), *range(23, 28))),
    *O43,
    *O48,
    *O50,
    *O52,
)
TAXES = (
    "settings-enable-taxes",
    "settings-prices-include-tax",
    "tax-rate-create-kr-vat-10",
    "tax-rate-create-kr-zero-rate",
)

SCENARIOS: list[Scenario] = [
    Scenario(O31),
    Scenario(O33),
    Scenario(O34),
    Scenario(O35),
    Scenario(O36),
    Scenario(O37),
    Scenario(
        (
            Seed(38),
            "order-status-processing-with-set-paid",
            "order-status-processing-with-set-paid-notes",
        )
    ),
    Scenario((Seed(39), "order-status-completed-from-pending")),
    Scenario((Seed(40, then=(paid("toss_tx_8"),)), "order-status-completed-from-processing")),
    Scenario(
        (
            Seed(41, then=(paid("toss_tx_9"),)),
            "order-status-cancelled-from-processing",
            "order-status-cancelled-from-processing-notes",
        )
    ),
    Scenario((Seed(42), "order-status-invalid-paid", "order-get-after-invalid-status")),
    Scenario(O43),
    Scenario(O48),
    Scenario(O50),
    Scenario(O52),
    Scenario(
        (
            Seed(58, ((19, 1),)),
            "order-status-processing-with-set-paid-virtual-only",
            "order-status-processing-with-set-paid-virtual-only-notes",
        )
    ),
    Scenario(
        (
            Seed(59, then=({"status": "cancelled"},)),
            "order-status-processing-with-set-paid-cancelled",
            "order-status-processing-with-set-paid-cancelled-notes",
        )
    ),
    Scenario(("order-create-single-item", "order-get")),
    Scenario(("order-create-coupon-unknown", "order-get-draft-left-by-failed-create")),
    Scenario((*TAXES, "order-create-taxes-included", "order-create-taxes-shipping-zero-rate")),
    Scenario((*LIST_STORE, "orders-list-page-1", "orders-list-page-2", "orders-list-page-beyond")),
    Scenario((*O33, *O34, *O35, *O36, *O37, *O43, "orders-search-by-transaction-id")),
    Scenario((*O33, *O34, *O35, *O36, "orders-list-status-filter")),
    # Coupon creation needs a store without the reference coupons (codes are unique).
    Scenario(("coupon-create-fixed-cart-5000", "coupon-create-percent-welcome10"), catalog=False),
]


def steps_for(name: str) -> tuple[Scenario, tuple[Step, ...]]:
    """The scenario holding `name` and the steps to run before it. A fixture that belongs
    to no scenario is independent: it runs on a fresh double with the catalogue seeded."""
    for scenario in SCENARIOS:
        if name in scenario.steps:
            index = scenario.steps.index(name)
            return scenario, scenario.steps[:index]
    return Scenario((name,)), ()
