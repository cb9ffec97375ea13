"""The grammar of free text, without Slack or a database."""

import pytest

from handlers.conversation.slash_command import command_intent
from handlers.language.intents import Intent, parse


@pytest.mark.parametrize(("text", "expected"), [
    ("logged a call with acme, they want pricing by friday",
     Intent("log", "", kind="call", target="acme", detail="they want pricing by friday")),
    ("met with Jane from Globex about the expansion",
     Intent("log", "", kind="meeting", target="Jane from Globex", detail="the expansion")),
    ("note on hooli: champion left",
     Intent("log", "", kind="note", target="hooli", detail="champion left")),
    ("move the globex expansion to negotiation",
     Intent("move", "", target="the globex expansion", stage="negotiation")),
    ("initech is now in proposal", Intent("move", "", target="initech", stage="proposal")),
    ("we lost umbrella, they went with a competitor",
     Intent("lost", "", target="umbrella", detail="they went with a competitor")),
    ("closed won on wayne!", Intent("won", "", target="wayne")),
    ("advance acme renewal", Intent("advance", "", target="acme renewal")),
    ("what's next for globex?", Intent("show", "", target="globex")),
    ("<@U0SALESBOT> my follow-ups", Intent("followups", "")),
    ("new deal for acme: expansion 50k", Intent("create", "", target="acme",
                                                detail="expansion 50k")),
    ("help", Intent("help", "")),
    ("how about lunch", Intent("unknown", "")),
])
def test_parse(text: str, expected: Intent) -> None:
    got = parse(text)
    assert (got.name, got.kind, got.target, got.stage, got.detail) == (
        expected.name, expected.kind, expected.target, expected.stage, expected.detail)


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
    from handlers.language.intents import MAX_MESSAGE_CHARS

    at_limit = "note on acme: " + "x" * (MAX_MESSAGE_CHARS - 14)
    assert parse(at_limit).name == "log"
    assert parse(f"<@UBOT> {at_limit}", "UBOT").name == "log"  # the mention doesn't count
    over = at_limit + "x"
    for intent in (parse(over), parse(f"<@UBOT> {over}", "UBOT"), command_intent(over)):
        assert (intent.name, intent.detail) == ("too_long", str(MAX_MESSAGE_CHARS + 1))
        assert len(intent.text) <= 100
