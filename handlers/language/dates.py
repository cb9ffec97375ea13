"""Relative dates in plain words ("by friday", "in 2 weeks", "end of the quarter"), read in the
rep's time zone.

A rep in Tokyo typing "tomorrow" at 01:00 local time means the day after *their* today, which
is still yesterday in UTC; so every phrase is counted from `now` seen in the rep's zone. A
phrase read two ways ("12/03": 3 December or 12 March) is never guessed at.

Rules for the phrases people read differently (chosen to match common US/UK office usage):
- "friday" / "fri" / "by friday": the next Friday strictly after today (said on a Friday, it
  means a week later: nobody promises "by friday" for the same afternoon).
- "this friday" / "coming friday": the next Friday on or after today (today if it is Friday).
- "next friday": the Friday of next week (weeks start on Monday). Said on Monday, "next
  tuesday" is 8 days later; said on Saturday, it is the coming Tuesday, 3 days later.
- "sat" and "sun" are English words too ("we sat down"), so bare they are not dates; with a
  lead word ("on sat", "this sun", "next sat") they are.
- "next week": Monday of next week; "next month" / "next quarter": their first day. Said as a
  close date ("pushed to next qtr"), a period means its last day instead: `closes` is next
  week's Friday, the last day of next month or of next quarter.
- "end of (the) week": the Friday on or after today; "end of next week": next week's Friday.
- "end of (the) month / quarter", "end of next month / quarter", "end of march": the last day
  of it; quarters follow `fiscal_year_start`; a month name alone ("end of march") is the next
  one whose end is on or after today. "eod" / "end of day" is today.
- "in N days / weeks / months": calendar arithmetic (`relativedelta`, so "in a month" from
  31 January is the last day of February).
- "dec 3", "3 dec", "december 3rd", "3rd of december": with no year, the next such date on or
  after today (29 February: the next leap year); with a year, that date.
- "the 15th", "on the 3rd": the next such day of a month on or after today.
- "Q2", "q1 2027", "end of Q3": the last day of that fiscal quarter, the next one not yet
  ended (said in December, "Q1" is next year's); "end of (the) year", "end of next year": the
  last day of this or next fiscal year.
- "3/15", "15/3", "3/15/2027": read when only one reading is a date; "12/03" month first
  in the Americas' time zones, day first in Europe, Africa and Oceania, else not at all
  (with `ambiguous`, both readings come back, for the caller to ask which).
- "next friday" said before this week's Friday: next week's; with `ambiguous`, this week's
  comes back as the other reading, for the caller to ask which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from handlers.language.calendar_days import (
    end_of_named_month,
    end_of_named_quarter,
    leap_day_readings,
    next_day_of_month,
    slash_order_of,
)
from handlers.language.calendar_days import valid as _valid
from store.periods import quarter_of

_MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2,
    "wed": 2, "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
_NEEDS_LEAD = frozenset({"sat", "sun"})
_COUNTS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_FRIDAY = 4


def _alternation(words: dict[str, int]) -> str:
    """Longest first, so "sept" is not read as "sep" plus a stray letter."""
    return "|".join(sorted(words, key=len, reverse=True))


_MONTH = _alternation(_MONTHS)
_WEEKDAY = _alternation(_WEEKDAYS)
_COUNT = _alternation(_COUNTS)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"

_DATE_PHRASE = re.compile(
    rf"""
    (?<![\w/-])
    (?:(?P<lead>by|on|until|before)\s+)?
    (?:
        (?P<iso>(?P<iso_year>\d{{4}})-(?P<iso_month>\d{{1,2}})-(?P<iso_day>\d{{1,2}}))(?![/-]?\d)
      | (?P<eod>eod|(?:the\s+)?end\s+of\s+(?:the\s+)?day)
      | (?:the\s+)?end\s+of\s+(?:the\s+)?(?:(?P<end_rel>this|next)\s+)?
        (?P<end_unit>week|month|quarter)
      | (?:the\s+)?end\s+of\s+(?P<end_month>{_MONTH})
      | in\s+(?P<count>\d{{1,3}}|{_COUNT})\s+(?P<unit>day|week|month)s?
      | next\s+(?P<next_unit>week|month|quarter)
      | (?:(?P<weekday_rel>this\s+coming|coming|this|next)\s+)?(?P<weekday>{_WEEKDAY})
      | (?P<md_month>{_MONTH})\.?\s+(?P<md_day>{_DAY})(?:,?\s+(?P<md_year>\d{{4}}))?
      | (?P<dm_day>{_DAY})\s+(?:of\s+)?(?P<dm_month>{_MONTH})\.?(?:,?\s+(?P<dm_year>\d{{4}}))?
      | (?P<simple>today|tonight|tomorrow)
      | (?:the\s+)?end\s+of\s+(?:the\s+)?(?P<year_rel>this\s+|next\s+|fiscal\s+)?(?:fiscal\s+)?year
      | (?:(?:the\s+)?end\s+of\s+)?(?P<q>q[1-4])(?:\s+(?:of\s+)?(?:fy\s*)?(?P<q_year>\d{{4}}))?
      | the\s+(?P<nth>\d{{1,2}}(?:st|nd|rd|th))(?!\s+(?:of\s+)?(?:{_MONTH}))
      | (?P<slash_a>\d{{1,2}})/(?P<slash_b>\d{{1,2}})(?:/(?P<slash_year>\d{{2}}|\d{{4}}))?
    )
    (?![\w/])
    """,
    re.IGNORECASE | re.VERBOSE,
)

@dataclass(frozen=True, slots=True)
class DateMatch:
    """A day said in a sentence; `text[start:end] == phrase`, lead word ("by") included, so the
    caller can cut the phrase out before reading the rest."""

    day: date
    start: int
    end: int
    phrase: str
    other: date | None = None  # the other reading of a phrase read two ways (`ambiguous`)
    period_end: date | None = None  # "next month": the period's last day, for a close date

    @property
    def closes(self) -> date:
        """The day this phrase means as a close date: a deal pushed "to next quarter" is
        expected by the end of it, not on its first morning."""
        return self.period_end or self.day


def find_date(
    text: str, now: datetime, tz: str, *, fiscal_year_start: int = 1, ambiguous: bool = False
) -> DateMatch | None:
    """The first date phrase in `text`, read in the zone `tz` at the instant `now` (aware).

    Phrases that look like dates but are not valid ("feb 30", "2026-13-01") are passed over, so
    a later real date in the sentence still counts. The module docstring lists the rules.
    With `ambiguous`, a phrase people read two ways comes back with both (`other` set), for
    the caller to ask which: "next fri" said before this week's Friday (this one, or the
    one after?), and "12/03" in a zone with no settled order.
    """
    if now.tzinfo is None:
        raise ValueError("find_date needs a timezone-aware `now`")
    today = now.astimezone(ZoneInfo(tz)).date()
    order = slash_order_of(tz)
    for found in _DATE_PHRASE.finditer(text):
        day = _day_of(found, today, fiscal_year_start, order)
        other = _other_reading(found, today, order) if ambiguous else None
        second = other if not isinstance(other, tuple) else None
        if isinstance(other, tuple):  # "12/03", no order: month first, day first
            day, second = other
        if ambiguous and day is not None and (leap := leap_day_readings(day, today)):
            day, second = leap  # "feb 29" in 2026: there is none next February
        if day is not None:
            period_end = (_end_of(found.group("next_unit").lower(), "next", today,
                                  fiscal_year_start) if found.group("next_unit") else None)
            return DateMatch(day, found.start(), found.end(), found.group(0),
                             second if second != day else None, period_end)
    return None


def _other_reading(found: re.Match[str], today: date,
                   order: str | None) -> date | tuple[date, date] | None:
    """The second reading of an ambiguous phrase (see `find_date`): for "next fri", this
    week's Friday; for a slash date in a zone without an order, both readings."""
    group = found.group
    if group("weekday") and (group("weekday_rel") or "").lower() == "next":
        target = _WEEKDAYS[group("weekday").lower()]
        if target > today.weekday():
            return _weekday(target, "this", today)
        return None
    if group("slash_a") and order is None and not group("slash_year"):
        a, b = int(group("slash_a")), int(group("slash_b"))
        month_first = _slash_date(a, b, None, today, "md")
        day_first = _slash_date(a, b, None, today, "dm")
        if a != b and month_first is not None and day_first is not None \
                and month_first != day_first and a <= 12 and b <= 12:
            return (month_first, day_first)
    return None


