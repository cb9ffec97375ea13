"""Several facts in one message, deal names, reopening by name, and the close-date rule
every write path shares: through the real app (signed requests, the loopback Slack) and
the store, asserting what the rep saw and what was written."""

from __future__ import annotations

from datetime import date
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
