"""Amounts as people type them: `84000`, `84,000.50`, `$84k`, `1.2m`, `120K`."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from store.errors import InvalidInput

_AMOUNT = re.compile(r"^[^\d.-]{0,3}\s*(?P<num>-?[\d,]*\.?\d+)\s*(?P<suffix>[kmb])?\s*$", re.I)
_SCALE = {"k": Decimal(1_000), "m": Decimal(1_000_000), "b": Decimal(1_000_000_000)}


def parse_amount(text: str) -> Decimal:
    match = _AMOUNT.match(text.strip())
    if not match:
        raise InvalidInput(f"“{text}” is not an amount; try 84000, 84k or 1.2m.")
    try:
        value = Decimal(match["num"].replace(",", ""))
    except InvalidOperation as exc:
        raise InvalidInput(f"“{text}” is not an amount; try 84000, 84k or 1.2m.") from exc
    if match["suffix"]:
        value *= _SCALE[match["suffix"].lower()]
    if value < 0:
        raise InvalidInput("An amount can't be negative.")
    return value