def _day_of(found: re.Match[str], today: date, fiscal_year_start: int,
            slash_order: str | None = None) -> date | None:
    """The day one matched phrase means, or None when it only looked like a date."""
    group = found.group
    if group("q"):
        return end_of_named_quarter(int(group("q")[1]), group("q_year"), today, fiscal_year_start)
    if group("nth"):
        return next_day_of_month(int(group("nth")[:-2]), today)
    if group("slash_a"):
        return _slash_date(int(group("slash_a")), int(group("slash_b")), group("slash_year"),
                           today, slash_order)
    if found.group(0).lower().rstrip().endswith("year") and not group("unit"):
        later = (group("year_rel") or "").strip().lower() == "next"
        start = quarter_of(today, fiscal_year_start).start
        while (start.month - fiscal_year_start) % 12:
            start -= relativedelta(months=3)
        return start + relativedelta(years=2 if later else 1) - timedelta(days=1)
    if group("iso"):
        return _valid(int(group("iso_year")), int(group("iso_month")), int(group("iso_day")))
    if group("eod"):
        return today
    if group("end_unit"):
        return _end_of(group("end_unit").lower(), group("end_rel"), today, fiscal_year_start)
    if group("end_month"):
        return end_of_named_month(_MONTHS[group("end_month").lower()], today)
    if group("unit"):
        count_text = group("count").lower()
        count = _COUNTS[count_text] if count_text in _COUNTS else int(count_text)
        return _later(today, count, group("unit").lower())
    if group("next_unit"):
        return _start_of_next(group("next_unit").lower(), today, fiscal_year_start)
    if group("weekday"):
        name = group("weekday").lower()
        relation = (group("weekday_rel") or "").lower()
        if name in _NEEDS_LEAD and not relation and not group("lead"):
            return None
        return _weekday(_WEEKDAYS[name], relation, today)
    if group("md_month"):
        return _month_day(group("md_month"), group("md_day"), group("md_year"), today)
    if group("dm_month"):
        return _month_day(group("dm_month"), group("dm_day"), group("dm_year"), today)
    if group("simple").lower() == "tomorrow":
        return today + timedelta(days=1)
    return today


