"""The reminder sweep forgets Slack event ids past the de-duplication window, and keeps
recent ones so a retry of them is still recognised."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.reminders import ReminderRunner
from store.clock import ManualClock
from store.errors import NotFound
from store.models import OwedReply, SlackEvent
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



def test_the_sweep_forgets_old_button_values_and_delivered_replies(
        services: Services, app, clock: ManualClock) -> None:
    """Both can hold message text: kept only as long as they are useful."""
    runner = ReminderRunner(services, app.client, clock, "UTC", worker="test")
    old_value = services.button_values.park('{"text": "a long pending question"}')
    owed = services.owed_replies.keep("chat.postMessage", {"channel": "D1", "text": "hi"}, "500")
    services.owed_replies.delivered(owed)
    clock.advance(timedelta(days=8))
    waiting = services.owed_replies.keep("chat.postMessage", {"channel": "D1", "text": "x"}, "")
    runner.run_once()  # delivers `waiting`, forgets the reply delivered 8 days ago
    with services.store.transaction() as s:
        assert list(s.scalars(select(OwedReply.id))) == [waiting]
    clock.advance(timedelta(days=23))
    new_value = services.button_values.park('{"text": "a fresh question"}')
    runner.run_once()
    assert services.button_values.get(new_value) == '{"text": "a fresh question"}'
    with pytest.raises(NotFound):
        services.button_values.get(old_value)
