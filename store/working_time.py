"""When a reminder may reach a person: inside their working hours, in their own zone,
not on weekends (unless they asked), and not while they have muted reminders."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_hours(working_hours: str) -> tuple[time, time]:
    start, end = working_hours.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def _at(day: datetime, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day.date(), moment, tzinfo=zone)


def next_delivery(due: datetime, tz: str | None, working_hours: str = "09:00-18:00", *,
                  weekends: bool = False, muted_until: datetime | None = None) -> datetime:
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
