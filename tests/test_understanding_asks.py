"""Messages the bot cannot apply as said, through the real app: it asks back (a question the
rep can answer) and the store is left as it was."""

from __future__ import annotations

from datetime import date

from bot.chat import Chat
from store.services import Services


def test_an_unknown_role_is_asked_and_nobody_changes(chat: Chat, services: Services,
                                                     admin: int) -> None:
    services.users.get_or_create("U0ROBIN", name="Robin Park")
    [reply] = chat.say("make robin a chieftain", user="UADMIN")
    assert "?" in reply.text and "manager" in reply.text
    assert services.users.find("U0ROBIN").role == "rep"


def test_a_move_to_a_missing_stage_asks_which_and_escapes_the_words(
        chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("move hooli to <b>limbo</b>")
    assert "Which stage" in reply.text and "&lt;b&gt;limbo" in reply.text
    assert services.opportunities.get(book["ana"], book["hooli"]).stage.name == "Prospecting"


def test_a_past_close_date_is_refused(chat: Chat, services: Services, book) -> None:
    before = services.opportunities.get(book["ana"], book["initech"]).close_date
    [reply] = chat.say("initech close date 2003-07-14")
    assert "past" in reply.text and "Nothing was changed" in reply.text
    after = services.opportunities.get(book["ana"], book["initech"])
    assert after.close_date == before and after.close_date != date(2003, 7, 14)


def test_snoozing_where_there_is_no_follow_up_asks_which(chat: Chat, services: Services,
                                                         book) -> None:
    [reply] = chat.say("snooze the umbrella follow up till friday")
    assert "no open follow-up" in reply.text and "?" in reply.text


def test_a_follow_up_ticked_off_is_done(chat: Chat, services: Services, book) -> None:
    chat.say("call w/ hooli, f/u friday")
    chat.say("tick off hooli")
    [task] = services.activities.list_for(book["ana"])
    assert task.done


def test_undo_several_times_asks_and_undoes_nothing(chat: Chat, services: Services,
                                                    book) -> None:
    chat.say("initech is now 75k")
    [reply] = chat.say("undo the last 4 changes")
    assert "?" in reply.text and "last change" in reply.text
    assert services.opportunities.get(book["ana"], book["initech"]).amount == 75000
    [undone] = chat.say("undo")
    assert undone.text.startswith("Undone")
