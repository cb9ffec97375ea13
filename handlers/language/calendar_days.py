"""Calendar arithmetic the date reader (`dates`) leans on: the end of a named fiscal
quarter, the next day-of-month on or after today, and a date that may not exist."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def end_of_named_quarter(number: int, year_text: str | None, today: date,
                          fiscal_year_start: int) -> date | None:
    """Last day of fiscal quarter `number` of the fiscal year `year_text` (named by the
    calendar year it starts in: "Q1 2027"), else of the next one that has not ended."""

    def end_of(first_month_year: int) -> date:
        first = (date(first_month_year, fiscal_year_start, 1)
                 + relativedelta(months=3 * (number - 1)))
        return first + relativedelta(months=3) - timedelta(days=1)

    if year_text is not None:
        return end_of(int(year_text))
    for start_year in range(today.year - 1, today.year + 2):
        candidate = end_of(start_year)
        if candidate >= today:
            return candidate
    return None


def next_day_of_month(day: int, today: date) -> date | None:
    """The next `day`th on or after today (the 31st skips months without one)."""
    for months in range(0, 13):
        month = today.replace(day=1) + relativedelta(months=months)
        candidate = valid(month.year, month.month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


def valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
