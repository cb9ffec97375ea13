"""A time of day said with a follow-up's day: "call tmrw at 2", "f/u friday 3:30pm", "at 10am
monday". Without one, a follow-up is due at the start of working hours (docs/INTERFACES.md,
"Reminder timing"); with one, at that time in the rep's zone.

A bare hour is read the way a working day runs: 8 to 11 in the morning, 12 noon, 1 to 7
in the afternoon ("at 2" is 14:00). The time must be said next to the day (a few characters
either side), so "call at 2 today went well, f/u friday" keeps Friday's default hour: the 2
was the call's. Pure Python.
"""

from __future__ import annotations

import re
from datetime import date, time

from handlers.language.facts import Facts

_TIME = re.compile(
    r"(?:\bat\s+(?P<h1>\d{1,2})(?::(?P<m1>[0-5]\d))?\s*(?P<ap1>am|pm|a|p)?"
    r"|\b(?P<h2>\d{1,2})(?::(?P<m2>[0-5]\d))?\s*(?P<ap2>am|pm))(?![\w%:./-])",
    re.IGNORECASE)
_NEAR = 4  # characters between the day and its time: "tmrw at 2", "2pm friday"


def follow_up_time(text: str, facts: Facts, day: date) -> time | None:
    """The time said beside `day` in `text` (the sentence's normalised text), or None."""
    for said in facts.days:
        if said.day != day:
            continue
        for found in _TIME.finditer(text):
            if found.start() - said.end <= _NEAR and said.start - found.end() <= _NEAR \
                    and (found.start() >= said.end or found.end() <= said.start):
                return _clock(found)
    return None


def _clock(found: re.Match[str]) -> time | None:
    hour = int(found["h1"] or found["h2"])
    minute = int(found["m1"] or found["m2"] or 0)
    half = (found["ap1"] or found["ap2"] or "").lower()[:1]
    if hour > 23 or (half and not 1 <= hour <= 12):
        return None
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    elif not half and 1 <= hour <= 7:
        hour += 12  # "at 2": two in the afternoon, in a working day
    return time(hour, minute)
