"""Whose local day turned between two sweeps (the digests' window, plan.py): the quick
answer by groups of equal UTC offsets names exactly the zones a look at every zone's local
date names, across daylight-saving changes (on the hour, the half hour, at midnight) and
offset changes of a whole country."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store.services.reminders.zones import _zones, turned_day, turned_zones

AROUND = [
    datetime(2026, 3, 8, 10, 0, tzinfo=UTC),    # the US springs forward (Adak last)
    datetime(2026, 4, 4, 15, 0, tzinfo=UTC),    # Lord Howe falls back half an hour
    datetime(2024, 2, 29, 17, 0, tzinfo=UTC),   # Almaty moves from +6 to +5 at midnight
    datetime(2026, 9, 27, 13, 30, tzinfo=UTC),  # Chatham (+12:45) springs forward
    datetime(2026, 10, 25, 0, 0, tzinfo=UTC),   # Europe falls back
    datetime(2026, 12, 31, 23, 0, tzinfo=UTC),  # a new year somewhere every hour
]


@pytest.mark.parametrize("around", AROUND, ids=lambda d: d.strftime("%Y-%m-%d"))
def test_turned_zones_agree_with_every_zone_looked_at(around: datetime) -> None:
    zones = _zones()
    for minutes in range(0, 6 * 60, 7):
        now = around + timedelta(minutes=minutes)
        for gap in (timedelta(minutes=11), timedelta(hours=2, minutes=3)):
            assert sorted(turned_zones(now - gap, now)) == \
                sorted(turned_day(zones, now - gap, now)), (now - gap, now)
