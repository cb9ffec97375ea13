"""Time is injected: services ask a clock, never the wall, so tests and the shell move time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The wall clock, for production."""

    def now(self) -> datetime:
        # whole seconds: Slack's own timestamps, CSV exports and keys all work at that grain
        return datetime.now(UTC).replace(microsecond=0)


class ManualClock:
    """A clock that only moves when told to; used by tests and `salesbot shell`'s `:time`."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC).replace(microsecond=0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock.set needs a timezone-aware time")
        with self._lock:
            if when.astimezone(UTC) < self._now:
                raise ValueError("time only moves forward")
            self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)
