"""Questions a new team asked that got the whole report, or nothing: stuck deals, quota
with no quota set, a quote asked for by its deal; and close dates said in the past.
Through signed requests, with what the rep sees and the store checked."""

from __future__ import annotations

from bot.chat import Chat
from store.services import Services
from tests.test_approvals_slack import request, team  # noqa: F401  (the fixture)


def test_stuck_deals_are_that_list_not_the_whole_report(chat: Chat, book) -> None:
    [reply] = chat.say("which of my deals are stuck")
    assert reply.text == "Stuck · Ana Rep: the 6 deals longest in their stage"
    shown = reply.render()
    assert "Acme — Renewal" in shown and "By stage" not in shown and "By close" not in shown


def test_quota_asked_with_no_quota_set_says_so(chat: Chat, book) -> None:
    [reply] = chat.say("how am i doing vs quota")
    assert "No quota is set for Ana Rep in Q4 2026" in reply.render()


def test_a_quote_asked_for_by_its_deal_shows_its_newest_version(chat: Chat,
                                                                team) -> None:  # noqa: F811
    [none] = chat.say("status of my globex quote", user="U0ANA")
    assert "has no quote yet" in none.text
    request(chat)
    [card] = chat.say("status of my globex quote", user="U0ANA")
    assert card.text == "Quote Q-2026-0001 v1" and "Waiting for approval" in card.render()


def test_a_close_date_said_in_the_past_is_refused(chat: Chat, services: Services,
                                                  book) -> None:
    before = services.opportunities.get(book["ana"], book["globex"]).close_date
    for said in ("set globex close date to yesterday", "globex closing last friday"):
        [reply] = chat.say(said)
        assert "can't be in the past" in reply.text and "Nothing was changed." in reply.text
    assert services.opportunities.get(book["ana"], book["globex"]).close_date == before


def test_a_quote_marked_sent_by_its_deal_and_its_history_asked_by_number(
        chat: Chat, services: Services, team) -> None:  # noqa: F811
    request(chat)
    [early] = chat.say("globex quote sent", user="U0ANA")
    assert "waiting for approval" in early.text and "Nothing was changed" in early.text
    chat.say("approve Q-2026-0001", user="U0MO")
    chat.say("approve Q-2026-0001", user="U0ADA")
    [sent] = chat.say("sent the globex quote", user="U0ANA")
    assert sent.text.startswith("Marked Q-2026-0001 v1 sent")
    assert services.quotes.get(team["U0ANA"], "Q-2026-0001").status == "presented"
    [history] = chat.say("quote Q-2026-0001 history", user="U0ANA")
    assert history.text == "History of Q-2026-0001" and "Mo Manager" in history.render()
