"""A command and deal facts in one line are one action: "done w the wayne follow up - close
date 12/15" finishes the follow-up and moves the close date in one transaction with one
Undo (it used to finish the follow-up and drop the date without a word); "approve Q-… and
Q-…" decides both or neither. Through signed requests, with the store checked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.chat import Chat
from store.services import Services
from store.services.quotes.lines import LineSpec
from tests.test_approvals_slack import team  # noqa: F401  (the fixture)


def add_quote(services: Services, people: dict[str, int], *, discount: str) -> str:
    """A quote on Ana's Globex deal, sent for approval (the manager decides first)."""
    ana = people["U0ANA"]
    [deal] = services.opportunities.visible(ana)
    quote = services.quotes.create(ana, deal.id, [LineSpec(product="PLAT-SEAT", quantity=20)],
                                   discount_percent=Decimal(discount))
    services.approvals.request(ana, quote.number, justification="a competitor")
    return quote.number


def _task(services: Services, book: dict[str, int]):  # type: ignore[no-untyped-def]
    [task] = [a for a in services.activities.list_for(book["ana"]) if a.follow_up_at]
    return task


def _close(services: Services, book: dict[str, int], key: str) -> date | None:
    return services.opportunities.get(book["ana"], book[key]).close_date


def test_done_and_a_close_date_in_one_line_apply_together_and_undo_together(
        chat: Chat, services: Services, book) -> None:
    chat.say("call w/ wayne, f/u friday")
    before = _close(services, book, "wayne")
    [said] = chat.say("done w the wayne follow up - close date 12/15")
    assert _task(services, book).done
    assert _close(services, book, "wayne") == date(2026, 12, 15)
    assert "Done:" in said.text and "close date" in said.text and said.controls
    chat.say("undo")
    assert not _task(services, book).done
    assert _close(services, book, "wayne") == before


def test_snooze_keeps_its_own_day_and_the_close_date_its_own(
        chat: Chat, services: Services, book) -> None:
    chat.say("call w/ initech, f/u friday")
    [said] = chat.say("snooze the initech f/u to monday, they pushed close to 1/15")
    task = _task(services, book)
    assert task.follow_up_at is not None and task.follow_up_at.date() == date(2026, 11, 30)
    assert _close(services, book, "initech") == date(2027, 1, 15)
    assert said.text.startswith("Snoozed")


def test_a_refused_part_leaves_the_follow_up_open(chat: Chat, services: Services,
                                                  book) -> None:
    chat.say("call w/ hooli, f/u friday")
    amount = services.opportunities.get(book["ana"], book["hooli"]).amount
    [said] = chat.say("finished the hooli follow up and hooli is now -5k")
    assert "Nothing was changed" in said.text
    assert not _task(services, book).done
    assert services.opportunities.get(book["ana"], book["hooli"]).amount == amount


def test_done_and_an_email_in_their_own_clauses_are_both_written(
        chat: Chat, services: Services, book) -> None:
    chat.say("call w/ hooli, f/u friday")
    chat.say("done w the hooli follow up, emailed them the contract")
    activities = services.activities.list_for(book["ana"])
    assert _task(services, book).done
    assert [a.kind for a in activities if a.follow_up_at is None] == ["email"]


def test_approve_two_quotes_in_one_line_decides_both(chat: Chat, services: Services,
                                                     team) -> None:  # noqa: F811
    first = add_quote(services, team, discount="30")
    second = add_quote(services, team, discount="25")
    said = chat.say(f"approve {first} and {second}", user="U0MO")
    assert [m.text for m in said if m.recipient == "U0MO"] == [
        f"Approved {first} v1, {second} v1."]
    assert sum(1 for m in said if m.recipient == "U0ADA") == 1  # 30 % asks the admin next
    waiting = {p.quote.number for p in services.approvals.queue(team["U0MO"])}
    assert not {first, second} & waiting


def test_approve_two_quotes_when_one_is_not_yours_decides_neither(
        chat: Chat, services: Services, team) -> None:  # noqa: F811
    first = add_quote(services, team, discount="30")
    [said] = chat.say(f"approve {first} and Q-2026-0099", user="U0MO")
    assert "Q-2026-0099 isn't waiting for your approval" in said.text
    assert "nothing was decided" in said.text
    assert first in {p.quote.number for p in services.approvals.queue(team["U0MO"])}


def test_two_open_follow_ups_on_the_account_are_asked_about_then_the_picked_one_is_done(
        chat: Chat, services: Services, book) -> None:
    chat.say("call w/ hooli, f/u friday")
    chat.say("emailed hooli the deck, f/u monday")
    [asked] = chat.say("done w the hooli follow-up - close date 12/15")
    assert asked.text.startswith("Which follow-up on *Hooli*?")
    assert not any(a.done for a in services.activities.list_for(book["ana"]))
    assert _close(services, book, "hooli") != date(2026, 12, 15)
    chat.click(action_id="choose_1")  # the second: the email's, due Monday
    tasks = {a.kind: a.done for a in services.activities.list_for(book["ana"])}
    assert tasks == {"call": False, "email": True}
    assert _close(services, book, "hooli") == date(2026, 12, 15)


def test_snooze_all_my_follow_ups_moves_the_ones_due_before_that_day_in_one_undo(
        chat: Chat, services: Services, book) -> None:
    chat.say("call w/ hooli, f/u tomorrow")
    chat.say("call w/ acme, f/u wednesday")
    chat.say("call w/ globex, f/u 2026-12-10")
    [said] = chat.say("snooze all my follow-ups till friday")
    assert said.text.startswith("Snoozed 2 follow-ups until Fri, Nov 27") and said.controls
    due = {a.account_name: a.follow_up_at.date().isoformat()
           for a in services.activities.list_for(book["ana"]) if a.follow_up_at}
    assert due == {"Hooli": "2026-11-27", "Acme": "2026-11-27", "Globex": "2026-12-10"}
    chat.say("undo")
    due = {a.account_name: a.follow_up_at.date().isoformat()
           for a in services.activities.list_for(book["ana"]) if a.follow_up_at}
    assert due == {"Hooli": "2026-11-24", "Acme": "2026-11-25", "Globex": "2026-12-10"}


def test_a_snooze_said_as_a_while_counts_from_today(chat: Chat, services: Services,
                                                    book) -> None:
    chat.say("call w/ initech, f/u tomorrow")
    chat.say("snooze the initech f/u 3 days")
    assert _task(services, book).follow_up_at.date() == date(2026, 11, 26)
    chat.say("snooze the initech f/u a week")
    assert _task(services, book).follow_up_at.date() == date(2026, 11, 30)
