"""A question, a "don't", a "might" never writes; a year is not an amount; a close date said
as a period is its last day. First the language layer alone, then through the real app with
the store checked for what it holds afterwards."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.chat import Chat
from handlers.language.spotting import Gazetteer, Known
from handlers.language.stage_words import stage_known
from handlers.language.understanding import understand
from store.services import Services

NOW = datetime(2026, 12, 2, 15, tzinfo=UTC)  # a Wednesday in December


@pytest.fixture(scope="module")
def names() -> Gazetteer:
    known = [Known("account", i, n) for i, n in enumerate(
        ["Acme", "Globex", "Initech", "Hooli"], start=1)]
    known += [stage_known(20 + i, n, is_won=n == "Closed Won", is_lost=n == "Closed Lost")
              for i, n in enumerate(["Prospecting", "Proposal", "Negotiation", "Closed Won",
                                     "Closed Lost"])]
    known += [Known("deal", 30, "Hooli Pilot", scope=4, own_name="Pilot")]
    known += [Known("contact", 40, "Ken Adams", scope=1, first_name_ok=True)]
    known += [Known("contact", 41, "Jane Roe", scope=2, first_name_ok=True)]
    return Gazetteer(known)


def _plan(text: str, names: Gazetteer):
    return understand(text, names, NOW, "UTC").plan


@pytest.mark.parametrize("text", [
    "did you log my acme call?",
    "have I logged the globex meeting yet?",
    "did I already move initech?",
    "did i log the call w/ ken",
    "is hooli pilot in negotiation?",
    "should we move globex to proposal?",
])
def test_a_question_never_writes(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert plan.intent == "question" and not plan.writes and plan.question is not None


@pytest.mark.parametrize("text", ["had a call with acme", "did a demo w/ globex, went great",
                                  "can you move acme to proposal?"])
def test_statements_and_requests_still_write(names: Gazetteer, text: str) -> None:
    assert _plan(text, names).writes


@pytest.mark.parametrize(("text", "said"), [
    ("pls don't log this but hooli's CTO is leaving", "haven't logged"),
    ("not logging this, just fyi globex is reorganising", "haven't logged"),
    ("don't move acme yet", "haven't moved"),
    ("do not move globex to negotiation", "haven't moved"),
    ("off the record: initech is being acquired", "haven't logged"),
    ("no need to log it, acme says hi", "haven't logged"),
])
def test_a_rep_who_says_dont_gets_nothing_written(names: Gazetteer, text: str,
                                                  said: str) -> None:
    plan = _plan(text, names)
    assert not plan.writes and any(said in r for r in plan.refusals)


@pytest.mark.parametrize("text", ["had a call with acme, they don't want to log in to the portal",
                                  "don't forget to call acme tmrw"])
def test_a_dont_that_is_not_said_to_the_bot_is_no_refusal(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert not plan.refusals and plan.writes


@pytest.mark.parametrize(("text", "stage"), [
    ("might move globex to negotiation friday", "Negotiation"),
    ("we will move acme to proposal once legal signs", "Proposal"),
    ("maybe move hooli pilot to proposal", "Proposal"),
])
def test_a_hedged_move_moves_nothing(names: Gazetteer, text: str, stage: str) -> None:
    plan = _plan(text, names)
    assert not plan.writes and plan.stage is None
    assert any(f"to {stage}`" in r for r in plan.refusals)


@pytest.mark.parametrize(("text", "day"), [
    ("I'll probably call acme tomorrow", date(2026, 12, 3)),
    ("gonna ping ken next week", date(2026, 12, 7)),
    ("don't forget to call acme tmrw", date(2026, 12, 3)),
])
def test_a_call_still_to_make_is_a_follow_up_not_a_logged_call(names: Gazetteer, text: str,
                                                               day: date) -> None:
    plan = _plan(text, names)
    assert plan.activity is not None and plan.activity.kind == "task"
    assert plan.activity.follow_up == day and plan.stage is None


@pytest.mark.parametrize("text", ["planning to email jane", "going to email jane at globex"])
def test_an_email_still_to_send_with_no_day_is_not_logged(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert not plan.writes
    assert any("Nothing logged" in r and "email jane roe friday" in r for r in plan.refusals)


def test_a_hedge_that_is_not_the_verb_leaves_the_call_logged(names: Gazetteer) -> None:
    plan = _plan("had a great call w/ acme, they said they'll expand next year", names)
    assert plan.writes and plan.activity is not None and plan.activity.kind == "call"


@pytest.mark.parametrize("text", ["lost the hooli pilot - no budget till 2028",
                                  "hooli pilot budget frozen until 2027",
                                  "hooli pilot: they want to expand in 2027",
                                  "hooli pilot on hold for 2027"])
def test_a_year_is_not_an_amount(names: Gazetteer, text: str) -> None:
    plan = _plan(text, names)
    assert plan.edits.amount is None and (plan.new_deal is None or plan.new_deal.amount is None)


def test_a_loss_said_with_a_year_is_a_loss(names: Gazetteer) -> None:
    plan = _plan("lost the hooli pilot - no budget till 2028", names)
    assert plan.stage is not None and plan.stage.name == "Closed Lost"


@pytest.mark.parametrize(("text", "amount"), [("hooli pilot is now 120k", 120_000),
                                              ("hooli pilot is now $2028", 2028),
                                              ("hooli pilot is now 2,500", 2500)])
def test_real_amounts_still_read(names: Gazetteer, text: str, amount: int) -> None:
    assert _plan(text, names).edits.amount == Decimal(amount)


@pytest.mark.parametrize(("text", "closes"), [
    ("pushed hooli pilot to next qtr", date(2027, 3, 31)),
    ("slip hooli pilot to next month", date(2027, 1, 31)),
    ("push hooli pilot to Q2", date(2027, 6, 30)),
    ("hooli pilot closing next week", date(2026, 12, 11)),
    ("hooli pilot closing next quarter", date(2027, 3, 31)),
])
def test_a_close_date_said_as_a_period_is_its_last_day(names: Gazetteer, text: str,
                                                       closes: date) -> None:
    assert _plan(text, names).edits.close_date == closes


def test_a_follow_up_said_as_a_period_is_its_first_day(names: Gazetteer) -> None:
    plan = _plan("call w/ acme, f/u next month", names)
    assert plan.activity is not None and plan.activity.follow_up == date(2027, 1, 1)


# -- through the app ---------------------------------------------------------------------
def _everything(services: Services, book: dict[str, int]) -> tuple:
    """What the store holds of Ana's book: her activities and every deal's stage, amount
    and close date."""
    ana = book["ana"]
    activities = [(a.kind, a.subject) for a in services.activities.list_for(ana)]
    deals = [(d.stage.name, d.amount, d.close_date) for d in (
        services.opportunities.get(ana, book[k]) for k in ("acme", "globex", "hooli"))]
    return activities, deals


@pytest.mark.parametrize(("text", "said"), [
    ("did you log my acme call?", "Acme"),
    ("pls don't log this but hooli's CTO is leaving", "haven't logged"),
    ("don't move acme yet", "haven't moved"),
    ("might move globex to negotiation friday", "Not moved"),
    ("planning to email jane", "Nothing logged"),
])
def test_nothing_is_written_through_the_app(chat: Chat, services: Services, book, text: str,
                                            said: str) -> None:
    before = _everything(services, book)
    [reply] = chat.say(text)
    assert said in reply.text
    assert _everything(services, book) == before


def test_a_year_through_the_app_leaves_the_amount(chat: Chat, services: Services,
                                                  book) -> None:
    chat.say("hooli pilot budget frozen until 2027")
    assert services.opportunities.get(book["ana"], book["hooli"]).amount == Decimal(20000)


def test_a_push_to_next_quarter_through_the_app(chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("pushed the hooli pilot to next qtr")  # said on Mon 23 Nov 2026
    assert "Undo" in [c.label for c in reply.controls]
    assert services.opportunities.get(book["ana"], book["hooli"]).close_date == date(2027, 3,
                                                                                       31)


@pytest.mark.parametrize("text", [
    "if globex signs this week move them to closed won",
    "once legal approves, bump globex to 95k",
    "move globex to closed won if they sign",
    "in case globex slips, closing date would be jan 30",
    "would've been nice to close globex at 250k",
    "not sure if globex is at 90k or 95k",
    "globex to negotiation lol jk",
])
def test_a_condition_a_might_have_been_or_a_joke_writes_nothing(
        chat: Chat, services: Services, book, text: str) -> None:
    before = services.opportunities.get(book["ana"], book["globex"])
    [reply] = chat.say(text)
    assert "Nothing was changed." in reply.text
    after = services.opportunities.get(book["ana"], book["globex"])
    assert (after.stage.name, after.amount, after.close_date) == (
        before.stage.name, before.amount, before.close_date)


@pytest.mark.parametrize("text", ["call w/ globex, asked if we support sso",
                                  "once again called globex, no answer"])
def test_if_as_whether_and_once_again_are_facts(chat: Chat, services: Services, book,
                                                text: str) -> None:
    chat.say(text)
    [call] = services.activities.list_for(book["ana"], opportunity_id=book["globex"])
    assert call.kind == "call"
