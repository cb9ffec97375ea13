"""Lines a second new team typed: a new deal said after a change to another deal (the new
one took that deal's stage, or its figures went to the old deal), a deal drawn to its stage
with an arrow, "no wait" and "haven't heard back" read as things that did not happen.
Through the real app, with the store checked."""

from __future__ import annotations

from decimal import Decimal

from bot.chat import Chat
from store.services import Services


def _deals(services: Services, book: dict[str, int]) -> dict[str, tuple[str, Decimal]]:
    return {f"{d.account_name} — {d.name}": (d.stage.name, d.amount)
            for d in services.opportunities.visible(book["ana"])}


def test_a_change_then_a_new_deal_for_them_are_two_parts_in_one_undo(
        chat: Chat, services: Services, book) -> None:
    before = _deals(services, book)
    [said] = chat.say("umbrella security to closed won; and open a new one for them, "
                      "Training, 12k, close 1/31")
    won = services.opportunities.get(book["ana"], book["umbrella"])
    assert (won.stage.name, won.amount) == ("Closed Won", before["Umbrella — Security"][1])
    assert _deals(services, book)["Umbrella — Training"] == ("Prospecting", Decimal(12000))
    assert said.controls
    chat.say("undo")
    assert _deals(services, book) == before


def test_an_opp_opened_in_words_is_a_new_deal_not_the_old_one_changed(
        chat: Chat, services: Services, book) -> None:
    before = _deals(services, book)
    chat.say("opened a migration opp for acme, 45k, Q2. also acme renewal to negotiation")
    deals = _deals(services, book)
    assert deals["Acme — Migration"][1] == Decimal(45000)
    assert deals["Acme — Renewal"] == ("Negotiation/Review", before["Acme — Renewal"][1])
    chat.say("opp for hooli called Services, 30k")
    assert _deals(services, book)["Hooli — Services"][1] == Decimal(30000)


def test_opening_an_existing_deal_creates_nothing(chat: Chat, services: Services,
                                                  book) -> None:
    before = _deals(services, book)
    chat.say("opened the acme deal card")
    assert _deals(services, book) == before


def test_a_deal_drawn_to_its_stage_with_an_arrow_moves(chat: Chat, services: Services,
                                                       book) -> None:
    chat.say("acme ->negotiaton")
    chat.say("globex → proposal, initech → value prop")
    deals = _deals(services, book)
    assert [deals[k][0] for k in ("Acme — Renewal", "Globex — Expansion",
                                  "Initech — Platform")] == [
        "Negotiation/Review", "Proposal/Price Review", "Value Proposition"]


def test_no_wait_and_heard_back_are_not_things_that_did_not_happen(
        chat: Chat, services: Services, book) -> None:
    chat.say("hooli 1.2m?? no wait 120k. call w luis, f/u thurs")
    assert _deals(services, book)["Hooli — Pilot"][1] == Decimal(120000)
    assert [a.kind for a in services.activities.list_for(book["ana"])] == ["call"]
    chat.say("wayne went dark, havent heard back in 3 wks")
    [note] = [a for a in services.activities.list_for(book["ana"]) if a.kind == "note"]
    assert note.follow_up_at is None  # three weeks gone by, not a to-do
    chat.say("no call with acme today, they cancelled")
    assert len(services.activities.list_for(book["ana"])) == 2


def test_a_later_clause_moving_a_name_nobody_has_writes_nothing(
        chat: Chat, services: Services, book) -> None:
    before = _deals(services, book)
    [said] = chat.say("log mtg w jane at globex + move zorblax expansion to negotiation")
    assert "couldn't find an account or deal called “zorblax expansion”" in said.text
    assert _deals(services, book) == before and services.activities.list_for(book["ana"]) == []
    chat.say("call w jane at globex and move the expansion to proposal")  # the deal said
    assert _deals(services, book)["Globex — Expansion"][0] == "Proposal/Price Review"


def test_a_meeting_pushed_is_not_the_deal_pushed(chat: Chat, services: Services,
                                                 book) -> None:
    close = services.opportunities.get(book["ana"], book["acme"]).close_date
    chat.say("call w acme, push our sync to thursday")
    assert services.opportunities.get(book["ana"], book["acme"]).close_date == close
