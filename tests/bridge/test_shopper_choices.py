"""What the plugin sends beside the order reaches the hosted page: `paymentMethod` (the page
opens on it) and `cssVars` from korea_checkout_css_vars (the page's brand colours)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.app.checkout.checkout_helpers import open_page
from tests.app.checkout.test_preselected_method import checked_methods
from tests.bridge.conftest import ConnectedStore

CSS_VARS = {
    "--primary-color": "#ff5a00",
    "--button-radius": "8px",
    "--font-family": "'Noto Sans KR', sans-serif",
    "--text-color": "red;}body{display:none",  # not a colour: dropped
    "--korea-checkout-gap": "4px",  # the plugin's own elements only: not the page's
}


def send(store: ConnectedStore, order_id: int, **extra: Any) -> Any:
    return store.client.post(
        "/bridge/v1/orders",
        json={
            "order": store.double.order(order_id),
            "returnUrl": "https://shop.example.test/return",
            "cancelUrl": "https://shop.example.test/cancel",
            **extra,
        },
        headers=store.headers(),
    )


def session_of(store: ConnectedStore, session_id: str) -> dict[str, Any]:
    response = store.client.get(f"/api/checkout/session/{session_id}", headers=store.headers())
    data: dict[str, Any] = response.get_json()["data"]
    return data


def test_the_chosen_method_and_css_vars_reach_the_hosted_page(
    store: ConnectedStore, client: FlaskClient
) -> None:
    answer = send(store, store.new_order(), paymentMethod="kakao_pay", cssVars=CSS_VARS)
    assert answer.status_code in (200, 201), answer.get_json()
    answer = answer.get_json()

    session = session_of(store, answer["sessionId"])
    assert session["preferredPaymentMethod"] == "kakao_pay"
    assert session["paymentMethod"] is None
    brand = {key: value for key, value in session["metadata"].items() if key.startswith("--")}
    assert brand == {
        "--primary-color": "#ff5a00",
        "--button-radius": "8px",
        "--font-family": "'Noto Sans KR', sans-serif",
    }

    page = open_page(client, answer["checkoutUrl"])
    html = page.get_data(as_text=True)
    assert checked_methods(html) == ["kakao_pay"]
    assert "--primary-color: #ff5a00;" in html
    assert "--button-radius: 8px;" in html
    assert "display:none" not in html


@pytest.mark.parametrize("extra", [{}, {"paymentMethod": ""}, {"cssVars": []}])
def test_no_choice_no_method_and_no_colours(store: ConnectedStore, extra: dict[str, Any]) -> None:
    """The plugin sends "" without a method and [] (PHP's empty array) without variables."""
    answer = send(store, store.new_order(), **extra)
    assert answer.status_code in (200, 201), answer.get_json()

    session = session_of(store, answer.get_json()["sessionId"])
    assert session["preferredPaymentMethod"] is None
    assert not [key for key in session["metadata"] if key.startswith("--")]


@pytest.mark.parametrize("method", ["bitcoin", 7, ["card"]])
def test_an_unknown_method_is_refused_with_its_field(store: ConnectedStore, method: Any) -> None:
    answer = send(store, store.new_order(), paymentMethod=method)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["details"]["field"] == "paymentMethod"
