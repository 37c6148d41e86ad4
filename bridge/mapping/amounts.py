"""WooCommerce order money -> session items, shipping and discount that add up to the order
total to the won.

WooCommerce (REST v3, see shared/fixtures/woocommerce-10.0.2/README.md) sends money as
decimal strings; line totals need not divide by their quantity (a `fixed_cart` coupon of
5,000 over 7 units leaves 35356 for 12,500 x 3), prices may include VAT, and fees may be
negative. The session API wants integer unit prices with
`total = sum(price x quantity) + shippingAmount - discountAmount`, so:

* each line's pre-discount gross (subtotal + subtotal_tax) becomes one item, or two items
  (unit prices p and p + 1) when the gross does not divide by the quantity;
* everything the coupons took off becomes `discountAmount`;
* shipping (with its tax) becomes `shippingAmount`, positive fees become items, negative
  fees become discount;
* whatever rounding leaves between that and the order's own `total` is settled last, so the
  session total is always exactly `won(order.total)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from app.payments.money import MAX_TOTAL
from bridge.mapping.errors import OrderMappingError

MAX_ITEMS = 100
MAX_QUANTITY = 9999
MAX_UNIT_PRICE = 1_000_000_000
MAX_NAME = 200
ADJUSTMENT_NAME = "금액 조정"
FALLBACK_ITEM_NAME = "상품"


@dataclass(frozen=True)
class SessionLine:
    name: str
    price: int
    quantity: int
    product_id: str | None = None

    @property
    def total(self) -> int:
        return self.price * self.quantity


@dataclass(frozen=True)
class SessionAmounts:
    lines: tuple[SessionLine, ...]
    shipping: int
    discount: int
    total: int

    @property
    def computed_total(self) -> int:
        return sum(line.total for line in self.lines) + self.shipping - self.discount


def won(value: Any) -> int:
    """A WooCommerce money value ("29000", "26363.64", 10833.33, None) in whole won."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise OrderMappingError("invalid_amount", "Amounts must be numbers")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise OrderMappingError("invalid_amount", "Amounts must be numbers") from exc
    if not amount.is_finite():
        raise OrderMappingError("invalid_amount", "Amounts must be numbers")
    # Checked before rounding: "1e400" cannot be quantized (and is no order amount).
    if amount.copy_abs() > MAX_TOTAL:
        raise OrderMappingError("amount_too_large", "An amount of the order is too large", "total")
    try:
        return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation as exc:
        raise OrderMappingError("invalid_amount", "Amounts must be numbers") from exc


def clean_name(value: Any, fallback: str = FALLBACK_ITEM_NAME) -> str:
    text = "".join(ch if ch.isprintable() else " " for ch in str(value or "")).strip()
    return text[:MAX_NAME] or fallback


def _quantity(value: Any) -> int:
    try:
        amount = Decimal(str(value))
        if not amount.is_finite():
            return 1
        if amount.copy_abs() > MAX_TOTAL:
            return MAX_QUANTITY + 1  # shown as one line "name x quantity" by split_line
        quantity = int(amount)
    except (InvalidOperation, ValueError):
        return 1
    return max(quantity, 1)


def split_line(name: str, gross: int, quantity: int, product_id: str | None) -> list[SessionLine]:
    """Lines of integer unit prices whose totals add up to `gross` exactly."""
    if quantity > MAX_QUANTITY:
        return [SessionLine(clean_name(f"{name} x {quantity}"), gross, 1, product_id)]
    unit, remainder = divmod(gross, quantity)
    lines = []
    if quantity - remainder:
        lines.append(SessionLine(name, unit, quantity - remainder, product_id))
    if remainder:
        lines.append(SessionLine(name, unit + 1, remainder, product_id))
    return lines


def _entries(order: Mapping[str, Any], key: str) -> Sequence[Mapping[str, Any]]:
    value = order.get(key) or []
    if not isinstance(value, list):
        raise OrderMappingError("invalid_order", f"{key} must be a list", key)
    return [entry for entry in value if isinstance(entry, Mapping)]


def _collapse(lines: list[SessionLine]) -> list[SessionLine]:
    """At most MAX_ITEMS lines: the tail becomes one line with the same total."""
    if len(lines) <= MAX_ITEMS:
        return lines
    head, tail = lines[: MAX_ITEMS - 1], lines[MAX_ITEMS - 1 :]
    rest = sum(line.total for line in tail)
    return [*head, SessionLine(f"기타 상품 {len(tail)}건", rest, 1)]


def map_amounts(order: Mapping[str, Any]) -> SessionAmounts:
    total = won(order.get("total"))
    if total < 1:
        raise OrderMappingError("nothing_to_pay", "The order total must be at least 1 won", "total")
    if total > MAX_TOTAL:
        raise OrderMappingError("amount_too_large", "The order total is too large", "total")
    lines: list[SessionLine] = []
    discount = 0
    shipping = 0
    for item in _entries(order, "line_items"):
        gross = won(item.get("subtotal")) + won(item.get("subtotal_tax"))
        net = won(item.get("total")) + won(item.get("total_tax"))
        discount += max(gross, 0) - net
        product = item.get("product_id")
        product_id = str(product)[:100] if product else None
        name = clean_name(item.get("name"))
        lines += split_line(name, max(gross, 0), _quantity(item.get("quantity")), product_id)
    for fee in _entries(order, "fee_lines"):
        amount = won(fee.get("total")) + won(fee.get("total_tax"))
        if amount > 0:
            lines.append(SessionLine(clean_name(fee.get("name"), "수수료"), amount, 1))
        else:
            discount -= amount
    for line in _entries(order, "shipping_lines"):
        amount = won(line.get("total")) + won(line.get("total_tax"))
        if amount >= 0:
            shipping += amount
        else:
            discount -= amount
    if discount < 0:
        # A line worth more after "discounts" than before: charge the difference openly.
        lines.append(SessionLine(ADJUSTMENT_NAME, -discount, 1))
        discount = 0
    if not lines:
        lines.append(SessionLine(clean_name(f"주문 #{order.get('id', '')}"), 0, 1))
    lines, discount = _settle(lines, shipping, discount, total)
    lines = _collapse(lines)
    if any(line.price > MAX_UNIT_PRICE for line in lines):
        raise OrderMappingError("amount_too_large", "A line of the order is too large", "total")
    amounts = SessionAmounts(tuple(lines), shipping, discount, total)
    assert amounts.computed_total == total
    return amounts


def _settle(
    lines: list[SessionLine], shipping: int, discount: int, total: int
) -> tuple[list[SessionLine], int]:
    """Absorb rounding drift so the lines add up to the order's own total."""
    drift = total - (sum(line.total for line in lines) + shipping - discount)
    if drift < 0:
        return lines, discount - drift
    if drift > 0:
        taken = min(discount, drift)
        discount -= taken
        if drift > taken:
            lines = [*lines, SessionLine(ADJUSTMENT_NAME, drift - taken, 1)]
    return lines, discount
