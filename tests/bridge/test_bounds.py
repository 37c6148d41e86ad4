"""Ids and amounts out of range are 400/404 answers, never 500s."""

from __future__ import annotations

import pytest

from bridge.mapping.amounts import map_amounts, won
from bridge.mapping.errors import OrderMappingError
from tests.bridge.conftest import ConnectedStore
from tests.bridge.support import MemoryQueue

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("order_id", [HUGE, str(2**63), "0"])
def test_huge_order_ids_are_404(store: ConnectedStore, queue: MemoryQueue, order_id: str) -> None:
    client, headers = store.client, store.headers()
    for response in (
        client.get(f"/bridge/v1/orders/{order_id}", headers=headers),
        client.get(f"/bridge/v1/orders/{order_id}/timeline", headers=headers),
        client.post(f"/bridge/v1/orders/{order_id}/cancel", headers=headers),
        client.post(
            f"/bridge/v1/orders/{order_id}/refunds", json={"wcRefundId": 1}, headers=headers
        ),
    ):
        assert response.status_code == 404, response.get_data(as_text=True)
    anonymous = client.get(f"/bridge/v1/orders/{order_id}")
    assert anonymous.status_code == 401


@pytest.mark.parametrize("wc_refund_id", [HUGE, int(HUGE), 2**63, "1" * 5000, 0, -1])
def test_huge_refund_ids_and_amounts_are_400(
    store: ConnectedStore, queue: MemoryQueue, wc_refund_id: object
) -> None:
    order_id = store.new_order()
    store.checkout(order_id)
    response = store.client.post(
        f"/bridge/v1/orders/{order_id}/refunds",
        json={"wcRefundId": wc_refund_id},
        headers=store.headers(),
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["details"]["field"] == "wcRefundId"
    too_much = store.client.post(
        f"/bridge/v1/orders/{order_id}/refunds",
        json={"wcRefundId": 5, "amount": 10**30},
        headers=store.headers(),
    )
    assert too_much.status_code == 400
    assert too_much.get_json()["error"]["details"]["field"] == "amount"


@pytest.mark.parametrize(
    "change",
    [
        {"total": "1e400"},
        {"total": "-1e400"},
        {"total": "100000000001"},
        {"shipping_total": "1e400"},
        {"id": HUGE},
        {"id": "1" * 5000},
    ],
)
def test_huge_order_values_are_400(
    store: ConnectedStore, queue: MemoryQueue, change: dict[str, str]
) -> None:
    order = store.double.order(store.new_order())
    if "shipping_total" in change:
        order["shipping_lines"] = [{"total": change["shipping_total"], "total_tax": "0"}]
    else:
        order.update(change)
    response = store.client.post(
        "/bridge/v1/orders",
        json={
            "order": order,
            "returnUrl": "https://shop.example.test/return",
            "cancelUrl": "https://shop.example.test/cancel",
        },
        headers=store.headers(),
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] in (
        "amount_too_large",
        "invalid_amount",
        "invalid_order",
        "nothing_to_pay",
    )


def test_won_bounds() -> None:
    assert won("29000") == 29000
    assert won("100000000000") == 100_000_000_000
    for value in ("1e400", "-1e400", "1e100000000", "100000000001"):
        with pytest.raises(OrderMappingError):
            won(value)
    huge_quantity = {
        "total": "1000",
        "line_items": [{"name": "x", "subtotal": "1000", "total": "1000", "quantity": "1e400"}],
    }
    assert map_amounts(huge_quantity).total == 1000
    nan_quantity = {**huge_quantity, "line_items": [{"subtotal": "1000", "quantity": "inf"}]}
    assert map_amounts(nan_quantity).total == 1000
