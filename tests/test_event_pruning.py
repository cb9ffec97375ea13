"""The reminder sweep forgets Slack event ids past the de-duplication window, and keeps
recent ones so a retry of them is still recognised."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.reminders import ReminderRunner
from store.clock import ManualClock
from store.models import SlackEvent
from store.services import Services
from store.services.system.events import DEDUP_WINDOW


def _kept(services: Services) -> set[str]:
    with services.store.transaction() as s:
        return set(s.scalars(select(SlackEvent.event_id)))


def test_the_sweep_prunes_old_event_ids_and_keeps_recent_ones(
        services: Services, app, clock: ManualClock) -> None:
    runner = ReminderRunner(services, app.client, clock, "UTC", worker="test")
    assert services.events.first_time("EvOld") is True
    clock.advance(DEDUP_WINDOW - timedelta(minutes=30))
    assert services.events.first_time("EvRecent") is True
    clock.advance(timedelta(hours=1))  # EvOld is now past the window, EvRecent is not

    report = runner.run_once()

    assert report.pruned == 1
    assert _kept(services) == {"EvRecent"}
    assert services.events.first_time("EvRecent") is False  # a late retry still dedupes

