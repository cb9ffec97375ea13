"""Cell values: how CSV text becomes store values, and how store values become CSV text.

Every format of docs/INTERFACES.md "CSV files" is decided here, once, for import and export
alike, so the two cannot drift apart and an export read back gives the same bytes.
Parsers raise `CellError` with a reason written for the person who made the file.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from store.errors import InvalidInput
from store.money import currency_precision, format_plain

_PLAIN_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d*)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MAX_INTEGER = 2**31 - 1  # INTEGER columns
_MAX_MINOR = 2**63 - 1  # BIGINT minor units
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


class CellError(ValueError):
    """One cell's text cannot be read; the message is the reason shown to the user."""


def clean_text(raw: str | None) -> str:
    """Cell text without surrounding blanks (None, a missing cell, reads as blank)."""
    return (raw or "").strip()


def collapse(raw: str) -> str:
    """Names compare with runs of blanks collapsed, as the store's services clean them."""
    return " ".join(raw.split())


def check_length(value: str, limit: int | None) -> str:
    if limit is not None and len(value) > limit:
        raise CellError(f"longer than {limit} characters")
    return value


def parse_amount(raw: str, *, grouping: bool = False) -> Decimal:
    """A non-negative decimal in major units (`84000.00`); `grouping` allows `84,000.00`."""
    text = raw.strip()
    if grouping and _GROUPED_NUMBER.match(text):
        text = text.replace(",", "")
    if not _PLAIN_NUMBER.match(text):
        raise CellError(f"{raw!r} is not an amount (write it like 84000.00)")
    value = Decimal(text)
    if value < 0:
        raise CellError("an amount can't be negative")
    return value


def currency_code(raw: str, default: str) -> str:
    """An ISO 4217 code, upper-cased; blank means the configured default currency."""
    code = raw.strip().upper() or default
    try:
        currency_precision(code)
    except InvalidInput as exc:
        raise CellError(f"{raw.strip()!r} is not a currency code (try USD, EUR, JPY)") from exc
    return code


def minor_units(amount: Decimal, currency: str) -> int:
    """Major units → integer minor units; more decimals than the currency has is an error,
    never a silent rounding."""
    places = currency_precision(currency)
    scaled = amount.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise CellError(f"{currency} amounts have {places} decimals at most")
    if scaled > _MAX_MINOR:
        raise CellError(f"{amount} is too large an amount")
    return int(scaled)


def parse_date(raw: str, *, us_dates: bool = False) -> date:
    """`YYYY-MM-DD`; a Salesforce report's `MM/DD/YYYY` too when `us_dates`."""
    text = raw.strip()
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
        match = _US_DATE.match(text) if us_dates else None
        if match:
            month, day, year = (int(part) for part in match.groups())
            return date(year, month, day)
    except ValueError as exc:
        raise CellError(f"{text!r} is not a date on the calendar") from exc
    expected = "YYYY-MM-DD or MM/DD/YYYY" if us_dates else "YYYY-MM-DD"
    raise CellError(f"{text!r} is not a date ({expected})")


def parse_moment(raw: str, zone: tzinfo) -> datetime:
    """An ISO 8601 date-time, returned in UTC; a naive one is read in `zone`."""
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CellError(f"{text!r} is not a date-time (write it like 2026-11-20T15:00:00Z)") \
            from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_flag(raw: str) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"{raw.strip()!r} is not true or false")


def parse_count(raw: str) -> int:
    """A whole number, zero or more (employees), that fits the store's integer column."""
    text = raw.strip()
    if not text.isdecimal() or not text.isascii():
        raise CellError(f"{text!r} is not a whole number of zero or more")
    if int(text) > _MAX_INTEGER:
        raise CellError(f"{text} is too large")
    return int(text)


def parse_percent(raw: str) -> int:
    """A whole percentage 0–100; `75`, `75%` and `75.0` all read as 75."""
    text = raw.strip().removesuffix("%").strip()
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(f"{raw.strip()!r} is not a percentage") from exc
    if not value.is_finite() or value != value.to_integral_value() or not 0 <= value <= 100:
        raise CellError(f"{raw.strip()!r} is not a whole percentage between 0 and 100")
    return int(value)


def money_cell(minor: int, currency: str) -> str:
    return format_plain(minor, currency)


def date_cell(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def moment_cell(value: datetime | None) -> str:
    """UTC with a `Z`; microseconds only when there are some, so nothing is lost."""
    if value is None:
        return ""
    moment = value.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def flag_cell(value: bool) -> str:
    return "true" if value else "false"


def text_cell(value: object) -> str:
    return "" if value is None else str(value)