def _weekday(target: int, relation: str, today: date) -> date:
    """See the module docstring: bare = strictly after today, this = on or after today,
    next = in next week (Monday-based)."""
    if relation == "next":
        next_monday = today + timedelta(days=7 - today.weekday())
        return next_monday + timedelta(days=target)
    ahead = (target - today.weekday()) % 7
    if not relation and ahead == 0:
        ahead = 7
    return today + timedelta(days=ahead)


def _later(today: date, count: int, unit: str) -> date:
    """`count` days, weeks or months after today, in calendar arithmetic."""
    if unit == "day":
        return today + relativedelta(days=count)
    if unit == "week":
        return today + relativedelta(weeks=count)
    return today + relativedelta(months=count)


def _end_of(unit: str, relation: str | None, today: date, fiscal_year_start: int) -> date:
    """Last day of this or next week (its Friday), month or quarter."""
    later = (relation or "").lower() == "next"
    if unit == "week":
        return _weekday(_FRIDAY, "next" if later else "this", today)
    if unit == "month":
        first = today.replace(day=1) + relativedelta(months=2 if later else 1)
        return first - timedelta(days=1)
    start = quarter_of(today, fiscal_year_start).start
    return start + relativedelta(months=6 if later else 3) - timedelta(days=1)


def _start_of_next(unit: str, today: date, fiscal_year_start: int) -> date:
    """First day of next week (Monday), month or quarter."""
    if unit == "week":
        return today + timedelta(days=7 - today.weekday())
    if unit == "month":
        return today.replace(day=1) + relativedelta(months=1)
    return quarter_of(today, fiscal_year_start).start + relativedelta(months=3)


def _month_day(month_text: str, day_text: str, year_text: str | None, today: date) -> date | None:
    """A month and day, with the year given or the next one on or after today."""
    month = _MONTHS[month_text.lower()]
    day = int(day_text.rstrip("stndrhSTNDRH"))
    if year_text:
        return _valid(int(year_text), month, day)
    for year in range(today.year, today.year + 9):  # 29 February waits for a leap year
        candidate = _valid(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _slash_date(a: int, b: int, year_text: str | None, today: date,
                order: str | None) -> date | None:
    """`a/b[/year]`: the one valid reading, or the zone's order when both are valid."""
    year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    readings = {"md": (a, b), "dm": (b, a)}
    valid = {key: (m, d) for key, (m, d) in readings.items()
             if _valid(year or 2028, m, d) is not None}  # 2028: 29 February is a date
    if len(valid) == 2 and a != b:
        if order is None:
            return None
        month, day = valid[order]
    elif valid:
        month, day = next(iter(valid.values()))
    else:
        return None
    if year is not None:
        return _valid(year, month, day)
    return _month_day(next(k for k, v in _MONTHS.items() if v == month), str(day), None, today)
