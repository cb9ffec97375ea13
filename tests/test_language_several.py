"""Several facts in one message, deal names, reopening by name, and the close-date rule
every write path shares: through the real app (signed requests, the loopback Slack) and
the store, asserting what the rep saw and what was written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.chat import Chat
from store.services import Services


def test_a_typed_close_date_in_the_past_is_refused_and_nothing_written(
        chat: Chat, services: Services, book) -> None:
    before = services.opportunities.get(book["ana"], book["globex"])
    [reply] = chat.say("globex close date 2026-10-01")
    assert "can't be in the past" in reply.text
    after = services.opportunities.get(book["ana"], book["globex"])
    assert (after.close_date, after.amount) == (before.close_date, before.amount)


def test_a_typed_past_close_date_beside_an_amount_writes_neither(
        chat: Chat, services: Services, book) -> None:
    before = services.opportunities.get(book["ana"], book["globex"])
    chat.say("globex 150k, close date 2026-10-01")
    after = services.opportunities.get(book["ana"], book["globex"])
    assert (after.close_date, after.amount) == (before.close_date, before.amount)


def test_a_new_deal_typed_with_a_past_close_date_is_not_created(
        chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("new deal for globex: fleet, 10k, closing 2019-06-30")
    assert "can't be in the past" in reply.text
    deals = services.opportunities.visible(book["ana"], open_only=False)
    assert len(deals) == 6 and not any(d.name == "Fleet" for d in deals)


def _sterling(services: Services, book, *, manager: bool) -> tuple[int, int]:
    """Sterling Cooper: an Upsell closed lost, and an open Services deal."""
    if manager:
        services.users.set_role("U0ANA", "manager")
    services.accounts.create(book["ana"], "Sterling Cooper")
    upsell = services.opportunities.create(book["ana"], "Upsell", account="Sterling Cooper",
                                           stage="Proposal/Price Review")
    services.opportunities.close(book["ana"], upsell.id, "lost", lost_reason="price")
    other = services.opportunities.create(book["ana"], "Services", account="Sterling Cooper")
    return upsell.id, other.id


@pytest.mark.parametrize("text", ["reopen sterling cooper upsell to negotiation",
                                  "sterling cooper upsell is back to negotiation",
                                  "revive the sterling cooper upsell and move it to negotiation"])
def test_reopening_names_the_closed_deal_not_the_open_one(
        chat: Chat, services: Services, book, text: str) -> None:
    upsell, other = _sterling(services, book, manager=True)
    [reply] = chat.say(text)
    assert "Upsell" in reply.text
    assert services.opportunities.get(book["ana"], upsell).stage.name == "Negotiation/Review"
    assert services.opportunities.get(book["ana"], other).stage.name == "Prospecting"


def test_a_rep_reopening_is_refused_and_the_open_deal_left_alone(
        chat: Chat, services: Services, book) -> None:
    upsell, other = _sterling(services, book, manager=False)
    [reply] = chat.say("reopen sterling cooper upsell to negotiation")
    assert "only a manager can reopen" in reply.text
    assert services.opportunities.get(book["ana"], upsell).stage.name == "Closed Lost"
    assert services.opportunities.get(book["ana"], other).stage.name == "Prospecting"


def test_a_reopen_beside_another_deal_in_one_message(chat: Chat, services: Services,
                                                    book) -> None:
    upsell, other = _sterling(services, book, manager=True)
    chat.say("reopen sterling cooper upsell to negotiation and globex to 150k")
    assert services.opportunities.get(book["ana"], upsell).stage.name == "Negotiation/Review"
    assert services.opportunities.get(book["ana"], other).stage.name == "Prospecting"


@pytest.mark.parametrize(("text", "name"), [
    ("spin up a new deal on wayne for migration, 100k", "Migration"),
    ("kick off a new opp at initech for the data platform, 40k", "Data platform"),
    ("new expansion deal for hooli, 75k", "Expansion"),
    ("new deal for umbrella: mobile seats, 30k, feb", "Mobile seats"),
])
def test_a_new_deal_is_named_by_its_name_not_by_the_verb(
        chat: Chat, services: Services, book, text: str, name: str) -> None:
    [reply] = chat.say(text)
    assert reply.text.startswith("Created"), reply.text
    names = {d.name for d in services.opportunities.visible(book["ana"])}
    assert name in names and not names & {"Spin up", "Kick", "Add"}


@pytest.mark.parametrize("text", ["new deal for hooli, 64k, feb",
                                  "new deal for hooli 64k mid march",
                                  "spin up a new deal on hooli, 64k, eoq",
                                  "new opp for hooli, 64k"])
def test_a_new_deal_said_without_a_name_asks_for_one(
        chat: Chat, services: Services, book, text: str) -> None:
    [reply] = chat.say(text)
    assert "What should the new *Hooli* deal be called?" in reply.text
    assert len(services.opportunities.visible(book["ana"])) == 6


@pytest.mark.parametrize("text", ["globex: 150k and closing sometime soon",
                                  "globex 150k, close date tbd",
                                  "globex to 150k, next step legal review, closes eventually",
                                  "globex closing soon, 150k and acme to 95k"])
def test_a_vague_close_date_asks_and_writes_nothing_else(
        chat: Chat, services: Services, book, text: str) -> None:
    before = {k: services.opportunities.get(book["ana"], book[k]) for k in ("globex", "acme")}
    [reply] = chat.say(text)
    assert "When is it expected to close?" in reply.text
    for key, was in before.items():
        now = services.opportunities.get(book["ana"], book[key])
        assert (now.amount, now.close_date, now.next_step) == (
            was.amount, was.close_date, was.next_step)


@pytest.mark.parametrize(("text", "amount", "close", "step"), [
    ("acme 120k, eoq, next step send msa", Decimal(120000), date(2026, 12, 31), "send msa"),
    ("acme is 120k now, closing jan 15 and next step: security review", Decimal(120000),
     date(2027, 1, 15), "security review"),
])
def test_several_facts_on_one_deal_are_all_written(
        chat: Chat, services: Services, book, text: str, amount: Decimal, close: date,
        step: str) -> None:
    chat.say(text)
    acme = services.opportunities.get(book["ana"], book["acme"])
    assert (acme.amount, acme.close_date, acme.next_step) == (amount, close, step)


def test_two_deals_in_one_line_are_both_written(chat: Chat, services: Services,
                                               book) -> None:
    chat.say("umbrella to 60% and wayne to 85%")
    assert services.opportunities.get(book["ana"], book["umbrella"]).probability == 60
    assert services.opportunities.get(book["ana"], book["wayne"]).probability == 85


def _names(services: Services, book) -> set[str]:
    return {d.title for d in services.opportunities.visible(book["ana"])}


def test_a_new_deal_with_a_follow_up_creates_it_and_the_task_on_it(
        chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("new opp for globex - training, 10k, f/u friday")
    assert "Created *Globex — Training*" in reply.text and "Follow-up due" in reply.text
    made = next(d for d in services.opportunities.visible(book["ana"])
                if d.title == "Globex — Training")
    assert made.amount == Decimal(10000)
    [task] = services.activities.list_for(book["ana"], opportunity_id=made.id)
    assert task.kind == "task" and task.follow_up_at is not None
    chat.click(action_id="undo")  # one Undo: the deal and its task go together
    assert "Globex — Training" not in _names(services, book)
    assert services.activities.list_for(book["ana"], opportunity_id=made.id) == []


def test_a_new_deal_and_a_call_said_together_are_both_written(
        chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("new deal for hooli: expansion 75k, closing end of q1. had a call "
                       "with their cfo today")
    assert "Created *Hooli — Expansion*" in reply.text and "logged a call" in reply.text
    made = next(d for d in services.opportunities.visible(book["ana"])
                if d.title == "Hooli — Expansion")
    assert (made.amount, made.close_date) == (Decimal(75000), date(2027, 3, 31))
    [call] = services.activities.list_for(book["ana"], opportunity_id=made.id)
    assert call.kind == "call"
    pilot = services.activities.list_for(book["ana"], opportunity_id=book["hooli"])
    assert pilot == []  # the call is the new deal's, not the pilot's


@pytest.mark.parametrize("text", [
    "new deal for acme: training 5k, and move the renewal to negotiation",
    "acme renewal to negotiation and new deal for acme: training 5k",
])
def test_a_new_deal_beside_a_move_of_another_deal_writes_both_with_one_undo(
        chat: Chat, services: Services, book, text: str) -> None:
    [reply] = chat.say(text)
    assert "Acme — Training" in reply.text and "Negotiation/Review" in reply.text
    made = next(d for d in services.opportunities.visible(book["ana"])
                if d.title == "Acme — Training")
    assert (made.amount, made.stage.name) == (Decimal(5000), "Prospecting")
    renewal = services.opportunities.get(book["ana"], book["acme"])
    assert renewal.stage.name == "Negotiation/Review"
    chat.click(action_id="undo")
    assert "Acme — Training" not in _names(services, book)
    assert services.opportunities.get(book["ana"], book["acme"]).stage.name == "Prospecting"


def test_a_new_deal_beside_an_edit_of_the_same_accounts_deal_keeps_each_amount(
        chat: Chat, services: Services, book) -> None:
    chat.say("new opp for acme - training 5k closing eoq, also acme renewal is now 90k")
    made = next(d for d in services.opportunities.visible(book["ana"])
                if d.title == "Acme — Training")
    assert (made.amount, made.close_date) == (Decimal(5000), date(2026, 12, 31))
    assert services.opportunities.get(book["ana"], book["acme"]).amount == Decimal(90000)


def test_a_new_deal_named_like_an_existing_one_creates_nothing_and_moves_nothing(
        chat: Chat, services: Services, book) -> None:
    chat.say("new deal for acme: renewal 5k, and move globex to negotiation")
    assert services.opportunities.get(book["ana"], book["globex"]).stage.name == \
        "Value Proposition"
    assert len(services.opportunities.visible(book["ana"])) == 6


def test_a_contact_who_called_is_a_call_beside_the_deal_figures(
        chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("globex: jane called, expansion 135k, closing 12/30")
    assert "Logged a call with Jane Roe" in reply.text
    globex = services.opportunities.get(book["ana"], book["globex"])
    assert (globex.amount, globex.close_date) == (Decimal(135000), date(2026, 12, 30))
    [call] = services.activities.list_for(book["ana"], opportunity_id=book["globex"])
    assert call.kind == "call" and call.contact_id is not None


def test_a_month_said_alone_beside_an_amount_is_the_close_date(
        chat: Chat, services: Services, book) -> None:
    chat.say("globex pushed to feb, 110k")
    globex = services.opportunities.get(book["ana"], book["globex"])
    assert (globex.amount, globex.close_date) == (Decimal(110000), date(2027, 2, 28))


def test_a_move_to_the_stage_a_deal_is_in_is_said_beside_the_rest(
        chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("umbrella discount approved internally, moving to negotiation, 140k")
    assert "already in *Negotiation/Review*" in reply.text
    assert services.opportunities.get(book["ana"], book["umbrella"]).amount == Decimal(140000)


def test_a_comma_and_opens_the_next_deals_clause(chat: Chat, services: Services,
                                                 book) -> None:
    chat.say("logged a call w hooli, and initech moved to proposal")
    assert services.opportunities.get(book["ana"], book["hooli"]).stage.name == "Prospecting"
    assert services.opportunities.get(book["ana"], book["initech"]).stage.name == \
        "Proposal/Price Review"
    [call] = services.activities.list_for(book["ana"], opportunity_id=book["hooli"])
    assert call.kind == "call"
    assert services.activities.list_for(book["ana"], opportunity_id=book["initech"]) == []


def test_a_move_with_a_follow_up_is_no_snooze(chat: Chat, services: Services, book) -> None:
    chat.say("initech to proposal + f/u thurs")
    assert services.opportunities.get(book["ana"], book["initech"]).stage.name == \
        "Proposal/Price Review"
    [task] = services.activities.list_for(book["ana"], opportunity_id=book["initech"])
    assert task.follow_up_at is not None


@pytest.mark.parametrize("text", ["send globex the contract tmrw",
                                  "globex closing jan 29, send contract tmrw",
                                  "globex close date 1/29 f/u tmrw"])
def test_a_task_for_tomorrow_is_not_the_close_date(chat: Chat, services: Services, book,
                                                   clock, text: str) -> None:
    before = services.opportunities.get(book["ana"], book["globex"]).close_date
    chat.say(text)
    globex = services.opportunities.get(book["ana"], book["globex"])
    assert globex.close_date == (date(2027, 1, 29) if "29" in text else before)
    [task] = services.activities.list_for(book["ana"], opportunity_id=book["globex"])
    tomorrow = clock.now().date() + timedelta(days=1)
    assert task.follow_up_at is not None and task.follow_up_at.date() == tomorrow


def test_a_figure_in_a_clause_of_its_own_is_the_amount_beside_a_call(
        chat: Chat, services: Services, book) -> None:
    chat.say("globex: sent proposal, 125k, they want to close before xmas")
    assert services.opportunities.get(book["ana"], book["globex"]).amount == Decimal(125000)
    [email] = services.activities.list_for(book["ana"], opportunity_id=book["globex"])
    assert email.kind == "email"


@pytest.mark.parametrize("text", ["globex is at 130k now — what's my pipeline look like?",
                                  "what's my pipeline? globex is at 130k now"])
def test_a_fact_beside_a_question_is_written_and_the_question_answered(
        chat: Chat, services: Services, book, text: str) -> None:
    [reply] = chat.say(text)
    assert "Updated *Globex — Expansion*" in reply.text and "Pipeline" in reply.text
    assert services.opportunities.get(book["ana"], book["globex"]).amount == Decimal(130000)


@pytest.mark.parametrize("text", ["globex is at 130k now?", "did you move globex to 130k?"])
def test_a_line_that_is_only_a_question_still_writes_nothing(
        chat: Chat, services: Services, book, text: str) -> None:
    chat.say(text)
    assert services.opportunities.get(book["ana"], book["globex"]).amount == Decimal(120000)


def test_two_accounts_that_cannot_be_told_apart_are_asked_about_by_name(
        chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("hooli wants a demo next week; umbrella legal is reviewing")
    assert "Which account do you mean?" in reply.text
    assert "couldn't find" not in reply.text
    assert services.activities.list_for(book["ana"]) == []


@pytest.mark.parametrize("text", ["hooli pilot: stage needs analysis, amt 30k",
                                  "hooli pilot: needs analysis, 30k",
                                  "hooli - needs analysis - 30k"])
def test_a_stage_said_in_a_clause_of_its_own_is_a_move_beside_the_amount(
        chat: Chat, services: Services, book, text: str) -> None:
    chat.say(text)
    hooli = services.opportunities.get(book["ana"], book["hooli"])
    assert (hooli.stage.name, hooli.amount) == ("Needs Analysis", Decimal(30000))


def test_advancing_with_a_follow_up_moves_and_adds_the_task(
        chat: Chat, services: Services, book) -> None:
    chat.say("advance initech to the next stage, f/u monday")
    assert services.opportunities.get(book["ana"], book["initech"]).stage.name == \
        "Value Proposition"
    [task] = services.activities.list_for(book["ana"], opportunity_id=book["initech"])
    assert task.follow_up_at is not None


def test_a_task_is_headed_by_what_is_to_be_done(chat: Chat, services: Services,
                                                book) -> None:
    [reply] = chat.say("call globex tmrw")
    assert "“Call Globex”" in reply.text
    [task] = services.activities.list_for(book["ana"], opportunity_id=book["globex"])
    assert task.subject == "Call Globex"


def test_a_day_that_has_come_is_when_it_happened_not_a_follow_up(
        chat: Chat, services: Services, book) -> None:
    chat.say("msa sent to globex today")
    [email] = services.activities.list_for(book["ana"], opportunity_id=book["globex"])
    assert email.kind == "email" and email.follow_up_at is None


@pytest.mark.parametrize(("text", "said"), [
    ("move acme to negotiation. don't log the rest, it's personal",
     "I haven't logged the rest"),
    ("called acme, don't move them to negotiation yet", "I haven't moved it"),
])
def test_a_fact_before_a_decline_is_written_and_the_declined_part_is_not(
        chat: Chat, services: Services, book, text: str, said: str) -> None:
    [reply] = chat.say(text)
    assert said in reply.text
    acme = services.opportunities.get(book["ana"], book["acme"])
    logged = services.activities.list_for(book["ana"], opportunity_id=book["acme"])
    if text.startswith("move"):
        assert acme.stage.name == "Negotiation/Review" and logged == []
    else:
        assert acme.stage.name == "Prospecting" and [a.kind for a in logged] == ["call"]


def test_a_decline_that_opens_the_message_declines_all_of_it(
        chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("don't log this but hooli is at 30k")
    assert "haven't logged it" in reply.text
    assert services.opportunities.get(book["ana"], book["hooli"]).amount == Decimal(20000)


def test_a_cut_by_a_percentage_is_no_probability(chat: Chat, services: Services,
                                                 book) -> None:
    before = services.opportunities.get(book["ana"], book["hooli"]).probability
    chat.say("FYI hooli budget cut by 25%")
    assert services.opportunities.get(book["ana"], book["hooli"]).probability == before


@pytest.mark.parametrize(("text", "reason"), [
    ("initech to value prop and hooli is lost, no budget", "no budget"),
    ("hooli pilot: we lost it, pricing", "pricing"),
    ("hooli lost to a competitor", "to a competitor"),
])
def test_the_reason_said_after_a_loss_is_kept(chat: Chat, services: Services, book,
                                             text: str, reason: str) -> None:
    chat.say(text)
    hooli = services.opportunities.get(book["ana"], book["hooli"])
    assert (hooli.stage.name, hooli.lost_reason) == ("Closed Lost", reason)


def test_a_loss_said_without_a_reason_asks_for_it(chat: Chat, services: Services,
                                                 book) -> None:
    [reply] = chat.say("we lost the hooli pilot")
    assert "Why was" in reply.text
    assert services.opportunities.get(book["ana"], book["hooli"]).stage.name == "Prospecting"


def test_a_line_about_one_customer_it_cannot_act_on_is_offered_as_a_note(
        chat: Chat, services: Services, book) -> None:
    [offer] = chat.say("umbrella legal is reviewing")
    assert "nothing was changed" in offer.text and "note on *Umbrella*" in offer.text
    assert services.activities.list_for(book["ana"]) == []
    chat.click(action_id="choose_0")
    [note] = services.activities.list_for(book["ana"])
    assert note.kind == "note" and note.subject == "Umbrella legal is reviewing"
    assert note.opportunity_id == book["umbrella"]


def test_declining_the_note_offer_writes_nothing(chat: Chat, services: Services,
                                                 book) -> None:
    chat.say("wish initech would sign already")
    chat.click(action_id="choose_none")
    assert services.activities.list_for(book["ana"]) == []


def test_a_month_said_alone_before_a_probability_is_the_close_date(
        chat: Chat, services: Services, book) -> None:
    chat.say("globex: 60k, close march, 50%")
    globex = services.opportunities.get(book["ana"], book["globex"])
    assert (globex.amount, globex.close_date, globex.probability) == (
        Decimal(60000), date(2027, 3, 31), 50)


@pytest.mark.parametrize(("text", "amount"), [("bump globex by 5k", 125000),
                                              ("slashed globex by 6k", 114000),
                                              ("bump globex to 150k", 150000)])
def test_a_bump_by_a_figure_changes_the_amount_by_it(chat: Chat, services: Services, book,
                                                      text: str, amount: int) -> None:
    chat.say(text)
    assert services.opportunities.get(book["ana"], book["globex"]).amount == Decimal(amount)


def test_a_day_inside_the_next_step_is_not_the_close_date(chat: Chat, services: Services,
                                                          book) -> None:
    before = services.opportunities.get(book["ana"], book["hooli"]).close_date
    chat.say("hooli next step send pricing friday")
    hooli = services.opportunities.get(book["ana"], book["hooli"])
    assert (hooli.next_step, hooli.close_date) == ("send pricing friday", before)
