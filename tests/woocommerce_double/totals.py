"""Order totals, after WC_Abstract_Order::calculate_totals / recalculate_coupons / update_taxes.

Line amounts stay unrounded (6 decimals); the order's sums round every line to whole won
first. That is why, with VAT included, `discount_total` (4137) can differ from the coupon's
own `discount` (4136).
"""

from __future__ import annotations

from decimal import Decimal

from .discounts import COUPON_PRIORITY, DiscountItem, Discounts
from .models import Order, TaxLine
from .money import ZERO, round_price, stored
from .store import Store
from .taxes import calc_tax, find_rates, rate_code


def tax_country(order: Order, store: Store) -> str:
    # Default "Calculate tax based on": the customer's shipping address.
    return (
        order.shipping.get("country") or order.billing.get("country") or store.settings.base_country
    )


def price_excluding_tax(
    store: Store, unit_price: Decimal, quantity: int, tax_class: str
) -> Decimal:
    """wc_get_price_excluding_tax: with prices entered incl. VAT, strip the base-rate tax."""
    line_price = unit_price * quantity
    if not (store.settings.calc_taxes and store.settings.prices_include_tax):
        return line_price
    rates = find_rates(store, tax_class, store.settings.base_country)
    return stored(line_price - sum(calc_tax(line_price, rates, inclusive=True).values(), ZERO))


def recalculate(order: Order, store: Store) -> None:
    """Apply coupons, compute taxes and totals in place."""
    country = tax_country(order, store)
    for item in order.line_items:
        item.total = item.subtotal
        rates = _item_rates(store, item.tax_status, item.tax_class, country)
        item.subtotal_taxes = calc_tax(item.subtotal, rates, inclusive=False)
    _apply_coupons(order, store, country)
    _calculate_taxes(order, store, country)

    cart_subtotal = sum((round_price(i.subtotal) for i in order.line_items), ZERO)
    cart_total = sum((round_price(i.total) for i in order.line_items), ZERO)
    fee_total = sum((f.total for f in order.fee_lines), ZERO)
    order.shipping_total = sum((round_price(s.total) for s in order.shipping_lines), ZERO)
    subtotal_tax = sum((sum(i.subtotal_taxes.values(), ZERO) for i in order.line_items), ZERO)
    total_tax = sum((sum(i.total_taxes.values(), ZERO) for i in order.line_items), ZERO)
    order.discount_total = round_price(cart_subtotal - cart_total)
    order.discount_tax = round_price(subtotal_tax - total_tax)
    order.total = round_price(
        cart_total + fee_total + order.shipping_total + order.cart_tax + order.shipping_tax
    )


def _item_rates(store: Store, tax_status: str, tax_class: str, country: str) -> list:
    if tax_status != "taxable":
        return []
    return find_rates(store, tax_class, country)


def _apply_coupons(order: Order, store: Store, country: str) -> None:
    if not order.coupon_lines:
        return
    include = order.prices_include_tax
    discounts = Discounts(
        [
            DiscountItem(
                i.id,
                i.subtotal + (sum(i.subtotal_taxes.values(), ZERO) if include else ZERO),
                i.quantity,
            )
            for i in order.line_items
        ]
    )
    ordered = sorted(order.coupon_lines, key=lambda c: COUPON_PRIORITY.get(c.discount_type, 1))
    for line in ordered:
        discounts.apply(line.code, line.discount_type, line.nominal_amount)

    items = {i.id: i for i in order.line_items}
    for line in order.coupon_lines:
        per_item = discounts.by_coupon.get(line.code, {})
        amount = sum(per_item.values(), ZERO)
        tax = ZERO
        for key, discount in per_item.items():
            item = items[key]
            rates = _item_rates(store, item.tax_status, item.tax_class, country)
            if not rates:
                continue
            # Rounded per item unless "round tax at subtotal" is on (it is off by default).
            tax += round_price(sum(calc_tax(discount, rates, include).values(), ZERO))
        line.discount_tax = tax
        line.discount = amount - tax if include else amount

    for item in order.line_items:
        amount = discounts.item_discount(item.id)
        rates = _item_rates(store, item.tax_status, item.tax_class, country)
        if include and rates:
            # Discounts come off the tax-inclusive price, like in the cart; unrounded taxes.
            amount -= sum(calc_tax(amount, rates, inclusive=True).values(), ZERO)
        item.total = stored(max(ZERO, item.subtotal - amount))


def _calculate_taxes(order: Order, store: Store, country: str) -> None:
    cart_taxes: dict[int, Decimal] = {}
    shipping_taxes: dict[int, Decimal] = {}
    for item in order.line_items:
        rates = _item_rates(store, item.tax_status, item.tax_class, country)
        item.total_taxes = calc_tax(item.total, rates, inclusive=False)
        item.subtotal_taxes = calc_tax(item.subtotal, rates, inclusive=False)
        _add_rounded(cart_taxes, item.total_taxes)
    for fee in order.fee_lines:
        fee.taxes = calc_tax(
            fee.total, _item_rates(store, fee.tax_status, fee.tax_class, country), False
        )
        _add_rounded(cart_taxes, fee.taxes)
    for line in order.shipping_lines:
        rates = (
            find_rates(store, "", country, shipping=True) if line.tax_status == "taxable" else []
        )
        line.taxes = calc_tax(line.total, rates, inclusive=False)
        _add_rounded(shipping_taxes, line.taxes)

    order.tax_lines = []
    for rate_id in [*cart_taxes, *[r for r in shipping_taxes if r not in cart_taxes]]:
        rate = store.tax_rates[rate_id]
        order.tax_lines.append(
            TaxLine(
                id=store.next_item_id(),
                rate_id=rate.id,
                rate_code=rate_code(rate),
                label=rate.name,
                compound=rate.compound,
                rate_percent=rate.rate,
                tax_total=cart_taxes.get(rate_id, ZERO),
                shipping_tax_total=shipping_taxes.get(rate_id, ZERO),
            )
        )
    order.cart_tax = sum(cart_taxes.values(), ZERO)
    order.shipping_tax = sum(shipping_taxes.values(), ZERO)


def _add_rounded(into: dict[int, Decimal], taxes: dict[int, Decimal]) -> None:
    for rate_id, tax in taxes.items():
        into[rate_id] = into.get(rate_id, ZERO) + round_price(tax)
