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
from handlers.slack.text import day, escape, short_money
from store.errors import InvalidInput
from store.schemas import OpportunityView

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
        if not match["symbol"] and not match["scale"] and amount < _MIN_BARE:
            amount = None
            continue
        rest = rest[: match.start()] + " " + rest[match.end():]
        break
    name = _GLUE.sub(" ", rest)
    name = " ".join(re.sub(r"[,;:]+", " ", name).split()).strip(" .-")
    return DealTerms(name=name[:1].upper() + name[1:] if name else None, amount=amount,
                     close_date=close)


def edit_terms(intent: Intent, now: datetime, tz: str) -> dict[str, object]:
    """The fields an edit sentence names, ready for `OpportunityService.update`."""
    text = intent.detail or ""
    match intent.kind:
        case "close_date":
            found = find_date(text, now, tz)
            return {"close_date": found.day} if found else {}
        case "next_step":
            return {"next_step": text}
        case "owner":
            return {"owner": text.lstrip("@")}
        case "probability":
            return {"probability": int(text)}
        case "amount":
            return {"amount": parse_amount(text)}
    terms = deal_terms(text, now, tz)
    changes: dict[str, object] = {}
    if terms.amount is not None:
        changes["amount"] = terms.amount
    if terms.close_date is not None:
        changes["close_date"] = terms.close_date
    if (percent := re.search(r"\b(\d{1,3})\s*%", text)) is not None:
        changes["probability"] = int(percent.group(1))
        if terms.amount == Decimal(percent.group(1)):
            del changes["amount"]  # "40%" is a probability, not an amount of 40
    return changes


def describe_changes(before: OpportunityView, after: OpportunityView, tz: str) -> str:
    """"amount $84,000 → $120,000, close date Jan 16 → Mar 31": only what changed."""
    parts = []
    if before.amount != after.amount or before.currency != after.currency:
        parts.append(f"amount {short_money(before.amount, before.currency)} → "
                     f"{short_money(after.amount, after.currency)}")
    if before.close_date != after.close_date:
        parts.append(f"close date {day(before.close_date)} → {day(after.close_date)}")
    if before.probability != after.probability:
        parts.append(f"probability {before.probability}% → {after.probability}%")
    if before.next_step != after.next_step:
        parts.append(f"next step “{escape(after.next_step or '—')}”")
    if before.owner_id != after.owner_id:
        parts.append(f"owner {escape(before.owner_name)} → {escape(after.owner_name)}")
    return ", ".join(parts) or "nothing changed"


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
