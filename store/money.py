"""Money: integer minor units in the store, `Decimal` in Python, never float.

Each currency has its own number of decimals (USD 2, JPY 0, BHD 3); Babel's CLDR data
knows them, so we do not keep our own table.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache

from babel.numbers import get_currency_precision, list_currencies

from store.errors import InvalidInput

# Amounts are BIGINT minor units (store/models/base.py: MinorUnits); a larger one would
# fail in the database (SQLite raises OverflowError, PostgreSQL an out-of-range error).
MAX_MINOR = 2**63 - 1


@cache
def currency_precision(currency: str) -> int:
    """Decimals of `currency`; raises InvalidInput for a code that is not ISO 4217."""
    code = currency.upper()
    if code not in list_currencies():
        raise InvalidInput(f"{currency!r} is not a currency code I know (try USD, EUR, GBP).")
    return get_currency_precision(code)


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """Major units → integer minor units, rounding half-even to the currency's decimals."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise InvalidInput(f"{amount!r} is not an amount.") from exc
    if not value.is_finite():
        raise InvalidInput(f"{amount!r} is not an amount.")
    places = currency_precision(currency)
    scaled = value * (Decimal(10) ** places)
    if abs(scaled) > MAX_MINOR:
        most = f"{from_minor(MAX_MINOR, currency):,} {currency.upper()}"
        raise InvalidInput(f"That amount is too large: the most a deal can hold is {most}.",
                           field="amount")
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def from_minor(minor: int, currency: str) -> Decimal:
    """Integer minor units → `Decimal` major units with exactly the currency's decimals."""
    places = currency_precision(currency)
    return (Decimal(minor) / (Decimal(10) ** places)).quantize(Decimal(1).scaleb(-places))


def format_plain(minor: int, currency: str) -> str:
    """Canonical text for CSV: `84000.00`, `1200` for JPY; no grouping, no symbol."""
    return str(from_minor(minor, currency))
