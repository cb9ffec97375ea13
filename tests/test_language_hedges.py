"""The language layer alone, on messages that must not be read as the write they resemble:
a question about a quote, a figure out of range, a stage or role the team does not have, a
close date already gone; and the ways a follow-up is finished without the word "done"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.language.spotting import Gazetteer, Known
from handlers.language.stage_words import stage_known
from handlers.language.understanding import understand

NOW = datetime(2026, 12, 2, 15, tzinfo=UTC)  # a Wednesday


@pytest.fixture(scope="module")
def names() -> Gazetteer:
    known = [Known("account", i, n) for i, n in enumerate(
        ["Acme", "Globex", "Initech", "Soylent"], start=1)]
    known += [stage_known(20 + i, n, is_won=n == "Closed Won", is_lost=n == "Closed Lost")
              for i, n in enumerate(["Prospecting", "Negotiation/Review", "Closed Won",
                                     "Closed Lost"])]
    known += [Known("deal", 30, "Soylent Supply", scope=4, own_name="Supply")]
    known += [Known("user", 40, "Robin Park", first_name_ok=True)]
    return Gazetteer(known)


def _plan(text: str, names: Gazetteer):
    return understand(text, names, NOW, "UTC").plan


@pytest.mark.parametrize("text", ["has anyone approved Q-2026-0042 yet",
                                  "who rejected q-2026-0042?",
                                  "was Q-2026-0042 sent"])
def test_a_question_about_a_quote_only_shows_it(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert plan.intent == "quote" and plan.command is not None
    assert plan.command.args["action"] == "show"


def test_a_probability_past_100_is_refused(names: Gazetteer) -> None:
    plan = _plan("soylent odds 4000", names)
    assert not plan.writes
    assert any("probability" in r.lower() for r in plan.refusals)
    assert _plan("soylent odds 40", names).edits.probability == 40


@pytest.mark.parametrize("text", ["tick off soylent", "cross off the globex one",
                                  "clear the initech reminder", "globex replied, dismiss the task"])
def test_a_follow_up_finished_without_done(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert plan.intent == "done" and plan.account is not None and not plan.asks


def test_closing_a_deal_is_not_finishing_a_follow_up(names: Gazetteer) -> None:
    assert _plan("close the soylent supply deal as won", names).intent != "done"


def test_a_word_one_slip_from_a_name_gives_way_to_an_exact_name(names: Gazetteer) -> None:
    plan = _plan("initech came back, clear the follow up", names)  # "came" is near "acme"
    assert plan.account is not None and plan.account.name == "Initech" and not plan.asks


@pytest.mark.parametrize("text", ["make robin a ceo", "make me an overlord"])
def test_an_unknown_role_is_asked_about(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert plan.intent == "role" and not plan.writes
    assert plan.command is not None and plan.command.args["role"] is None


def test_a_known_role_is_still_a_role_change(names: Gazetteer) -> None:
    plan = _plan("make robin a manager", names)
    assert plan.intent == "role" and plan.writes


@pytest.mark.parametrize("text", ["move soylent supply to legal hold",
                                  "moving globex into phase 3"])
def test_a_move_to_a_stage_the_team_lacks_is_asked_about(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert not plan.writes and any("Which stage" in r for r in plan.refusals)


def test_a_move_to_a_known_stage_or_a_day_is_not_refused(names: Gazetteer) -> None:
    assert _plan("move soylent supply to negotiation", names).writes
    assert not _plan("moved the globex call to friday", names).refusals


@pytest.mark.parametrize("text", ["soylent supply close date 2001-05-04",
                                  "new deal for globex: fleet, 10k, closing 2019-06-30"])
def test_a_close_date_already_past_is_refused(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert not plan.writes and any("past" in r for r in plan.refusals)


def test_a_won_deal_keeps_the_day_it_closed(names: Gazetteer) -> None:
    plan = _plan("soylent supply closed won, close date 2026-11-30", names)
    assert not any("past" in r for r in plan.refusals)


@pytest.mark.parametrize("text", ["undo twice", "undo the last 3", "undo all of it"])
def test_undo_of_more_than_the_last_change_is_asked(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert plan.intent == "undo" and plan.asks


def test_undo_alone_has_nothing_to_ask(names: Gazetteer) -> None:
    assert not _plan("undo that", names).asks


@pytest.mark.parametrize("text", ["globex amount: tbd", "soylent supply value is unknown"])
def test_an_amount_said_in_words_is_asked_for(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert not plan.writes and any("What amount" in r for r in plan.refusals)


def test_an_amount_in_figures_or_in_passing_is_not_asked(names: Gazetteer) -> None:
    assert _plan("globex amount: 40k", names).writes
    assert not _plan("call with globex about the amount", names).refusals


def test_to_the_next_stage_is_a_move_without_advance(names: Gazetteer) -> None:
    plan = _plan("shift soylent supply to the next stage", names)
    assert plan.intent == "move" and plan.stage is not None and plan.writes
    assert _plan("call with globex, next step: plan the next stage", names).stage is None
