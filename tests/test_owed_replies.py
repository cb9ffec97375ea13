"""When Slack refuses a confirmation after the change was saved, the person is never told
it failed: the reply is kept and the next sweep delivers it, once."""

from __future__ import annotations

import pytest

from bot.chat import Chat
from bot.localslack import Failure, LocalSlack
from bot.reminders import ReminderRunner
from handlers.slack.errors import GENERIC
from store.clock import ManualClock
from store.services import Services


@pytest.fixture
def ana(services: Services) -> int:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep", timezone="America/New_York")
    services.accounts.create(ana.id, "Acme")
    return ana.id


@pytest.fixture
def runner(services: Services, app, clock: ManualClock) -> ReminderRunner:
    return ReminderRunner(services, app.client, clock, "UTC", worker="test")


def _confirmations(slack: LocalSlack, method: str = "chat.postMessage") -> list[str]:
    """The confirmations Slack took (a refused call is recorded too, with its error)."""
    return [str(c.args.get("text")) for c in slack.calls_of(method)
            if "Logged a note" in str(c.args.get("text")) and c.response.get("ok")]


@pytest.mark.parametrize("failures", [
    [Failure(status=500, error="internal_error")],
    [Failure(status=429, retry_after=1)] * 3,  # more than the client's own retries
    [Failure(error="service_unavailable")],
])
def test_a_refused_confirmation_is_delivered_by_the_next_sweep(
        chat: Chat, slack: LocalSlack, services: Services, runner: ReminderRunner, ana: int,
        failures: list[Failure]) -> None:
    for failure in failures:
        slack.fail_next("chat.postMessage", failure)
    chat.say("note on acme: champion left")
    [note] = services.activities.list_for(ana)
    assert note.subject.lower().startswith("champion left")  # the change stands
    assert _confirmations(slack) == []
    assert not any(GENERIC in m.text for m in chat.transcript)
    assert runner.run_once().replies == 1
    assert len(_confirmations(slack)) == 1
    assert runner.run_once().replies == 0  # once


def test_a_refused_slash_command_answer_comes_through_its_response_url(
        chat: Chat, slack: LocalSlack, services: Services, runner: ReminderRunner,
        ana: int) -> None:
    slack.fail_next("respond", Failure(status=503))
    chat.command("/sales log note Acme: budget approved")
    assert len(services.activities.list_for(ana)) == 1
    assert _confirmations(slack, "respond") == []
    assert not any(GENERIC in m.text for m in chat.transcript)
    assert runner.run_once().replies == 1
    assert len(_confirmations(slack, "respond")) == 1


def test_a_permanent_refusal_is_not_kept(chat: Chat, slack: LocalSlack, services: Services,
                                         runner: ReminderRunner, ana: int) -> None:
    slack.fail_next("chat.postMessage", Failure(error="channel_not_found"))
    chat.say("note on acme: pricing call went well")
    assert len(services.activities.list_for(ana)) == 1
    assert not any(GENERIC in m.text for m in chat.transcript)
    assert runner.run_once().replies == 0
