"""Free text read without Slack or a database, and the `/sales` sub-command grammar."""

from datetime import UTC, datetime

import pytest

from handlers.conversation.slash_command import command_intent
from handlers.language.intents import MAX_MESSAGE_CHARS, strip_mention, too_long
from handlers.language.spotting import Gazetteer, Known
from handlers.language.stage_words import stage_known
from handlers.language.understanding import understand

NOW = datetime(2026, 12, 2, 15, tzinfo=UTC)
NAMES = Gazetteer([
    *(Known("account", i, n) for i, n in enumerate(
        ["Acme", "Globex", "Initech", "Hooli", "Umbrella", "Wayne Enterprises"], start=1)),
    Known("contact", 10, "Jane Roe", scope=2, first_name_ok=True),
    Known("deal", 30, "Acme Renewal", scope=1, own_name="Renewal"),
    Known("deal", 31, "Globex Expansion", scope=2, own_name="Expansion"),
    *(stage_known(40 + i, n, is_won=n == "Closed Won", is_lost=n == "Closed Lost")
      for i, n in enumerate(["Prospecting", "Needs Analysis", "Value Proposition",
                             "Proposal/Price Review", "Negotiation/Review", "Closed Won",
                             "Closed Lost"])),
])


@pytest.mark.parametrize(("text", "intent", "subject"), [
    ("logged a call with acme, they want pricing by friday", "log", "Acme"),
    ("met with Jane from Globex about the expansion", "log", None),
    ("note on hooli: champion left", "log", "Hooli"),
    ("move the globex expansion to negotiation", "move", "Globex Expansion"),
    ("initech is now in proposal", "move", "Initech"),
    ("we lost umbrella, they went with a competitor", "move", "Umbrella"),
    ("closed won on wayne!", "move", "Wayne Enterprises"),
    ("advance acme renewal", "move", "Acme Renewal"),
    ("what's next for globex?", "question", None),
    ("<@U0SALESBOT> my follow-ups", "followups", None),
    ("new deal for acme: expansion 50k", "create", "Acme"),
    ("lead: jane doe, foo corp, jane@foo.com", "lead", None),
    ("help", "help", None),
    ("how about lunch", "question", None),
])
def test_the_language_layer_reads_what_the_old_grammar_did(text: str, intent: str,
                                                             subject: str | None) -> None:
    """The sentence shapes the old whole-sentence grammar knew, read by evidence now."""
    plan = understand(strip_mention(text, "U0SALESBOT"), NAMES, NOW, "UTC").plan
    assert plan.intent == intent
    if subject is not None:
        named = plan.deal or plan.account
        assert named is not None and named.name == subject
    assert not plan.writes or intent in ("log", "move", "create", "lead")


@pytest.mark.parametrize(("text", "name", "target", "stage"), [
    ('move "Acme renewal" negotiation', "move", "Acme renewal", "negotiation"),
    ("move acme renewal to negotiation", "move", "acme renewal", "negotiation"),
    ("deal Acme", "show", "Acme", None),
    ("followups", "followups", None, None),
    ("", "help", None, None),
])
def test_slash_grammar(text: str, name: str, target: str | None, stage: str | None) -> None:
    intent = command_intent(text)
    assert (intent.name, intent.target, intent.stage) == (name, target, stage)


def test_slash_log() -> None:
    intent = command_intent("log call Acme: asked for a quote")
    assert (intent.kind, intent.target, intent.detail) == ("call", "Acme", "asked for a quote")


def test_a_message_over_the_limit_is_not_read() -> None:
    at_limit = "note on acme: " + "x" * (MAX_MESSAGE_CHARS - 14)
    assert too_long(at_limit) is None
    assert too_long(strip_mention(f"<@UBOT> {at_limit}", "UBOT")) is None  # not counted
    over = at_limit + "x"
    for intent in (too_long(over), too_long(strip_mention(f"<@UBOT> {over}", "UBOT")),
                   command_intent(over)):
        assert intent is not None
        assert (intent.name, intent.detail) == ("too_long", str(MAX_MESSAGE_CHARS + 1))
        assert len(intent.text) <= 100
