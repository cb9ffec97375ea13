"""Who may use the bot: workspace members (reps on first contact), never a person an admin
deactivated, never another app or bot."""

from __future__ import annotations

import pytest

from bot.chat import BOT_USER_ID, Chat
from bot.localslack import LocalSlack
from store.services import Services


@pytest.fixture
def team(services: Services, admin: int) -> dict[str, int]:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    ben = services.users.get_or_create("U0BEN", name="Ben Rep")
    services.accounts.create(ana.id, "Acme")
    return {"admin": admin, "ana": ana.id, "ben": ben.id}


def test_a_deactivated_person_is_refused_and_nothing_is_written(
        chat: Chat, services: Services, team: dict[str, int]) -> None:
    services.people.deactivate(team["admin"], "U0ANA", "U0BEN")
    [reply] = chat.say("note on acme: champion left", user="U0ANA")
    assert "access has been turned off by an admin" in reply.text
    [answer] = chat.command("/sales pipeline", user="U0ANA")
    assert "access has been turned off" in answer.text
    assert services.activities.list_for(team["admin"]) == []
    assert services.users.find("U0ANA").is_active is False  # still known, still inactive


def test_a_new_workspace_member_starts_as_a_rep(chat: Chat, services: Services) -> None:
    [reply] = chat.say("help", user="U0NEW")
    assert "Here's what I can do" in reply.text
    assert services.users.find("U0NEW").role == "rep"


@pytest.mark.parametrize("marks", [{"bot_id": "B0OTHER"}, {"subtype": "bot_message",
                                                          "bot_id": "B0OTHER"},
                                   {"bot_profile": {"id": "B0OTHER", "name": "Zapier"}}])
def test_other_apps_are_never_answered_nor_made_users(chat: Chat, slack: LocalSlack,
                                                      services: Services,
                                                      marks: dict[str, object]) -> None:
    for event in (
        {"type": "app_mention", "channel": "C0SALES", "user": "U0ZAPBOT",
         "text": f"<@{BOT_USER_ID}> pipeline", "ts": "1.1", "event_ts": "1.1", **marks},
        {"type": "message", "channel_type": "im", "channel": "D0ZAPBOT", "user": "U0ZAPBOT",
         "text": "note on acme: spam", "ts": "1.2", "event_ts": "1.2", **marks},
    ):
        assert chat.event(event).status == 200
    chat.absorb()
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []
    assert services.users.find("U0ZAPBOT") is None
