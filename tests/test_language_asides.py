"""Where a line holding a statement and a question is cut (`handlers.language.asides`)."""

from __future__ import annotations

import pytest

from handlers.language.asides import trailing_question


@pytest.mark.parametrize(("text", "statement", "question"), [
    ("globex is at 130k now — what's my pipeline look like?", "globex is at 130k now",
     "what's my pipeline look like?"),
    ("acme call went well, moving to proposal. what's next for them?",
     "acme call went well, moving to proposal", "what's next for them?"),
    ("hooli to needs analysis; did you log my acme call?", "hooli to needs analysis",
     "did you log my acme call?"),
    ("what's my pipeline? acme to negotiation", "acme to negotiation", "what's my pipeline?"),
    ("moved initech to proposal, any news on the hooli quote?", "moved initech to proposal",
     "any news on the hooli quote?"),
])
def test_a_statement_and_a_question_are_cut_apart(text: str, statement: str,
                                                  question: str) -> None:
    assert trailing_question(text) == (statement, question)


@pytest.mark.parametrize("text", [
    "acme is 50k now?",                           # one doubtful line, not two
    "did you log my acme call?",                  # a question alone
    "call w/ acme, they asked about pricing?",    # the clause after the break asks nothing
    "what closes this month? which are stuck?",   # two questions, no statement
    "acme to negotiation",                        # no question at all
    "huh? ok",                                    # too little to be a statement
])
def test_lines_that_are_not_a_statement_and_a_question_stay_whole(text: str) -> None:
    assert trailing_question(text) is None
