"""Which time zones' day turned between two instants: the digest is due at a user's own
hour, so each sweep asks which zones passed midnight since the last one.

Looking at every one of ~600 zones twice a sweep was the largest part of planning the
digest; zones sharing their UTC offsets turn their day together, so they are grouped once
per quarter hour and compared as groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones


@cache
def _zones() -> tuple[ZoneInfo, ...]:
    """Every time zone, loaded once (ZoneInfo's own cache keeps only a few)."""
    return tuple(ZoneInfo(z) for z in sorted(available_timezones() | {"UTC"}))


def turned_day(zones: Iterable[ZoneInfo], since: datetime, now: datetime) -> list[str]:
    """The names of the zones whose local date changed between `since` and `now`."""
    return [str(z) for z in zones if since.astimezone(z).date() != now.astimezone(z).date()]


OFFSET_SPAN = 900
"""Seconds of one span of `_offset_groups`: UTC offsets are whole quarter hours and change
at whole quarter hours of UTC, so a zone's offset at both ends of a span is its offset
throughout it."""


@lru_cache(maxsize=4)  # this sweep's spans and the last one's
def _offset_groups(since_span: int, now_span: int
                   ) -> tuple[tuple[tuple[timedelta, timedelta, tuple[str, ...]], ...],
                              tuple[ZoneInfo, ...]]:
    """Every zone by its UTC offsets in the span holding `since` and the one holding `now`
    (a group's zones turn their day together), and apart the zones whose offset changes
    within either span (looked at one by one). Worked out once per pair of spans, so a
    sweep a minute compares a few dozen offsets, not every zone's local date twice."""
    def offsets(span: int) -> dict[ZoneInfo, timedelta | None]:
        start = datetime.fromtimestamp(span * OFFSET_SPAN, UTC)
        end = start + timedelta(seconds=OFFSET_SPAN)
        found: dict[ZoneInfo, timedelta | None] = {}
        for z in _zones():
            first = start.astimezone(z).utcoffset()
            found[z] = (first if first is not None and first == end.astimezone(z).utcoffset()
                        else None)
        return found
    at_since, at_now = offsets(since_span), offsets(now_span)
    groups: dict[tuple[timedelta, timedelta], list[str]] = {}
    changing = []
    for z in _zones():
        a, b = at_since[z], at_now[z]
        if a is None or b is None:
            changing.append(z)
        else:
            groups.setdefault((a, b), []).append(str(z))
    return tuple((a, b, tuple(names)) for (a, b), names in groups.items()), tuple(changing)


def turned_zones(since: datetime, now: datetime) -> list[str]:
    """`turned_day` of every zone, by their groups of equal offsets (`_offset_groups`)."""
    since, now = since.astimezone(UTC), now.astimezone(UTC)
    groups, changing = _offset_groups(int(since.timestamp()) // OFFSET_SPAN,
                                      int(now.timestamp()) // OFFSET_SPAN)
    names = [name for a, b, zones in groups if (since + a).date() != (now + b).date()
             for name in zones]
    return names + turned_day(changing, since, now)
