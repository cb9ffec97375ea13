"""The terms of a new deal said in words: "expansion, 50k, closing end of march"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers.language.amounts import parse_amount
from handlers.language.dates import find_date
from handlers.language.intents import Intent
from store.errors import InvalidInput

_MONEY = re.compile(
    r"(?<![\w.])(?:(?P<symbol>[$€£¥])\s*)?(?P<digits>\d[\d,]*(?:\.\d+)?)\s*(?P<scale>[kmb])?(?![\w])",
    re.I)
_MIN_BARE = 1000  # without a symbol or k/m, a number below this is a name ("pilot 2")
_GLUE = re.compile(r"\b(?:for|worth|at|of|closing|closes|close|to close|due|expected)\b", re.I)


@dataclass(frozen=True)
class DealTerms:
    name: str | None
    amount: Decimal | None
    close_date: date | None


@dataclass(frozen=True)
class DealEdit:
    """The fields an edit sentence names; None is "not said" (an empty next step is said)."""

    amount: Decimal | None = None
    close_date: date | None = None
    probability: int | None = None
    next_step: str | None = None
    owner: str | None = None  # a person's name as typed, for the caller to look up


def deal_terms(text: str, now: datetime, tz: str) -> DealTerms:
    """Pull the amount and close date out; what is left names the deal."""
    rest = text
    close = None
    if (found := find_date(rest, now, tz)) is not None:
        close = found.closes
        rest = rest[: found.start] + " " + rest[found.end:]
    amount = None
    for match in _MONEY.finditer(rest):
        try:
            amount = parse_amount(match.group(0))
        except InvalidInput:
            continue
        if not match["symbol"] and not match["scale"] and amount < _MIN_BARE:
            amount = None
            continue
        rest = rest[: match.start()] + " " + rest[match.end():]
        break
    name = _GLUE.sub(" ", rest)
    name = " ".join(re.sub(r"[,;:]+", " ", name).split()).strip(" .-")
    return DealTerms(name=name[:1].upper() + name[1:] if name else None, amount=amount,
                     close_date=close)


def edit_terms(intent: Intent, now: datetime, tz: str) -> DealEdit:
    """The fields an edit sentence names (`intent.kind` says which grammar matched)."""
    text = intent.detail or ""
    match intent.kind:
        case "close_date":
            found = find_date(text, now, tz)
            return DealEdit(close_date=found.closes) if found else DealEdit()
        case "next_step":
            return DealEdit(next_step=text)
        case "owner":
            return DealEdit(owner=text.lstrip("@"))
        case "probability":
            return DealEdit(probability=int(text))
        case "amount":
            return DealEdit(amount=parse_amount(text))
    terms = deal_terms(text, now, tz)
    amount, probability = terms.amount, None
    if (percent := re.search(r"\b(\d{1,3})\s*%", text)) is not None:
        probability = int(percent.group(1))
        if amount == Decimal(percent.group(1)):
            amount = None  # "40%" is a probability, not an amount of 40
    return DealEdit(amount=amount, close_date=terms.close_date, probability=probability)


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PAST = re.compile(r"\b(?P<yesterday>yesterday)\b|\blast\s+(?P<weekday>" + "|".join(_WEEKDAYS)
                   + r")\b", re.I)


def occurred_at(text: str, now: datetime, tz: str) -> datetime:
    """When a logged activity happened: "yesterday", "last tuesday", else now."""
    match = _PAST.search(text)
    if match is None:
        return now
    local = now.astimezone(ZoneInfo(tz))
    if match["yesterday"]:
        return now - timedelta(days=1)
    back = (local.weekday() - _WEEKDAYS.index(match["weekday"].lower())) % 7 or 7
    return now - timedelta(days=back)
