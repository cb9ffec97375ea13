"""Working hours, the one place they are read: when a follow-up said as a day is due, and
when a reminder may reach a person (inside their working hours, in their own zone, not on
weekends unless they asked, not while they have muted reminders).

`SALESBOT_WORKING_HOURS` is validated with `parse_hours` at start-up, so a mistake there
stops the process with a clear message instead of failing at the first reminder.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_WORKING_HOURS = "09:00-18:00"
DEFAULT_DIGEST_HOUR = 8
"""The daily digest's local hour when someone turns it on without saying one."""

_HOURS = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")


def parse_hours(working_hours: str) -> tuple[time, time]:
    """`09:00-18:00` → (09:00, 18:00); anything else, or a start not before the end, is a
    ValueError that says what is expected."""
    match = _HOURS.fullmatch(working_hours.strip())
    start = time(int(match[1]), int(match[2])) if match else None
    end = time(int(match[3]), int(match[4])) if match else None
    if start is None or end is None or start >= end:
        raise ValueError("working hours look like 09:00-18:00 (start before end), "
                         f"not {working_hours!r}")
    return start, end


def start_of_working_day(day: date, tz: str | None,
                         working_hours: str = DEFAULT_WORKING_HOURS) -> datetime:
    """When a follow-up said as a day is due: the start of working hours that day in `tz`, in
    UTC (docs/INTERFACES.md, "Reminder timing").

    The zone decides the offset on that very day, so a deal due the Monday after Europe moves
    its clocks is due an hour earlier in UTC than the Friday before. A start that falls in a
    spring-forward gap keeps the pre-change offset (zoneinfo's fold=0), i.e. an hour later.
    """
    start, _end = parse_hours(working_hours)
    return datetime.combine(day, start, tzinfo=ZoneInfo(tz or "UTC")).astimezone(UTC)


def at_local_time(day: date, at: time, tz: str | None) -> datetime:
    """`day` at `at` on the clock in `tz`, in UTC: a follow-up said with its time ("call
    tmrw at 2")."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz or "UTC")).astimezone(UTC)


def follow_up_horizon(now: datetime, tz: str | None) -> datetime:
    """The end of "this week" for follow-ups: the last second of the local day a week from
    today, so a task due next Friday evening shows on this Friday's list as it does on
    Friday morning's. Overdue follow-ups always show; this only bounds the future."""
    zone = ZoneInfo(tz or "UTC")
    end_of_today = now.astimezone(zone).replace(hour=23, minute=59, second=59, microsecond=0)
    return (end_of_today + timedelta(days=7)).astimezone(UTC)


def _at(day: datetime, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day.date(), moment, tzinfo=zone)


def next_delivery(due: datetime, tz: str | None, working_hours: str = DEFAULT_WORKING_HOURS,
                  *, weekends: bool = False, muted_until: datetime | None = None) -> datetime:
    """The first moment at or after `due` the person wants to hear from the bot (UTC)."""
    zone = ZoneInfo(tz or "UTC")
    start, end = parse_hours(working_hours)
    if muted_until is not None and muted_until > due:
        due = muted_until
    local = due.astimezone(zone)
    for _ in range(14):  # two weeks is more than any weekend and holiday gap we model
        if not weekends and local.weekday() >= 5:
            local = _at(local + timedelta(days=7 - local.weekday()), start, zone)
            continue
        if local.time() < start:
            local = _at(local, start, zone)
        elif local.time() >= end:
            local = _at(local + timedelta(days=1), start, zone)
            continue
        return local.astimezone(UTC)
    return local.astimezone(UTC)


def local_hour(day: datetime, hour: int, tz: str | None) -> datetime:
    """`hour`:00 on the local date of `day` in `tz`, as UTC (for daily digests)."""
    zone = ZoneInfo(tz or "UTC")
    local = day.astimezone(zone)
    return datetime.combine(local.date(), time(hour), tzinfo=zone).astimezone(UTC)
