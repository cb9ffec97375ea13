"""What a rep says beside a fact changes which fact it is: the old figure before an arrow,
the figure after "no wait", two figures offered as alternatives, a call still to come in
the next step, a meeting that got pushed. Through the real app, with the store checked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.chat import Chat
from store.services import Services


def _deal(services: Services, book: dict[str, int], key: str):
    return services.opportunities.get(book["ana"], book[key])


def _activities(services: Services, book: dict[str, int]) -> list[tuple[str, str]]:
    return [(a.kind, a.subject) for a in services.activities.list_for(book["ana"])]


@pytest.mark.parametrize(("text", "amount"), [
    ("globex 120k -> 160k", 160000),
    ("globex expansion $120k → $150k, they added seats", 150000),
    ("globex from 120k to 140k", 140000),
    ("globex 1.2m?? no wait 130k", 130000),
    ("globex is 2.1m, sorry, 210k", 210000),
])
def test_the_new_figure_is_written_not_the_old_or_the_slip(
        chat: Chat, services: Services, book, text: str, amount: int) -> None:
    [reply] = chat.say(text)
    assert _deal(services, book, "globex").amount == Decimal(amount)
    assert "Undo" in [c.label for c in reply.controls]


def test_a_call_in_the_next_step_is_not_logged(chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("umbrella 75k -> 80k, next step: procurement call w legal")
    deal = _deal(services, book, "umbrella")
    assert (deal.amount, deal.next_step) == (Decimal(80000), "procurement call w legal")
    assert _activities(services, book) == []
    assert "Logged" not in reply.text


def test_a_call_that_happened_and_a_next_step_log_one_call(chat: Chat, services: Services,
                                                          book) -> None:
    chat.say("had a call with jane at globex, next step: exec demo w/ their cto")
    assert [kind for kind, _ in _activities(services, book)] == ["call"]
    assert _deal(services, book, "globex").next_step == "exec demo w/ their cto"


@pytest.mark.parametrize(("text", "asked"), [
    ("hooli is 25k… or 35k, gotta check", "25k or 35k"),
    ("globex closing eoq or maybe next quarter, 130k", "end of quarter or next quarter"),
])
def test_two_figures_offered_as_alternatives_are_asked_about(
        chat: Chat, services: Services, book, text: str, asked: str) -> None:
    before = [(d.amount, d.close_date) for d in (_deal(services, book, k)
                                                 for k in ("hooli", "globex"))]
    [reply] = chat.say(text)
    assert asked in reply.text and "Nothing was changed." in reply.text
    assert [(d.amount, d.close_date) for d in (_deal(services, book, k)
                                               for k in ("hooli", "globex"))] == before


@pytest.mark.parametrize(("text", "said"), [
    ("mtg with globex got pushed, nothing to log", "haven't logged"),
    ("didn't get to talk to jane at globex today, she was out", "didn't happen"),
    ("demo with acme got cancelled", "didn't happen"),
    ("maybe I should call initech tmrw? idk", "settled"),
    ("i'd love to move hooli pilot to negotiation someday lol", "settled"),
])
def test_what_did_not_happen_is_not_logged(chat: Chat, services: Services, book, text: str,
                                           said: str) -> None:
    before = [(d.stage.name, d.close_date) for d in (_deal(services, book, k)
                                                     for k in ("acme", "globex", "hooli"))]
    [reply] = chat.say(text)
    assert said in reply.text
    assert _activities(services, book) == []
    assert [(d.stage.name, d.close_date) for d in (_deal(services, book, k)
                                                   for k in ("acme", "globex", "hooli"))] \
        == before


def test_a_move_with_the_call_declined_moves_only(chat: Chat, services: Services,
                                                  book) -> None:
    [reply] = chat.say("initech to negotiation. the call itself isn't worth logging")
    assert _deal(services, book, "initech").stage.name == "Negotiation/Review"
    assert _activities(services, book) == []
    assert "haven't logged" in reply.text


def test_a_call_missed_beside_one_made_is_still_logged(chat: Chat, services: Services,
                                                       book) -> None:
    chat.say("couldn't reach jane at globex, left a voicemail")
    assert [kind for kind, _ in _activities(services, book)] == ["call"]


def test_a_second_deal_of_the_account_is_named_by_its_own_name(
        chat: Chat, services: Services, book) -> None:
    """"globex expansion 130k; services to proposal": the second clause's "services" is
    Globex's Services deal (a name made of a word as plain as "services" included), and a
    figure before the call in its own clause is that deal's."""
    services_deal = services.opportunities.create(book["ana"], "Services", account="Globex",
                                                  stage="Prospecting", amount=Decimal(30000))
    [reply] = chat.say("globex expansion 130k; services to proposal")
    assert "Undo" in [c.label for c in reply.controls]
    assert _deal(services, book, "globex").amount == Decimal(130000)
    moved = services.opportunities.get(book["ana"], services_deal.id)
    assert moved.stage.name == "Proposal/Price Review"
    chat.say("globex services 40k, expansion 140k — call w jane, f/u friday")
    assert services.opportunities.get(book["ana"], services_deal.id).amount == Decimal(40000)
    assert _deal(services, book, "globex").amount == Decimal(140000)
    assert [kind for kind, _ in _activities(services, book)] == ["call"]


def test_a_loss_said_as_a_move_asks_why_and_keeps_no_stage_words_as_reason(
        chat: Chat, services: Services, book) -> None:
    [asked] = chat.say("move initech to closed lost")
    assert asked.text == "Why was it lost?"
    assert _deal(services, book, "initech").stage.name == "Needs Analysis"
    chat.say("mark initech as closed lost: no budget")
    lost = _deal(services, book, "initech")
    assert (lost.stage.name, lost.lost_reason) == ("Closed Lost", "no budget")


def test_the_next_step_after_the_colon_and_the_note_after_the_topic(
        chat: Chat, services: Services, book) -> None:
    chat.say("next step on globex expansion: legal review w/ jane")
    assert _deal(services, book, "globex").next_step == "legal review w/ jane"
    chat.say("note on globex: champion left, jane is the new contact")
    assert _activities(services, book) == [("note", "Champion left, jane is the new contact")]


def test_an_email_sent_with_a_follow_up_is_an_email(chat: Chat, services: Services,
                                                    book) -> None:
    chat.say("email to jane at globex re pricing, sent quote, f/u next week")
    [email] = services.activities.list_for(book["ana"])
    assert email.kind == "email" and email.follow_up_at is not None


def test_a_part_about_an_account_the_rep_cannot_see_holds_back_the_message(
        chat: Chat, services: Services, book) -> None:
    bob = services.users.get_or_create("U0BOB", name="Bob Rep", timezone="America/New_York")
    services.accounts.create(bob.id, "Dunder Mifflin")
    services.opportunities.create(bob.id, "Expansion", account="Dunder Mifflin")
    [reply] = chat.say("call w jane at globex + move dunder mifflin expansion to negotiation")
    assert "nothing was changed" in reply.text and "Dunder Mifflin" not in reply.text
    assert _activities(services, book) == []
    assert _deal(services, book, "globex").stage.name == "Value Proposition"
