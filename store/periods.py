"""Reporting periods: fiscal quarters and years, months, and the words people use for them.

A fiscal year starts on the first day of month `fiscal_year_start` (SALESBOT_FISCAL_YEAR_START,
default January) and is named after the calendar year it starts in: with a February start,
FY2026 runs from 2026-02-01 to 2027-01-31 and its Q1 is February to April. Quarter codes are
the quota file's `2026-Q4`. Periods are half-open date ranges `[start, end)` of close dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from store.errors import InvalidInput

_QUARTER_CODE = re.compile(r"^(?P<year>\d{4})-Q(?P<quarter>[1-4])$", re.I)
# Full names only: "jan", "mar" or "may" alone are as likely a colleague's name as a month.
_MONTHS = {name: number for number, name in enumerate((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december"), start=1)}
_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ABBREVIATED = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
                "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
PERIOD_PHRASE = re.compile(
    r"\b(?:(?:closes|close|closing|closed|due|landing|lands)\s+(?:in\s+|by\s+)?"
    r"(?P<wrel>this|next|last)\s+week"  # "what closes this week" (not "slipped this week")
    r"|(?:in|for|during|closing|closes)\s+(?:in\s+)?(?P<abbr>"
    + "|".join(sorted(_ABBREVIATED, key=len, reverse=True)) + r")\b"  # "closing in jan"
    r"|(?:(?:in|for|during|over|of)\s+)?(?:"
    r"(?P<rel>this|next|last|previous|current)\s+(?:fiscal\s+)?"
    r"(?P<unit>quarter|qtr|month|year)"
    r"|(?P<code>\d{4}-Q[1-4])"
    r"|(?:fiscal\s+)?q(?P<q>[1-4])(?:\s*(?:fy\s*)?(?P<q_year>\d{4}))?"
    r"|fy\s*(?P<fy>\d{4})"
    r"|(?P<month>" + _MONTH_WORD + r")(?:\s+(?P<month_year>\d{4}))?"
    r"))\b", re.I)


@dataclass(frozen=True)
class Period:
    """Close dates from `start` (inclusive) to `end` (exclusive), and what to call them."""

    start: date
    end: date
    label: str
    kind: str  # "quarter", "month" or "year"
    code: str | None = None  # `2026-Q4` for a fiscal quarter (the quota period)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    @property
    def last_day(self) -> date:
        return self.end - relativedelta(days=1)


def fiscal_quarter_of(day: date, fiscal_year_start: int = 1) -> tuple[int, int]:
    """(fiscal year, quarter 1-4) holding `day`."""
    months_in = (day.month - fiscal_year_start) % 12
    year = day.year if day.month >= fiscal_year_start else day.year - 1
    return year, months_in // 3 + 1


def quarter_code(year: int, quarter: int) -> str:
    return f"{year}-Q{quarter}"


def parse_quarter_code(code: str) -> tuple[int, int]:
    """`2026-Q4` → (2026, 4); anything else is InvalidInput."""
    match = _QUARTER_CODE.match(code.strip())
    if match is None:
        raise InvalidInput(f"{code!r} is not a quarter (write it like 2026-Q4).")
    return int(match["year"]), int(match["quarter"])


def quarter(year: int, number: int, fiscal_year_start: int = 1) -> Period:
    start = date(year, fiscal_year_start, 1) + relativedelta(months=3 * (number - 1))
    end = start + relativedelta(months=3)
    label = f"Q{number} FY{year}" if fiscal_year_start != 1 else f"Q{number} {year}"
    return Period(start, end, label, "quarter", quarter_code(year, number))


def quarter_of(day: date, fiscal_year_start: int = 1) -> Period:
    return quarter(*fiscal_quarter_of(day, fiscal_year_start), fiscal_year_start)


def month(year: int, number: int) -> Period:
    start = date(year, number, 1)
    return Period(start, start + relativedelta(months=1), f"{start:%B %Y}", "month")


def fiscal_year(year: int, fiscal_year_start: int = 1) -> Period:
    start = date(year, fiscal_year_start, 1)
    label = f"FY{year}" if fiscal_year_start != 1 else str(year)
    return Period(start, start + relativedelta(years=1), label, "year")


def period_of_code(code: str, fiscal_year_start: int = 1) -> Period:
    return quarter(*parse_quarter_code(code), fiscal_year_start)


def find_period(text: str, today: date, fiscal_year_start: int = 1
                ) -> tuple[Period, re.Match[str]] | None:
    """The first period phrase in `text` ("this quarter", "next month", "Q1", "2026-Q4",
    "this year", "fy2027", "november") and where it was said, or None."""
    for found in PERIOD_PHRASE.finditer(text):
        period = _period(found, today, fiscal_year_start)
        if period is not None:
            return period, found
    return None


def _period(found: re.Match[str], today: date, fiscal_year_start: int) -> Period | None:
    group = found.group
    this_year, this_quarter = fiscal_quarter_of(today, fiscal_year_start)
    if group("wrel"):  # Monday to Sunday
        step = {"next": 1, "last": -1}.get(group("wrel").lower(), 0)
        first = today - timedelta(days=today.weekday()) + timedelta(weeks=step)
        return Period(first, first + timedelta(days=7),
                      f"the week of {first:%b} {first.day}, {first.year}", "week")
    if group("unit"):
        step = {"next": 1, "last": -1, "previous": -1}.get(group("rel").lower(), 0)
        unit = group("unit").lower()
        if unit in ("quarter", "qtr"):
            first = quarter(this_year, this_quarter, fiscal_year_start).start
            return quarter_of(first + relativedelta(months=3 * step), fiscal_year_start)
        if unit == "month":
            first = today.replace(day=1) + relativedelta(months=step)
            return month(first.year, first.month)
        return fiscal_year(this_year + step, fiscal_year_start)
    if group("code"):
        return period_of_code(group("code"), fiscal_year_start)
    if group("q"):
        if group("q_year"):
            return quarter(int(group("q_year")), int(group("q")), fiscal_year_start)
        # "Q1" said in December is the coming Q1, not the one that ended in March
        said = quarter(this_year, int(group("q")), fiscal_year_start)
        if said.end < today:
            return quarter(this_year + 1, int(group("q")), fiscal_year_start)
        return said
    if group("fy"):
        return fiscal_year(int(group("fy")), fiscal_year_start)
    if group("month") or group("abbr"):
        number = (_MONTHS[group("month").lower()] if group("month")
                  else _ABBREVIATED[group("abbr").lower()])
        if number == 5 and not group("month_year"):
            return None  # "may" is a verb first
        if group("month") and group("month_year"):
            return month(int(group("month_year")), number)
        # a bare month name means the nearest one: this year's, unless it ended a while ago
        year = today.year if number >= today.month - 6 else today.year + 1
        return month(year, number)
    return None
