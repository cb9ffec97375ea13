"""Quote lines said in words ("20 seats of Platform at 15% off and 1 onboarding"), and
a customer's yes ("Q-2026-0001 was accepted")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from store.errors import InvalidInput

_SPLIT = re.compile(r"\s*(?:,|;|\+|\band\b|\bplus\b)\s*", re.I)
_LINE = re.compile(
    r"^(?:(?P<qty>\d[\d,]*)\s*(?:x\s*|×\s*)?)?"  # "onboarding" alone is one of it
    r"(?:(?P<unit>seats?|licen[cs]es?|units?|users?|days?)\s+(?:of\s+)?|of\s+)?"
    r"(?P<product>.+?)"
    r"(?:\s+(?:at|with)\s+(?P<off>\d+(?:\.\d+)?)\s*%\s*(?:off|discount)?"
    r"|\s+(?P<off_said>\d+(?:\.\d+)?)\s*%\s*(?:off|discount))?$", re.I)  # "… 12% off"
_QUOTE_OFF = re.compile(r"\b(?:with\s+)?(?P<off>\d+(?:\.\d+)?)\s*%\s*(?:off|discount)"
                        r"\s+(?:overall|on the (?:whole|total)|in total)\b", re.I)
_OFF_ALONE = re.compile(r"^(?:(?:at|with)\s+)?(?P<off>\d+(?:\.\d+)?)\s*%\s*(?:off|discount)?$",
                        re.I)
_SEATS = re.compile(r"\bseats\b", re.I)
_ACCEPTED = re.compile(r"\baccept(?:ed|s)\b", re.I)
_NOT_YET = re.compile(r"\b(?:not|never|no|yet|if|when|whether)\b|n't\b|\?", re.I)
_ASKED = re.compile(r"^\s*(?:is|was|has|have|did|does|were)\b", re.I)


def said_accepted(text: str) -> bool:
    """"quote Q-2026-0001 accepted", "customer accepted Q-…": the customer said yes. A
    question or a "not yet" is not a yes, so it never marks a quote accepted."""
    return bool(_ACCEPTED.search(text)) and not _NOT_YET.search(text) and not _ASKED.match(text)


@dataclass(frozen=True)
class QuoteLine:
    """One line as said; the quote service checks it (`LineSpec`) and finds the product."""

    product: str
    quantity: int
    discount_percent: Decimal


def parse_lines(text: str) -> tuple[list[QuoteLine], Decimal]:
    """(lines, quote-level discount percent); InvalidInput says which part is unclear."""
    quote_off = Decimal(0)
    if match := _QUOTE_OFF.search(text):
        quote_off = Decimal(match["off"])
        text = text[: match.start()] + text[match.end():]
    specs = []
    for part in (p.strip(" .") for p in _SPLIT.split(text) if p.strip(" .")):
        if alone := _OFF_ALONE.match(part):  # "10 seats + onboarding, 20% off": the quote's
            quote_off = Decimal(alone["off"])
            continue
        match = _LINE.match(part)
        if not match:
            raise InvalidInput(f"I can't read “{part}” as a quote line; say it like "
                               "“20 seats of Platform at 15% off”.")
        product = _SEATS.sub("seat", match["product"].strip())  # "50 platform seats"
        unit = (match["unit"] or "").lower()
        if unit.startswith(("seat", "licen", "user")) and "seat" not in product.lower():
            product += " seat"  # "20 seats of Platform" means the per-seat product
        specs.append(QuoteLine(product=product,
                               quantity=int((match["qty"] or "1").replace(",", "")),
                               discount_percent=Decimal(match["off"] or match["off_said"]
                                                        or 0)))
    if not specs:
        raise InvalidInput("Say what goes on the quote, like “20 seats of Platform at 15% off”.")
    return specs, quote_off
