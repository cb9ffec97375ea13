"""Calendar arithmetic the date reader (`dates`) leans on: the end of a named fiscal
quarter or month, the next day-of-month on or after today, a date that may not exist, and
the order a time zone's offices write 12/03 in."""

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


def leap_day_readings(day: date, today: date) -> tuple[date, date] | None:
    """"feb 29" said when the next February has none: its 28th and 1 March, to ask which,
    rather than the 29th of a leap year more than a year away. None for any other day."""
    if (day.month, day.day) != (2, 29) or (day - today).days <= 366:
        return None
    year = day.year - 1
    while (date(year, 2, 28) - today).days > 366:
        year -= 1
    return date(year, 2, 28), date(year, 3, 1)


def end_of_named_month(month: int, today: date) -> date:
    """Last day of the next `month` whose end is not yet past ("closing june" said in
    December: 30 June of next year)."""
    year = today.year if month >= today.month else today.year + 1
    return date(year, month, 1) + relativedelta(months=1) - timedelta(days=1)


def slash_order_of(tz: str) -> str | None:
    """"md", "dm" or None: how offices in the zone `tz` write 12/03 (see `dates`)."""
    region = tz.split("/", 1)[0]
    if region == "America" or tz.startswith(("US/", "Canada/")):
        return "md"
    if region in ("Europe", "Africa", "Australia", "Pacific") or tz.startswith("NZ"):
        return "dm"
    return None
