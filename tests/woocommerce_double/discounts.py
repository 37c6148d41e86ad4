"""Coupon discounts per order item, after WC_Discounts (includes/class-wc-discounts.php).

Amounts are in the currency's minor unit; KRW has no minor unit, so "cents" are won. The
splitting rules produce the odd totals of the fixtures: `fixed_cart` 5,000 over 7 units is
714 per unit and the last 2 won go one per unit to the first items.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .money import ZERO, round_precision

# Percent and per-product coupons are applied before cart-wide fixed amounts.
COUPON_PRIORITY = {"fixed_product": 0, "percent": 1, "fixed_cart": 2}


@dataclass
class DiscountItem:
    key: int
    price: Decimal  # line subtotal (with tax when prices include tax)
    quantity: int


def _whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


class Discounts:
    def __init__(self, items: list[DiscountItem]) -> None:
        # Dearest unit first. This order reproduces where the fixture's remainder went.
        self.items = sorted(
            (DiscountItem(i.key, round_precision(i.price), i.quantity) for i in items),
            key=lambda i: -(i.price / i.quantity if i.quantity else i.price),
        )
        self.by_coupon: dict[str, dict[int, Decimal]] = {}

    def item_discount(self, key: int) -> Decimal:
        return sum((d.get(key, ZERO) for d in self.by_coupon.values()), ZERO)

    def discounted_price(self, item: DiscountItem) -> Decimal:
        return max(ZERO, _whole(item.price - self.item_discount(item.key)))

    def apply(self, code: str, discount_type: str, amount: Decimal) -> Decimal:
        self.by_coupon.setdefault(code, {i.key: ZERO for i in self.items})
        items = [i for i in self.items if i.price > 0]
        if discount_type == "percent":
            return self._percent(code, items, amount)
        if discount_type == "fixed_product":
            return self._fixed_product(code, items, amount)
        return self._fixed_cart(code, items, amount)

    def _add(self, code: str, item: DiscountItem, value: Decimal) -> None:
        self.by_coupon[code][item.key] += value

    def _percent(self, code: str, items: list[DiscountItem], percent: Decimal) -> Decimal:
        total_discount = ZERO
        cart_total = ZERO
        for item in items:
            # Not sequential (woocommerce_calc_discounts_sequentially is "no"): every percent
            # coupon works on the undiscounted price, capped by what is left.
            price_to_discount = _whole(item.price)
            discount = (price_to_discount * percent / 100).to_integral_value(ROUND_FLOOR)
            discount = _whole(min(self.discounted_price(item), discount))
            cart_total += price_to_discount
            total_discount += discount
            self._add(code, item, discount)
        whole_cart = _whole(cart_total * percent / 100)
        if total_discount < whole_cart:
            total_discount += self._remainder(code, items, whole_cart - total_discount)
        return total_discount

    def _fixed_product(self, code: str, items: list[DiscountItem], amount: Decimal) -> Decimal:
        total_discount = ZERO
        for item in items:
            discount = min(self.discounted_price(item), amount * item.quantity)
            total_discount += discount
            self._add(code, item, discount)
        return total_discount

    def _fixed_cart(self, code: str, items: list[DiscountItem], amount: Decimal) -> Decimal:
        quantity = sum(i.quantity for i in items)
        if not quantity or amount <= 0:
            return ZERO
        per_item = (amount / quantity).to_integral_value(ROUND_FLOOR)
        if per_item > 0:
            total_discount = self._fixed_product(code, items, per_item)
            if 0 < total_discount < amount:
                total_discount += self._fixed_cart(code, items, amount - total_discount)
            return total_discount
        return self._remainder(code, items, amount)

    def _remainder(self, code: str, items: list[DiscountItem], amount: Decimal) -> Decimal:
        """One minor unit per unit of quantity, first items first, until the amount is used."""
        total_discount = ZERO
        for item in items:
            for _ in range(item.quantity):
                discount = min(self.discounted_price(item), Decimal(1))
                total_discount += discount
                self._add(code, item, discount)
                if total_discount >= amount:
                    return total_discount
        return total_discount
