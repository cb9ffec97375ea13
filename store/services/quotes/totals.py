"""Quote arithmetic, exact: integer minor units in, integer minor units out.

Percentages are basis points (1 % = 100 bp). Each line is rounded once, half to
even, to the currency's minor unit; the quote-level discount is applied to the sum
of the rounded lines and rounded once more. Nothing passes through float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

BP = Decimal(10_000)


@dataclass(frozen=True)
class LineInput:
    unit_price_minor: int
    quantity: int
    discount_bp: int = 0


@dataclass(frozen=True)
class Totals:
    list_minor: int  # what the lines cost at list price, before any discount
    line_totals: tuple[int, ...]
    subtotal_minor: int  # after line discounts
    discount_minor: int  # the quote-level discount
    total_minor: int

    @property
    def effective_discount_bp(self) -> int:
        """All discounts together, as basis points of list (rounded half-even)."""
        if self.list_minor == 0:
            return 0
        off = Decimal(self.list_minor - self.total_minor) * BP / Decimal(self.list_minor)
        return int(off.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def line_total(line: LineInput) -> int:
    gross = Decimal(line.unit_price_minor) * line.quantity
    return _round(gross * (BP - line.discount_bp) / BP)


def compute(lines: list[LineInput], quote_discount_bp: int = 0) -> Totals:
    totals = tuple(line_total(line) for line in lines)
    subtotal = sum(totals)
    discount = _round(Decimal(subtotal) * quote_discount_bp / BP)
    return Totals(
        list_minor=sum(line.unit_price_minor * line.quantity for line in lines),
        line_totals=totals, subtotal_minor=subtotal, discount_minor=discount,
        total_minor=subtotal - discount,
    )


def percent_to_bp(percent: Decimal | int | str) -> int:
    """`15` or `12.5` (percent) → basis points; refuses what is not 0–100."""
    value = Decimal(str(percent)) * 100
    if value != value.to_integral_value() or not 0 <= value <= BP:
        raise ValueError("a discount is a percentage between 0 and 100, to two decimals")
    return int(value)


def tax_minor(total_minor: int, percent: Decimal) -> int:
    """Tax on a quote's total at `percent` (20, 8.875), rounded once, half to even."""
    return _round(Decimal(total_minor) * percent / 100)
