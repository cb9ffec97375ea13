"""One rule for what Slack refused for good (`handlers/slack/owed.py: LASTING_ERRORS`):
a reminder and a confirmation kept after a saved change are judged alike, so the same
refusal is retried on both paths or on neither."""

from __future__ import annotations

import pytest

from bot.chat import Chat
from bot.localslack import Failure, LocalSlack
from bot.reminders import ReminderRunner
from store.clock import ManualClock
from store.schemas import UserView
from store.services import Services

CASES = [("team_added_to_org", False),  # a workspace moving into an org: try again later
         ("not_authed", True)]          # no retry will change it


@pytest.fixture
def runner(services: Services, app, clock: ManualClock) -> ReminderRunner:
    return ReminderRunner(services, app.client, clock, "UTC", worker="test")


@pytest.mark.parametrize(("error", "lasting"), CASES)
def test_a_reminder_refused_is_retried_unless_for_good(
        services: Services, rep: UserView, runner: ReminderRunner, slack: LocalSlack,
        clock: ManualClock, error: str, lasting: bool) -> None:
    services.activities.log(rep.id, kind="call", subject="x",
                            account_id=services.accounts.get("acme").id,
                            follow_up_at=clock.now())
    slack.fail_next("chat.postMessage", Failure(error=error))
    report = runner.run_once()
    assert (report.failed, report.retried) == ((1, 0) if lasting else (0, 1))


@pytest.mark.parametrize(("error", "lasting"), CASES)
def test_a_confirmation_refused_is_kept_unless_for_good(
        chat: Chat, services: Services, rep: UserView, runner: ReminderRunner,
        slack: LocalSlack, error: str, lasting: bool) -> None:
    slack.fail_next("chat.postMessage", Failure(error=error))
    chat.say("note on acme: champion left", user="UR")
    assert len(services.activities.list_for(rep.id)) == 1  # the change stands either way
    assert runner.run_once().replies == (0 if lasting else 1)
