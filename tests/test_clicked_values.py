"""What a button carries is read in one place each: an intent by `Intent.from_dict` (its
types too), numbers by `clicked_numbers`; a forged value is answered in words, and the
words are English ("An account needs a name.")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.chat import Chat, Message
from handlers.language.intents import Intent
from store.schemas import UserView
from store.services import Services

STALE = "can't be read any more"


def _forge_button(message: Message, action_id: str, value: dict[str, Any]) -> None:
    """Turn the message's first button into `action_id` carrying `value`, as a forger would."""
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                element["action_id"], element["value"] = action_id, json.dumps(value)
                return
    raise AssertionError("no button to forge")


def test_intent_from_dict_reads_what_to_dict_wrote_and_refuses_other_types() -> None:
    intent = Intent("log", "note on acme: x", kind="note", target="acme", detail="x")
    assert Intent.from_dict({**intent.to_dict(), "extra": [1]}) == intent
    for forged in ({"name": 5, "text": "x"}, {"name": "log"}, {"name": "log", "text": "x",
                                                              "target": ["acme"]},
                   {"name": "log", "text": "x", "stage": {"id": 1}}, ["log", "x"], None):
        with pytest.raises(ValueError):
            Intent.from_dict(forged)


@pytest.mark.parametrize(("action_id", "value"), [
    ("choose_1", {"i": {"name": "log", "text": "x", "target": ["acme"]}, "account": 1}),
    ("account_new", {"i": {"name": "new_deal", "text": "x", "detail": 7}, "name": "Evil"}),
    ("kb_more", {"q": "pricing", "page": "2; drop"}),
    ("kb_more", {"q": None, "page": 2}),
])
def test_a_forged_value_is_a_stale_button(chat: Chat, services: Services, rep: UserView,
                                          action_id: str, value: dict[str, Any]) -> None:
    [card] = chat.say("new deal for nosuchco: pilot", user="UR")
    _forge_button(card, action_id, value)
    accounts = len(services.accounts.visible(rep.id))
    chat.click(action_id=action_id, user="UR")
    assert STALE in chat.transcript[-1].render()
    assert len(services.accounts.visible(rep.id)) == accounts


def test_a_blank_account_name_is_refused_in_english(chat: Chat, services: Services,
                                                   rep: UserView) -> None:
    [card] = chat.say("new deal for nosuchco: pilot", user="UR")
    _forge_button(card, "account_new", {"i": {"name": "new_deal", "text": "x"}, "name": " "})
    chat.click(action_id="account_new", user="UR")
    assert "An account needs a name." in chat.transcript[-1].render()
    assert [a.name for a in services.accounts.visible(rep.id)] == ["Acme"]
