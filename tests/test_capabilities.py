"""`help` and the README list what the bot understands from one table; every example in it
is read by the parser as the table says, so neither can promise what the bot can't do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from handlers.language.asides import declined_rest, trailing_question
from handlers.language.capabilities import CAPABILITIES, help_text, readme_table
from handlers.language.spotting import Gazetteer, Known
from handlers.language.stage_words import stage_known
from handlers.language.understanding import understand
from handlers.slack.blocks import help_blocks

NOW = datetime(2026, 12, 2, 15, tzinfo=UTC)
NAMES = Gazetteer([
    *(Known("account", i, n) for i, n in enumerate(
        ["Acme", "Globex", "Initech", "Hooli", "Umbrella", "Wayne Enterprises"], start=1)),
    Known("contact", 10, "Jane Roe", scope=2, first_name_ok=True),
    Known("user", 20, "Dana Kim", first_name_ok=True),
    Known("deal", 30, "Acme Renewal", scope=1, own_name="Renewal"),
    *(stage_known(40 + i, n, is_won=n == "Closed Won", is_lost=n == "Closed Lost")
      for i, n in enumerate(["Prospecting", "Needs Analysis", "Value Proposition",
                             "Proposal/Price Review", "Negotiation/Review", "Closed Won",
                             "Closed Lost"])),
])


_QUESTION_AS = {"kb": "kb", "forecast": "forecast", "quota": "forecast",
                "followups": "followups"}


def read_as(text: str) -> str:
    """How the language layer files `text` (as `Conversation.answer_text` reads it): the
    plan's intent, a question by the turn that answers it, a deal given to someone as an
    edit, a new deal as a create whatever is said with it."""
    split = trailing_question(text) or declined_rest(text)
    if split is not None and understand(split[0], NAMES, NOW, "UTC").plan.writes:
        return "aside"  # a fact with a question or a decline: each part answered
    plan = understand(text, NAMES, NOW, "UTC").plan
    if plan.new_deal is not None:
        return "create"  # with what was said beside it ("…, f/u friday")
    if plan.intent == "question" and plan.question is not None:
        return _QUESTION_AS.get(plan.question.kind, "question")
    return "edit" if plan.intent == "owner" else plan.intent


@pytest.mark.parametrize(("example", "reads_as"), [
    (example, row.reads_as) for row in CAPABILITIES for example in row.examples])
def test_every_example_is_understood_as_listed(example: str, reads_as: str) -> None:
    assert read_as(example) == reads_as


def test_help_and_readme_come_from_the_table() -> None:
    assert help_blocks()[0]["text"]["text"] == help_text()
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert readme_table() in readme
