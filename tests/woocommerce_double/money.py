"""Decimal money helpers that reproduce how WooCommerce stores and prints amounts.

WooCommerce keeps line amounts unrounded (6 decimal places, its "rounding precision") and
only rounds to the currency's decimals (0 for KRW) when it sums or prints them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
# wc_get_rounding_precision(): WC_ROUNDING_PRECISION (6) when the currency has fewer decimals.
ROUNDING_PRECISION = Decimal("0.000001")
# KRW has 0 decimals (the fixture store: number_of_decimals 0).
PRICE_DECIMALS = 0


def to_decimal(value: object) -> Decimal:
    """Parse a request amount ("5000", 5000, "5000.00", 12.5) the way PHP casts numbers."""
    if value is None or value == "":
        return ZERO
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip())


def round_precision(value: Decimal) -> Decimal:
    """WC_Tax::round / wc_add_number_precision: 6 decimals, PHP rounds half away from zero."""
    return value.quantize(ROUNDING_PRECISION, rounding=ROUND_HALF_UP)


def round_price(value: Decimal) -> Decimal:
    """NumberUtil::round(value, wc_get_price_decimals()): whole won for KRW."""
    return value.quantize(Decimal(1).scaleb(-PRICE_DECIMALS), rounding=ROUND_HALF_UP)


def stored(value: Decimal) -> Decimal:
    """What wc_format_decimal() keeps in the database: 6 decimals with trailing zeros cut."""
    rounded = round_precision(value)
    if rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1))
    return rounded.normalize()


def fmt(value: Decimal) -> str:
    """Money as the REST API prints it (wc_format_decimal with dp=0): "29000", "-10000"."""
    text = format(round_price(value), "f")
    return "0" if text in ("-0", "-0.0") else text


def fmt2(value: Decimal) -> str:
    """Coupons print their amounts with two decimals ("5000.00") whatever the currency."""
    return format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")


def php_number(value: Decimal) -> int | float:
    """A JSON number as PHP encodes it: an int when the value is whole, else a float."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def line_price(total: Decimal, quantity: int) -> int | float:
    """`line_items[].price`: PHP evaluates `$item->get_total() / $qty`.

    The stored total is a numeric string. PHP divides two integer strings to an int when the
    division is exact and to a float otherwise; a total with decimals is always a float.
    """
    if quantity == 0:
        return 0
    total = stored(total)
    if total == total.to_integral_value():
        whole = int(total)
        if whole % quantity == 0:
            return whole // quantity
        return whole / quantity
    return float(total) / quantity
