"""The terms of a new deal said in words: "expansion, 50k, closing end of march"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from handlers.amounts import parse_amount
from handlers.dates import find_date
from store.errors import InvalidInput

_MONEY = re.compile(r"(?<![\w.])(?:[$€£¥]\s*)?\d[\d,]*(?:\.\d+)?\s*[kmb]?(?![\w])", re.I)
_GLUE = re.compile(r"\b(?:for|worth|at|of|closing|closes|close|to close|due|expected)\b", re.I)


@dataclass(frozen=True)
class DealTerms:
    name: str | None
    amount: Decimal | None
    close_date: date | None


def deal_terms(text: str, now: datetime, tz: str) -> DealTerms:
    """Pull the amount and close date out; what is left names the deal."""
    rest = text
    close = None
    if (found := find_date(rest, now, tz)) is not None:
        close = found.day
        rest = rest[: found.start] + " " + rest[found.end:]
    amount = None
    for match in _MONEY.finditer(rest):
        try:
            amount = parse_amount(match.group(0))
        except InvalidInput:
            continue
        rest = rest[: match.start()] + " " + rest[match.end():]
        break
    name = _GLUE.sub(" ", rest)
    name = " ".join(re.sub(r"[,;:]+", " ", name).split()).strip(" .-")
    return DealTerms(name=name[:1].upper() + name[1:] if name else None, amount=amount,
                     close_date=close)
