"""Property: for every order shape the session adds up to the order total to the won, and
the body passes the public API's own validation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.payments.inputs import CreateSessionRequest
from bridge.mapping.amounts import map_amounts, split_line, won
from bridge.mapping.session_request import OrderUrls, build_session_request

money = st.integers(min_value=0, max_value=5_000_000)
cents = st.integers(min_value=0, max_value=99)


def _fmt(amount: int, fraction: int, decimals: bool) -> str:
    return f"{amount}.{fraction:02d}" if decimals else str(amount)


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    decimals = draw(st.booleans())
    lines = []
    total = Decimal(0)
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        quantity = draw(st.integers(min_value=1, max_value=12))
        unit = draw(st.integers(min_value=0, max_value=300_000))
        subtotal = Decimal(unit * quantity)
        discount = Decimal(draw(st.integers(min_value=0, max_value=int(subtotal))))
        tax_rate = draw(st.sampled_from([0, 10]))
        net = subtotal - discount
        tax = (net * tax_rate / 100).quantize(Decimal("0.01"))
        subtotal_tax = (subtotal * tax_rate / 100).quantize(Decimal("0.01"))
        frac = draw(cents) if decimals else 0
        line_total = net + Decimal(frac) / 100
        lines.append(
            {
                "name": draw(st.text(max_size=30)),
                "product_id": draw(st.integers(min_value=0, max_value=10**6)),
                "quantity": quantity,
                "subtotal": str(subtotal),
                "subtotal_tax": str(subtotal_tax),
                "total": str(line_total),
                "total_tax": str(tax),
                "price": float(line_total / quantity),
            }
        )
        total += line_total + tax
    fees = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        amount = draw(st.integers(min_value=-20_000, max_value=20_000))
        fees.append({"name": "수수료", "total": str(amount), "total_tax": "0"})
        total += amount
    shipping = []
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        amount = draw(st.integers(min_value=0, max_value=10_000))
        tax = draw(st.sampled_from([0, amount // 10]))
        shipping.append({"method_title": "택배", "total": str(amount), "total_tax": str(tax)})
        total += amount + tax
    # WooCommerce rounds the order total on its own; allow a few won of drift either way.
    drift = draw(st.integers(min_value=-3, max_value=3))
    shown_total = max(total + drift, Decimal(1))
    return {
        "id": draw(st.integers(min_value=1, max_value=10**7)),
        "order_key": "wc_order_abc",
        "status": "pending",
        "currency": "KRW",
        "total": _fmt(int(shown_total), 0, False) if not decimals else f"{shown_total:.2f}",
        "line_items": lines,
        "fee_lines": fees,
        "shipping_lines": shipping,
        "coupon_lines": [],
        "billing": {"first_name": "길동", "last_name": "홍", "email": "a@example.com"},
    }


@settings(max_examples=400, deadline=None)
@given(orders())
def test_session_total_is_the_order_total_and_valid(order: dict[str, Any]) -> None:
    amounts = map_amounts(order)
    assert amounts.total == won(order["total"])
    assert amounts.computed_total == amounts.total
    assert amounts.shipping >= 0
    assert amounts.discount >= 0
    assert all(line.price >= 0 and 1 <= line.quantity <= 9999 for line in amounts.lines)
    body = build_session_request(
        order,
        OrderUrls("https://s.test/r", "https://s.test/c", "https://b.test/w"),
        "shop_x",
        "bst_x",
    )
    parsed = CreateSessionRequest.model_validate(body, context={"mode": "test"})
    assert parsed.totalAmount == won(order["total"])


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=20_000))
def test_split_line_keeps_the_line_total(gross: int, quantity: int) -> None:
    lines = split_line("상품", gross, quantity, None)
    assert sum(line.price * line.quantity for line in lines) == gross
    assert all(line.quantity <= 9999 for line in lines)


def test_recorded_uneven_fixed_cart_order() -> None:
    """Fixture order-create-coupon-fixed-cart-seven-units: 35356 + 36744 after fixed5000."""
    order = {
        "id": 40,
        "total": "72100",
        "currency": "KRW",
        "line_items": [
            {
                "name": "녹차",
                "quantity": 3,
                "subtotal": "37500",
                "total": "35356",
                "subtotal_tax": "0",
                "total_tax": "0",
            },
            {
                "name": "전자책",
                "quantity": 4,
                "subtotal": "39600",
                "total": "36744",
                "subtotal_tax": "0",
                "total_tax": "0",
            },
        ],
    }
    amounts = map_amounts(order)
    assert amounts.discount == 5000
    assert amounts.computed_total == 72100
    assert [(line.price, line.quantity) for line in amounts.lines] == [(12500, 3), (9900, 4)]


def test_vat_included_recorded_order() -> None:
    """Fixture order-create-taxes-included: 29,000 becomes 26364 + tax 2636."""
    order = {
        "id": 41,
        "total": "29000",
        "line_items": [
            {
                "name": "한우",
                "quantity": 1,
                "subtotal": "26364",
                "subtotal_tax": "2636",
                "total": "26364",
                "total_tax": "2636",
            }
        ],
    }
    amounts = map_amounts(order)
    assert [(line.price, line.quantity) for line in amounts.lines] == [(29000, 1)]
    assert amounts.discount == 0
