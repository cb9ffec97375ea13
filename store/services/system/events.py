"""Slack event de-duplication: an event id is processed once, whatever Slack retries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from store.db import Store
from store.models import SlackEvent

DEDUP_WINDOW = timedelta(hours=24)
"""How long an event id is kept, so a retry of it is still recognised. Slack retries an
event it got no timely answer for up to three times, all within about an hour; a day is
a wide margin (a retry delayed by an outage still dedupes) while `slack_events` stays
small. The reminder sweep prunes older ids (bot/reminders.py)."""


class EventLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    def first_time(self, event_id: str) -> bool:
        """Record `event_id`; True only for the first delivery (INSERT … ON CONFLICT DO NOTHING)."""
        insert = pg_insert if self.store.dialect == "postgresql" else sqlite_insert
        now = self.store.now()
        with self.store.transaction() as s:
            inserted = s.scalar(
                insert(SlackEvent)
                .values(event_id=event_id, received_at=now)
                .on_conflict_do_nothing(index_elements=["event_id"])
                .returning(SlackEvent.event_id)
            )
            return inserted is not None

    def prune(self) -> int:
        """Forget event ids older than DEDUP_WINDOW; returns how many went."""
        with self.store.transaction() as s:
            # a DELETE's result is a CursorResult, which counts the rows it touched
            result = cast(CursorResult[Any], s.execute(
                delete(SlackEvent).where(SlackEvent.received_at < self.store.now() - DEDUP_WINDOW)
            ))
            return result.rowcount or 0
