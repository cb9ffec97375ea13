"""Where a line holding a statement and a question is cut (`handlers.language.asides`)."""

from __future__ import annotations

import pytest

from handlers.language.asides import declined_rest, trailing_question


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


@pytest.mark.parametrize(("text", "statement", "reply"), [
    ("move acme to negotiation. don't log the rest, it's personal",
     "move acme to negotiation", "OK, I haven't logged the rest."),
    ("acme renewal at 95k, no need to log the call", "acme renewal at 95k",
     "OK, I haven't logged the rest."),
    ("called acme, don't move them to negotiation yet", "called acme",
     "OK, I haven't moved it."),
])
def test_a_statement_then_a_decline_is_cut_before_the_decline(text: str, statement: str,
                                                              reply: str) -> None:
    assert declined_rest(text) == (statement, reply)


@pytest.mark.parametrize("text", ["don't log this but hooli's cto is leaving",
                                  "pls dont log this",
                                  "they don't want to log in to the portal"])
def test_a_decline_that_opens_the_line_or_is_someone_elses_is_not_cut(text: str) -> None:
    assert declined_rest(text) is None
