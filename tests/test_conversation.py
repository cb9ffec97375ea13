"""The conversation through the real app: signed DMs, mentions, commands and buttons,
asserting what the user saw (the stand-in's record) and what the store holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.chat import Chat
from bot.localslack import LocalSlack
from store.services import Services


def stage_of(services: Services, book: dict[str, int], key: str) -> str:
    return services.opportunities.get(book["ana"], book[key]).stage.name


def test_logging_a_call_with_a_follow_up(chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("logged a call with acme, they want pricing by friday")
    assert "Logged a call" in reply.text and "Acme" in reply.text
    assert "Follow-up due Fri, Nov 27, 09:00" in reply.text
    [activity] = services.activities.list_for(book["ana"], account_id=None)
    assert activity.kind == "call" and activity.account_name == "Acme"
    assert activity.opportunity_id == book["acme"]
    # 09:00 in New York is 14:00 UTC on Friday the 27th
    assert activity.follow_up_at == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    assert [c.label for c in reply.controls] == ["Undo"]


def test_meeting_with_a_contact_links_contact_account_and_deal(chat: Chat, services, book) -> None:
    chat.say("met with Jane from Globex about the expansion")
    [activity] = services.activities.list_for(book["ana"])
    assert (activity.kind, activity.contact_name, activity.account_name,
            activity.opportunity_id) == ("meeting", "Jane Roe", "Globex", book["globex"])


def test_note_on_an_account(chat: Chat, services, book) -> None:
    chat.say("note on hooli: champion left")
    [activity] = services.activities.list_for(book["ana"])
    assert (activity.kind, activity.subject, activity.account_name) == (
        "note", "Champion left", "Hooli")


@pytest.mark.parametrize(("text", "key", "stage"), [
    ("move the globex expansion to negotiation", "globex", "Negotiation/Review"),
    ("initech is now in proposal", "initech", "Proposal/Price Review"),
    ("closed won on wayne!", "wayne", "Closed Won"),
    ("advance acme renewal", "acme", "Needs Analysis"),
    ("we lost umbrella, they went with a competitor", "umbrella", "Closed Lost"),
])
def test_stage_moves_in_plain_words(chat: Chat, services, book, text, key, stage) -> None:
    [reply] = chat.say(text)
    assert f"to *{stage}*" in reply.text
    assert stage_of(services, book, key) == stage
    history = services.opportunities.history(book["ana"], book[key])
    assert history[-1].to_stage == stage and history[-1].from_stage != stage


def test_lost_reason_is_kept(chat: Chat, services, book) -> None:
    chat.say("we lost umbrella, they went with a competitor")
    opp = services.opportunities.get(book["ana"], book["umbrella"])
    assert opp.lost_reason == "they went with a competitor"


def test_lost_without_a_reason_asks_and_changes_nothing(chat: Chat, services, book) -> None:
    [reply] = chat.say("we lost umbrella")
    assert "Why was" in reply.render()
    assert stage_of(services, book, "umbrella") == "Negotiation/Review"
    chat.click(1)  # "Close lost…" opens the form
    response = chat.submit({"Why was it lost?": "budget cut"})
    assert response.status == 200
    assert stage_of(services, book, "umbrella") == "Closed Lost"


def test_typo_still_resolves(chat: Chat, services, book) -> None:
    chat.say("move the globx expansoin to negotiation")
    assert stage_of(services, book, "globex") == "Negotiation/Review"


def test_ambiguity_asks_with_buttons_and_does_nothing_until_chosen(
    chat: Chat, services: Services, book
) -> None:
    services.opportunities.create(book["ana"], "Expansion EU", account="Acme")
    [question] = chat.say("advance acme")
    assert "Which deal" in question.text
    labels = [c.label for c in question.controls]
    assert labels[-1] == "None of these" and len(labels) == 3
    assert stage_of(services, book, "acme") == "Prospecting"
    pick = next(c.number for c in question.controls if c.label == "Acme — Renewal"
                or c.label == "Acme Renewal")
    chat.click(pick)
    assert stage_of(services, book, "acme") == "Needs Analysis"
    assert "Moved" in chat.latest().text  # the question was replaced by the outcome


def test_undo_reverses_the_move(chat: Chat, services, book) -> None:
    chat.say("advance acme renewal")
    chat.click(action_id="undo")
    assert stage_of(services, book, "acme") == "Prospecting"
    assert "Undone" in chat.latest().text and chat.latest().controls == []


def test_nothing_matches_offers_to_create(chat: Chat, services, book) -> None:
    [reply] = chat.say("logged a call with zorblax, intro")
    assert "couldn't find" in reply.text
    assert services.activities.list_for(book["ana"]) == []


def test_show_card_and_move_by_button(chat: Chat, slack: LocalSlack, services, book) -> None:
    [card] = chat.say("what's next for globex?")
    rendered = card.render()
    assert "Globex — Expansion" in rendered and "$120,000" in rendered
    next_button = next(c for c in card.controls if c.action_id == "opp_next_stage")
    chat.click(next_button.number)
    assert stage_of(services, book, "globex") == "Proposal/Price Review"
    update = slack.calls_of("chat.update")[-1]
    assert "Proposal/Price Review" in str(update.args["blocks"])


def test_pick_a_stage_from_the_menu(chat: Chat, services, book) -> None:
    chat.say("show initech")
    menu = next(c for c in chat.latest().controls if c.kind == "static_select")
    chat.click(menu.number, option="Negotiation/Review")
    assert stage_of(services, book, "initech") == "Negotiation/Review"


def test_injected_channel_ping_is_escaped(chat: Chat, slack: LocalSlack, book) -> None:
    chat.say("note on acme: <!channel> call <https://evil.test|your bank> & <@U0BOSS>")
    posted = slack.calls_of("chat.postMessage")[-1].args
    text = str(posted["blocks"]) + posted["text"]
    assert "<!channel>" not in text and "<https://evil" not in text and "<@U0BOSS>" not in text
    # a real @channel token comes back as inert text; a typed one stays visibly escaped
    assert "@channel" in text and "&amp;" in text and "&lt;@U0BOSS&gt;" in text


def test_slack_escapes_are_read_as_typed(chat: Chat, services: Services, book) -> None:
    chat.say("note on acme: Q&A with R&D <tomorrow>")
    [activity] = services.activities.list_for(book["ana"])
    assert activity.subject == "Q&A with R&D <tomorrow>"  # stored as typed, not as &amp;


def test_help_and_unknown(chat: Chat, book) -> None:
    [reply] = chat.say("help")
    assert "logged a call with acme" in reply.render()
    [reply] = chat.say("purple monkey dishwasher")
    assert "didn't get" in reply.text
    [reply] = chat.say("what is the meaning of life")  # a question: the knowledge base
    assert reply.text.startswith("Knowledge base")


def test_follow_ups_listed(chat: Chat, book) -> None:
    chat.say("logged a call with acme, they want pricing by friday")
    [reply] = chat.say("my follow-ups")
    assert "Acme" in reply.render() and "Fri, Nov 27, 09:00" in reply.render()


def test_create_a_deal_in_words(chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("new deal for acme: expansion, 50k, closing end of march")
    assert "Created *Acme — Expansion*" in reply.text
    created = {o.title: o for o in services.opportunities.visible(book["ana"])}[
        "Acme — Expansion"]
    assert (created.amount, str(created.close_date)) == (Decimal("50000.00"), "2027-03-31")
    assert services.opportunities.history(book["ana"], created.id)[0].from_stage is None
    chat.click(action_id="undo")
    assert "Acme — Expansion" not in {
        o.title for o in services.opportunities.visible(book["ana"])}


def test_create_for_an_unknown_account_offers_the_account(chat: Chat, services, book) -> None:
    [reply] = chat.say("new deal for Zorg Corp: pilot 10k")
    assert "no account called" in reply.text
    chat.click(action_id="account_new")
    assert services.accounts.get("zorg corp").name == "Zorg Corp"
    assert "Created *Zorg Corp — Pilot*" in chat.latest().text


def _history_fields(services: Services, book, key: str):
    rows = services.opportunities.history(book["ana"], book[key])
    return rows[-1]


@pytest.mark.parametrize(("text", "key", "field", "value"), [
    ("acme renewal is now 120k, closing end of march", "acme", "amount", Decimal("120000.00")),
    ("push the globex close date to next month", "globex", "close_date", "2026-12-31"),
    ("next step on initech: legal review", "initech", "next_step", "legal review"),
    ("set wayne to 60%", "wayne", "probability", 60),
])
def test_edit_a_deal_in_words(chat: Chat, services: Services, book, text, key, field,
                              value) -> None:
    before = services.opportunities.get(book["ana"], book[key])
    [reply] = chat.say(text)
    assert reply.text.startswith("Updated") and [c.label for c in reply.controls] == ["Undo"]
    after = services.opportunities.get(book["ana"], book[key])
    got = getattr(after, field)
    assert (str(got) if field == "close_date" else got) == value
    untouched = {"amount", "close_date", "next_step", "probability", "owner_id"} - {field}
    if key == "acme":
        untouched -= {"close_date"}
        assert str(after.close_date) == "2027-03-31"
    for name in untouched:
        assert getattr(after, name) == getattr(before, name), name
    history = services.opportunities.history(book["ana"], book[key])
    if field != "next_step":
        assert history[-1].from_stage == history[-1].to_stage == before.stage.name
    chat.click(action_id="undo")
    restored = services.opportunities.get(book["ana"], book[key])
    assert getattr(restored, field) == getattr(before, field)


def test_only_a_manager_gives_a_deal_to_someone_else(chat: Chat, services: Services,
                                                     book) -> None:
    fox = services.users.get_or_create("U0FOX", name="Fox Taylor")
    [refused] = chat.say("give the hooli deal to fox")
    assert "Only a manager or an admin can give a deal" in refused.text
    assert services.opportunities.get(book["ana"], book["hooli"]).owner_name == "Ana Rep"
    services.users.get_or_create("U0MO", name="Mo Manager")
    manager = services.users.set_role("U0MO", "manager")
    with services.store.transaction() as s:
        from store.models import User

        for user in s.query(User).filter(User.slack_user_id.in_(["U0ANA", "U0FOX"])):
            user.manager_id = manager.id
    done, told = sorted(chat.say("give the hooli deal to fox", user="U0MO"),
                        key=lambda m: m.recipient != "U0MO")
    assert "owner Ana Rep → Fox Taylor" in done.text
    assert told.recipient == "U0FOX" and "Mo Manager gave you" in told.text
    assert services.opportunities.get(fox.id, book["hooli"]).owner_name == "Fox Taylor"


def test_a_rep_cannot_reassign_a_colleagues_deal(chat: Chat, services: Services, book) -> None:
    fox = services.users.get_or_create("U0FOX", name="Fox Taylor")
    services.accounts.create(fox.id, "Foxcorp")
    opp = services.opportunities.create(fox.id, "Big one", account="Foxcorp")
    [reply] = chat.say("give the foxcorp deal to ana")
    assert services.opportunities.get(fox.id, opp.id).owner_name == "Fox Taylor"
    assert "couldn't find" in reply.text  # not even visible to Ana


def test_edit_button_opens_a_form_that_changes_the_deal(chat: Chat, services: Services,
                                                        book) -> None:
    chat.say("show acme renewal")
    chat.click(action_id="opp_edit")
    response = chat.submit({"Amount": "-3"})
    assert "can't be negative" in response.body
    chat.submit({"Amount": "95k", "Next step": "security review"})
    opp = services.opportunities.get(book["ana"], book["acme"])
    assert (opp.amount, opp.next_step, opp.probability) == (
        Decimal("95000.00"), "security review", 10)
    assert "amount $84,000 → $95,000" in chat.latest().text


def test_the_contact_is_looked_for_at_the_named_company(chat: Chat, services: Services,
                                                        book) -> None:
    services.accounts.create(book["ana"], "Initrode")
    services.contacts.create(book["ana"], "Jane Smith", account="Initrode")
    services.contacts.create(book["ana"], "Jane Doe", account="Hooli")
    chat.say("met with Jane from Globex about the expansion")
    [activity] = services.activities.list_for(book["ana"])
    assert (activity.contact_name, activity.subject) == (
        "Jane Roe", "Meeting with Jane Roe: the expansion")


def test_extra_words_do_not_pick_a_deal(chat: Chat, services: Services, book) -> None:
    services.opportunities.create(book["ana"], "Upsell", account="Acme")
    [question] = chat.say("advance acme")  # two open Acme deals: ask
    assert "Which deal" in question.text
    for text in ("lost track of acme, call them tomorrow", "progress report for globex",
                 "set up a call with initech to negotiate", "spoke with tom about pricing"):
        chat.say(text)
    stages = {key: stage_of(services, book, key) for key in ("acme", "globex", "initech")}
    assert stages == {"acme": "Prospecting", "globex": "Value Proposition",
                      "initech": "Needs Analysis"}
    # "call them tomorrow" may be a follow-up on Acme, but on no deal of the two
    assert [a.opportunity_id for a in services.activities.list_for(book["ana"])
            if a.kind != "task"] == []
    assert all(a.opportunity_id is None for a in services.activities.list_for(book["ana"]))


def test_an_old_card_never_skips_a_stage(chat: Chat, services: Services, book) -> None:
    [card] = chat.say("show hooli")
    services.opportunities.advance(book["ana"], book["hooli"])  # moved elsewhere meanwhile
    chat.click(action_id="opp_next_stage")
    assert stage_of(services, book, "hooli") == "Needs Analysis"
    refreshed = chat.transcript[card.id - 1].render()
    assert "out of date" in refreshed and "Next: Value Proposition" in refreshed


def test_close_lost_from_the_menu_replaces_the_card(chat: Chat, services: Services,
                                                   book) -> None:
    [card] = chat.say("show initech")
    menu = next(c for c in card.controls if c.kind == "static_select")
    chat.click(menu.number, option="Closed Lost")
    chat.submit({"Why was it lost?": "no budget"})
    assert stage_of(services, book, "initech") == "Closed Lost"
    assert "Closed Lost" in chat.transcript[card.id - 1].render()
    assert not [c for c in chat.transcript[card.id - 1].controls if c.kind == "static_select"
                and "Closed Lost" in [label for label, _ in c.options]]


def test_yesterday_and_a_clean_subject(chat: Chat, services: Services, book, clock) -> None:
    chat.say("had a meeting with globex yesterday")
    [activity] = services.activities.list_for(book["ana"])
    assert activity.subject == "Meeting with Globex"
    assert activity.occurred_at == clock.now() - timedelta(days=1)


def test_a_question_keeps_the_forms_date(chat: Chat, services: Services, book) -> None:
    services.accounts.create(book["ana"], "Umbra Labs")
    services.accounts.create(book["ana"], "Umbra Corp")
    chat.command("/sales log")
    chat.submit({"Kind": "call", "Account, contact or deal": "umbra",
                 "What happened": "see you friday", "Follow up on": "2026-12-10"})
    [question] = [m for m in chat.visible_to("U0ANA") if "Which account" in m.text]
    chat.click(next(c.number for c in question.controls if c.label == "Umbra Labs"))
    [activity] = services.activities.list_for(book["ana"])
    assert activity.follow_up_at.date().isoformat() == "2026-12-10"


def test_create_account_takes_the_company(chat: Chat, services: Services, book) -> None:
    chat.say("logged a call with Bob Smith at NewCo, wants a demo")
    chat.click(action_id="account_new")
    assert services.accounts.get("newco").name == "NewCo"
    [activity] = services.activities.list_for(book["ana"])
    assert activity.account_name == "NewCo"


def _words(count: int) -> str:
    """`count` words a rep might type, names among them (so matching has work to do)."""
    vocabulary = ["acme", "globex", "renewal", "pricing", "call", "friday", "jane", "hooli"]
    return " ".join(vocabulary[i % len(vocabulary)] for i in range(count))


def _unchanged(services: Services, book: dict[str, int]) -> None:
    assert services.activities.list_for(book["ana"]) == []
    assert [stage_of(services, book, k) for k in ("acme", "globex", "hooli", "umbrella")] == [
        "Prospecting", "Value Proposition", "Prospecting", "Negotiation/Review"]
    assert all(len(services.opportunities.history(book["ana"], book[k])) == 1
               for k in ("acme", "globex", "initech", "hooli", "umbrella", "wayne"))


@pytest.mark.parametrize("text", [
    "acme" * 5_000,
    _words(5_000),
    "show " + "globex" * 4_000,
    "logged a call with acme, " + _words(5_000),
    "note on hooli: " + _words(5_000),
], ids=["one 20000-letter word", "5000 words", "show a 24000-letter word",
        "a call with 5000 words", "a note of 5000 words"])
def test_an_over_long_message_is_refused_privately_and_changes_nothing(
    chat: Chat, services: Services, book, text: str
) -> None:
    [reply] = chat.say(text)
    assert reply.text.startswith("That's too long for me to read — ")
    assert "up to 4,000 characters" in reply.text and f"yours has {len(text):,}" in reply.text
    assert reply.recipient == "U0ANA"  # in the rep's DM with the bot
    [mention] = chat.mention(text)
    assert mention.text == reply.text and mention.ephemeral and mention.recipient == "U0ANA"
    [command] = chat.command(f"/sales {text}")
    assert command.text.startswith("That's too long") and command.ephemeral
    _unchanged(services, book)


def test_a_long_note_within_the_limit_is_kept_whole(chat: Chat, services, book) -> None:
    text = "note on hooli: " + _words(625)
    assert len(text) == 3_997  # just under the limit
    [reply] = chat.say(text)
    assert "too long" not in reply.text
    [activity] = services.activities.list_for(book["ana"])
    assert activity.account_name == "Hooli"
    assert services.activities.get(book["ana"], activity.id).body == text


def test_logged_an_email_and_a_call(chat: Chat, services: Services, book) -> None:
    [email] = chat.say("emailed acme: sent the pricing sheet")
    assert email.text.startswith("Logged an email ")
    [call] = chat.say("logged a call with acme, they want pricing by friday")
    assert call.text.startswith("Logged a call ")
