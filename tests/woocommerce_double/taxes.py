"""Tax rate matching and WC_Tax::calc_tax, for the simple rates a Korean store uses."""

from __future__ import annotations

from decimal import Decimal

from .models import TaxRate
from .money import ZERO, round_precision
from .store import Store


def find_rates(store: Store, tax_class: str, country: str, shipping: bool = False) -> list[TaxRate]:
    """Rates of one class for a country: an empty rate country means "everywhere".

    WooCommerce keeps the best match per priority; the double matches country only, which
    is all the fixture store configures (no states, postcodes or cities for KR).
    """
    if not store.settings.calc_taxes:
        return []
    found: dict[int, TaxRate] = {}
    for rate in sorted(store.tax_rates.values(), key=lambda r: (r.priority, r.id)):
        if rate.tax_class != tax_class or rate.country not in ("", country):
            continue
        if shipping and not rate.shipping:
            continue
        found.setdefault(rate.priority, rate)
    return list(found.values())


def calc_tax(price: Decimal, rates: list[TaxRate], inclusive: bool) -> dict[int, Decimal]:
    """WC_Tax::calc_tax: every tax rounded to 6 decimals, as WooCommerce does before summing."""
    if not rates:
        return {}
    taxes: dict[int, Decimal] = {}
    if inclusive:
        regular = Decimal(1) + sum((r.rate for r in rates if not r.compound), ZERO) / 100
        compound = [r for r in rates if r.compound]
        # Peel compound rates off first (in reverse), like calc_inclusive_tax.
        non_compound_price = price
        for rate in reversed(compound):
            tax = non_compound_price - non_compound_price / (1 + rate.rate / 100)
            taxes[rate.id] = tax
            non_compound_price -= tax
        base = non_compound_price / regular
        for rate in rates:
            if not rate.compound:
                taxes[rate.id] = base * rate.rate / 100
    else:
        pre_compound = ZERO
        for rate in rates:
            if not rate.compound:
                taxes[rate.id] = price * rate.rate / 100
                pre_compound += taxes[rate.id]
        running = price + pre_compound
        for rate in rates:
            if rate.compound:
                taxes[rate.id] = running * rate.rate / 100
                running += taxes[rate.id]
    return {rate.id: round_precision(taxes[rate.id]) for rate in rates}


def rate_code(rate: TaxRate) -> str:
    """WC_Tax::get_rate_code: COUNTRY-STATE-NAME-PRIORITY with empty parts left out."""
    parts = [p for p in (rate.country.upper(), rate.state.upper(), rate.name or "TAX") if p]
    return "-".join([*parts, str(rate.priority)])
