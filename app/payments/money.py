"""Money is an integer number of won. Nothing on the money path is ever a float."""

from __future__ import annotations

CURRENCY = "KRW"
# 10억 won per unit and 1,000억 won per session: far above any real basket, far below
# the 64-bit column limit even after multiplying by the largest quantity.
MAX_UNIT_PRICE = 1_000_000_000
MAX_TOTAL = 100_000_000_000


def line_total(price: int, quantity: int) -> int:
    return price * quantity


def format_won(amount: int) -> str:
    """`29000` -> `29,000원`."""
    return f"{amount:,}원"
