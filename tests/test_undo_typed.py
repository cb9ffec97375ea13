"""A typed "undo" reverses the caller's own last change, whatever it was: a follow-up marked
done or moved, a delegation, or, for a change others were already told of (an approval),
it says so and changes nothing, never reaching back to an older change instead. Through
signed requests, with the store checked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.chat import Chat
from store.clock import ManualClock
from store.models import User
from store.services import Services
from tests.test_approvals_slack import request, team  # noqa: F401  (the fixture)


def _stage(services: Services, book: dict[str, int], key: str) -> str:
    return services.opportunities.get(book["ana"], book[key]).stage.name


def test_undo_after_done_reopens_the_follow_up_not_an_older_change(
        chat: Chat, services: Services, book, clock: ManualClock) -> None:
    chat.say("move acme to negotiation")
    chat.say("call w/ hooli, f/u friday")
    clock.advance(timedelta(minutes=5))
    chat.say("done w/ the hooli follow-up")
    [task] = [a for a in services.activities.list_for(book["ana"]) if a.follow_up_at]
    assert task.done
    [undone] = chat.say("undo")
    assert undone.text.startswith("Undone:")
    [task] = [a for a in services.activities.list_for(book["ana"]) if a.follow_up_at]
    assert not task.done
    assert _stage(services, book, "acme") == "Negotiation/Review"  # the older change stays


def test_undo_after_a_snooze_puts_the_day_back(chat: Chat, services: Services, book) -> None:
    chat.say("call w/ hooli, f/u friday")
    [task] = services.activities.list_for(book["ana"])
    due = task.follow_up_at
    chat.say("snooze the hooli follow-up till 2026-12-15")
    [task] = services.activities.list_for(book["ana"])
    assert task.follow_up_at is not None and task.follow_up_at.date().isoformat() == "2026-12-15"
    chat.say("undo")
    [task] = services.activities.list_for(book["ana"])
    assert task.follow_up_at == due
    assert len(services.activities.list_for(book["ana"])) == 1  # the call itself stays


def _delegate_of(services: Services, slack_id: str) -> int | None:
    with services.store.transaction() as s:
        user = s.scalar(select(User).where(User.slack_user_id == slack_id))
        assert user is not None
        return user.delegate_id


def test_undo_after_a_delegation_takes_it_back(chat: Chat, services: Services,
                                               team) -> None:  # noqa: F811
    chat.say("delegate to Oli Other", user="U0MO")
    assert _delegate_of(services, "U0MO") == team["U0OLI"]
    [undone] = chat.say("undo", user="U0MO")
    assert "approvals again" in undone.text
    assert _delegate_of(services, "U0MO") is None


def test_undo_after_an_approval_says_so_and_changes_nothing(chat: Chat, services: Services,
                                                            team) -> None:  # noqa: F811
    request(chat)
    chat.say("approve Q-2026-0001", user="U0MO")
    before = services.quotes.get(team["U0ANA"], "Q-2026-0001")
    [said] = chat.say("undo", user="U0MO")
    assert "can't be undone" in said.text and "nothing was changed" in said.text
    after = services.quotes.get(team["U0ANA"], "Q-2026-0001")
    assert (after.status, after.version) == (before.status, before.version)


def test_a_deal_removed_by_undo_can_be_created_again(chat: Chat, services: Services,
                                                     book) -> None:
    chat.say("new deal for acme: training 5k, close jan 31")
    [undone] = chat.say("undo")
    assert undone.text.startswith("Undone:")
    [made] = chat.say("new deal for acme: training 5k, close jan 31")
    assert "already has a deal" not in made.text
    live = [o.name for o in services.opportunities.visible(book["ana"])
            if o.account_name == "Acme"]
    assert sorted(live) == ["Renewal", "Training"]


def test_undo_after_a_role_change_says_so_and_changes_nothing(
        chat: Chat, services: Services, team) -> None:  # noqa: F811
    chat.say("make Oli Other a manager", user="U0ADA")
    [said] = chat.say("undo", user="U0ADA")
    assert "can't be undone" in said.text and "role" in said.text
    oli = services.users.find("U0OLI")
    assert oli is not None and oli.role == "manager"


def test_undo_reaches_back_half_an_hour_not_to_this_mornings_call(
        chat: Chat, services: Services, book, clock: ManualClock) -> None:
    chat.say("call w/ hooli, they want pricing")
    clock.advance(timedelta(hours=3))
    [said] = chat.say("undo")
    assert "nothing of yours from the last half hour" in said.text and "Undo button" in said.text
    assert len(services.activities.list_for(book["ana"])) == 1
