"""Lines a new team typed in its first week that the bot got wrong: a figure said as a
guess written as the deal's amount, a budget "for q1" made a follow-up on March 31, "show
me umbrella" looking for a deal called "me umbrella", "ok cool" and "have a good weekend"
not understood, "reminders" saying nothing was scheduled beside follow-ups due, "what do
i have today" sent to the knowledge base, and "start" read as an account one slip from it.
Through signed requests, with what the rep sees and the store checked."""

from __future__ import annotations

from decimal import Decimal

from bot.chat import Chat
from store.services import Services


def test_a_figure_said_as_a_guess_stays_in_the_note(chat: Chat, services: Services,
                                                    book) -> None:
    chat.say("call with initech, they want a 3 yr deal, may go to 70k")
    deal = services.opportunities.get(book["ana"], book["initech"])
    assert deal.amount == Decimal(50000)
    [call] = services.activities.list_for(book["ana"])
    assert call.kind == "call" and "may go to 70k" in (call.subject + (call.body or ""))
    chat.say("initech is now 70k")  # said as a fact, it is written
    assert services.opportunities.get(book["ana"], book["initech"]).amount == Decimal(70000)


def test_a_period_said_of_a_budget_is_no_follow_up(chat: Chat, services: Services,
                                                   book) -> None:
    chat.say("call w procurement at globex, budget approved for q1")
    [call] = services.activities.list_for(book["ana"])
    assert call.kind == "call" and call.follow_up_at is None
    chat.say("call w acme, f/u next month")  # a follow-up said as one still is
    follow_ups = [a for a in services.activities.list_for(book["ana"]) if a.follow_up_at]
    assert len(follow_ups) == 1


def test_show_me_a_deal_shows_its_card(chat: Chat, book) -> None:
    [card] = chat.say("show me the umbrella deal")
    assert card.text.startswith("Umbrella — Security")
    assert "couldn't find" not in card.render()


def test_small_talk_gets_small_talk_back(chat: Chat, services: Services, book) -> None:
    assert [m.text for m in chat.say("ok cool")] == ["👍"]
    [bye] = chat.say("have a good weekend")
    assert bye.text.startswith("You too!")
    [thanks] = chat.say("thx!")
    assert thanks.text.startswith("You're welcome!")
    assert services.activities.list_for(book["ana"]) == []


def test_reminders_list_the_follow_ups_due_and_today_is_the_agenda(chat: Chat,
                                                                   book) -> None:
    [empty] = chat.say("reminders")
    assert "Nothing scheduled." in empty.text
    chat.say("call w/ hooli, f/u tomorrow")
    [coming] = chat.say("reminders")
    assert "Follow-ups due this week" in coming.text and "Hooli" in coming.text
    [agenda] = chat.say("morning! what do i have today")
    assert "Your follow-ups" in agenda.text and "Hooli" in agenda.text


def test_an_everyday_word_one_slip_from_a_name_is_not_that_name(
        chat: Chat, services: Services, book) -> None:
    services.accounts.create(book["ana"], "Stark Industries")
    chat.say("call w acme, they want to start in q2, f/u friday")
    [call] = services.activities.list_for(book["ana"])
    assert call.account_name == "Acme"
