"""Relative dates read in the rep's zone, and the start of their working day in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from handlers.language.dates import DateMatch, find_date
from store.working_time import start_of_working_day

# Monday 15:00 UTC: 10:00 Monday in New York, already 00:00 Tuesday in Tokyo.
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
UTC_ZONE, NEW_YORK, TOKYO = "UTC", "America/New_York", "Asia/Tokyo"


@pytest.mark.parametrize(
    ("text", "tz", "day", "phrase"),
    [
        ("call them today", UTC_ZONE, date(2026, 11, 23), "today"),
        ("call them today", TOKYO, date(2026, 11, 24), "today"),
        ("send it tomorrow", NEW_YORK, date(2026, 11, 24), "tomorrow"),
        ("send it tomorrow", TOKYO, date(2026, 11, 25), "tomorrow"),
        ("they want pricing by friday", UTC_ZONE, date(2026, 11, 27), "by friday"),
        ("they want pricing by Fri", NEW_YORK, date(2026, 11, 27), "by Fri"),
        # bare weekday: strictly after today, and "today" depends on the zone
        ("demo tuesday", UTC_ZONE, date(2026, 11, 24), "tuesday"),
        ("demo tuesday", TOKYO, date(2026, 12, 1), "tuesday"),
        ("on monday", UTC_ZONE, date(2026, 11, 30), "on monday"),
        ("this friday", UTC_ZONE, date(2026, 11, 27), "this friday"),
        ("this tuesday", TOKYO, date(2026, 11, 24), "this tuesday"),
        ("next tuesday", UTC_ZONE, date(2026, 12, 1), "next tuesday"),
        ("next friday", NEW_YORK, date(2026, 12, 4), "next friday"),
        ("on sat", UTC_ZONE, date(2026, 11, 28), "on sat"),
        ("in 3 days", UTC_ZONE, date(2026, 11, 26), "in 3 days"),
        ("in 2 weeks", UTC_ZONE, date(2026, 12, 7), "in 2 weeks"),
        ("in two weeks", TOKYO, date(2026, 12, 8), "in two weeks"),
        ("in a week", NEW_YORK, date(2026, 11, 30), "in a week"),
        ("in a month", UTC_ZONE, date(2026, 12, 23), "in a month"),
        ("next week", UTC_ZONE, date(2026, 11, 30), "next week"),
        ("next week", TOKYO, date(2026, 11, 30), "next week"),
        ("next month", UTC_ZONE, date(2026, 12, 1), "next month"),
        ("next quarter", UTC_ZONE, date(2027, 1, 1), "next quarter"),
        ("close by end of month", UTC_ZONE, date(2026, 11, 30), "by end of month"),
        ("before the end of the month", TOKYO, date(2026, 11, 30), "before the end of the month"),
        ("end of next month", UTC_ZONE, date(2026, 12, 31), "end of next month"),
        ("until end of the quarter", UTC_ZONE, date(2026, 12, 31), "until end of the quarter"),
        ("end of march", UTC_ZONE, date(2027, 3, 31), "end of march"),
        ("end of november", UTC_ZONE, date(2026, 11, 30), "end of november"),
        ("by end of week", UTC_ZONE, date(2026, 11, 27), "by end of week"),
        ("by eod", UTC_ZONE, date(2026, 11, 23), "by eod"),
        ("due 2026-12-01", UTC_ZONE, date(2026, 12, 1), "2026-12-01"),
        ("on dec 3", UTC_ZONE, date(2026, 12, 3), "on dec 3"),
        ("3 dec", UTC_ZONE, date(2026, 12, 3), "3 dec"),
        ("December 3rd", UTC_ZONE, date(2026, 12, 3), "December 3rd"),
        ("the 3rd of december", UTC_ZONE, date(2026, 12, 3), "3rd of december"),
        ("Dec. 3, 2027", UTC_ZONE, date(2027, 12, 3), "Dec. 3, 2027"),
        # month and day without a year: the next one on or after the local today
        ("nov 23", UTC_ZONE, date(2026, 11, 23), "nov 23"),
        ("nov 23", TOKYO, date(2027, 11, 23), "nov 23"),
        ("nov 20", UTC_ZONE, date(2027, 11, 20), "nov 20"),
        ("feb 29", UTC_ZONE, date(2028, 2, 29), "feb 29"),
    ],
)
def test_find_date(text: str, tz: str, day: date, phrase: str) -> None:
    found = find_date(text, NOW, tz)
    assert found is not None
    assert found.day == day
    assert found.phrase == phrase
    assert text[found.start : found.end] == phrase


@pytest.mark.parametrize(
    "text",
    [
        "no date in here",
        "pricing for 12/03",
        "we sat down with them",
        "on feb 30",
        "due 2026-13-01",
        "",
    ],
)
def test_no_date(text: str) -> None:
    assert find_date(text, NOW, UTC_ZONE) is None


def test_span_inside_a_sentence() -> None:
    text = "logged a call with acme, they want pricing by friday"
    found = find_date(text, NOW, NEW_YORK)
    assert found == DateMatch(date(2026, 11, 27), 43, 52, "by friday")
    assert text[: found.start].rstrip() == "logged a call with acme, they want pricing"


def test_first_valid_phrase_wins() -> None:
    found = find_date("tomorrow or friday", NOW, UTC_ZONE)
    assert found is not None and found.phrase == "tomorrow"
    found = find_date("feb 30, I mean dec 1", NOW, UTC_ZONE)
    assert found is not None and found.day == date(2026, 12, 1)


def _day(text: str, now: datetime, tz: str) -> date | None:
    found = find_date(text, now, tz)
    return found.day if found else None


def test_weekday_said_on_that_weekday() -> None:
    friday_noon = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert _day("by friday", friday_noon, UTC_ZONE) == date(2026, 12, 4)
    assert _day("this friday", friday_noon, UTC_ZONE) == date(2026, 11, 27)
    assert _day("next friday", friday_noon, UTC_ZONE) == date(2026, 12, 4)


def test_next_weekday_said_on_saturday_is_in_the_coming_week() -> None:
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert _day("next tuesday", saturday, UTC_ZONE) == date(2026, 12, 1)
    assert _day("by end of week", saturday, UTC_ZONE) == date(2026, 12, 4)


def test_evening_in_new_york_is_still_yesterday() -> None:
    late = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)  # 22:00 Monday in New York
    assert _day("tomorrow", late, UTC_ZONE) == date(2026, 11, 25)
    assert _day("tomorrow", late, NEW_YORK) == date(2026, 11, 24)


def test_quarters_follow_the_fiscal_year() -> None:
    found = find_date("end of the quarter", NOW, UTC_ZONE, fiscal_year_start=2)
    assert found is not None and found.day == date(2027, 1, 31)
    found = find_date("next quarter", NOW, UTC_ZONE, fiscal_year_start=2)
    assert found is not None and found.day == date(2027, 2, 1)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        find_date("today", datetime(2026, 11, 23, 15, 0), UTC_ZONE)


@pytest.mark.parametrize(
    ("day", "tz", "hours", "expected"),
    [
        (date(2026, 11, 27), UTC_ZONE, "09:00-18:00", datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
        (date(2026, 11, 27), NEW_YORK, "09:00-18:00", datetime(2026, 11, 27, 14, 0, tzinfo=UTC)),
        (date(2026, 11, 27), TOKYO, "09:00-18:00", datetime(2026, 11, 27, 0, 0, tzinfo=UTC)),
        (date(2026, 11, 27), TOKYO, "08:30-17:00", datetime(2026, 11, 26, 23, 30, tzinfo=UTC)),
        # Paris moves to summer time on Sunday 29 March 2026: 09:00 is 08:00 UTC before, 07:00 after
        (date(2026, 3, 27), "Europe/Paris", "09:00-18:00", datetime(2026, 3, 27, 8, 0, tzinfo=UTC)),
        (date(2026, 3, 29), "Europe/Paris", "09:00-18:00", datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
        (date(2026, 3, 30), "Europe/Paris", "09:00-18:00", datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
    ],
)
def test_start_of_working_day(day: date, tz: str, hours: str, expected: datetime) -> None:
    due = start_of_working_day(day, tz, hours)
    assert due == expected
    assert due.tzinfo is UTC


def test_working_hours_must_parse() -> None:
    with pytest.raises(ValueError):
        start_of_working_day(date(2026, 11, 27), UTC_ZONE, "nine to six")
