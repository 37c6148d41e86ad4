"""Latency, scripted errors, hung requests and downtime."""

from __future__ import annotations

import time

import pytest
import requests
import woocommerce

from tests.woocommerce_double import WooCommerceDouble


def _api(double: WooCommerceDouble, timeout: float = 5) -> woocommerce.API:
    key = double.create_key()
    return woocommerce.API(
        double.url, key.consumer_key, key.consumer_secret, version="wc/v3", timeout=timeout
    )


def test_next_requests_fail_with_retry_after_then_recover(double: WooCommerceDouble) -> None:
    api = _api(double)
    double.faults.fail_next(2, 429, retry_after=7)
    first, second, third = (api.get("orders") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers["Retry-After"] == "7"
    assert double.faults.pending == 0


def test_fault_can_target_one_path(double: WooCommerceDouble) -> None:
    api = _api(double)
    order = double.seed_order({"line_items": [{"product_id": 17, "quantity": 1}]})
    double.faults.fail_next(1, 503, path_contains="/notes")
    assert api.get(f"orders/{order.id}").status_code == 200
    assert api.post(f"orders/{order.id}/notes", {"note": "x"}).status_code == 503
    assert double.note_texts(order.id) == []


def test_failed_request_changes_nothing(double: WooCommerceDouble) -> None:
    api = _api(double)
    order = double.seed_order({"line_items": [{"product_id": 17, "quantity": 1}]})
    double.faults.fail_next(1, 500)
    assert api.put(f"orders/{order.id}", {"set_paid": True}).status_code == 500
    assert double.order(order.id)["status"] == "pending"


def test_hung_request_times_the_client_out(double: WooCommerceDouble) -> None:
    api = _api(double, timeout=0.3)
    double.faults.hang_next(1, seconds=30)
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.get("orders")
    double.faults.release()
    assert api.get("orders").status_code == 200


def test_latency_delays_every_request(double: WooCommerceDouble) -> None:
    api = _api(double)
    double.faults.set_latency(0.2)
    started = time.monotonic()
    assert api.get("orders").status_code == 200
    assert time.monotonic() - started >= 0.2
    double.faults.set_latency(0)


def test_downtime_refuses_connections_and_comes_back_on_same_port(
    double: WooCommerceDouble,
) -> None:
    api = _api(double)
    order = double.seed_order({"line_items": [{"product_id": 17, "quantity": 1}]})
    port = double.port
    double.go_down()
    assert not double.running
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get(f"orders/{order.id}")
    double.come_back()
    assert double.port == port
    response = api.get(f"orders/{order.id}")
    assert response.status_code == 200
    assert response.json()["id"] == order.id


def test_parallel_requests_keep_state_consistent(double: WooCommerceDouble) -> None:
    from concurrent.futures import ThreadPoolExecutor

    api = _api(double)
    order = double.seed_order({"line_items": [{"product_id": 17, "quantity": 1}]})

    def add_note(i: int) -> int:
        return api.post(f"orders/{order.id}/notes", {"note": f"n{i}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(add_note, range(24)))
    assert codes == [201] * 24
    assert sorted(double.note_texts(order.id)) == sorted(f"n{i}" for i in range(24))
    ids = [n.id for n in double.notes(order.id)]
    assert len(set(ids)) == 24
