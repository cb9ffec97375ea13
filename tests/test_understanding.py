"""What reps type, read by the language layer, through the real app: signed DMs, the store,
the stand-in's record. One message is one change (every fact in it, one Undo), or a
question asked before anything is written."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bot.chat import Chat
from store.services import Services


def _deal(services: Services, book: dict[str, int], key: str):
    return services.opportunities.get(book["ana"], book[key])


def test_a_demo_and_a_stage_move_in_one_line_are_one_change(chat: Chat, services: Services,
                                                            book) -> None:
    [reply] = chat.say("had a demo with jane at globex, went great, moving them to proposal")
    [activity] = services.activities.list_for(book["ana"])
    assert (activity.kind, activity.contact_name, activity.opportunity_id) == (
        "meeting", "Jane Roe", book["globex"])
    assert _deal(services, book, "globex").stage.name == "Proposal/Price Review"
    assert "logged a meeting with jane roe" in reply.text.lower()
    assert "Proposal/Price Review" in reply.text
    assert [c.label for c in reply.controls] == ["Undo"]
    chat.click(1)  # one Undo reverses both
    assert services.activities.list_for(book["ana"]) == []
    assert _deal(services, book, "globex").stage.name == "Value Proposition"


def test_amount_close_date_and_next_step_together(chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("acme renewal is now 120k, closing eoq, next step: send msa redlines")
    deal = _deal(services, book, "acme")
    # the test clock is Nov 2026: the quarter ends Dec 31
    assert (deal.amount, deal.close_date, deal.next_step) == (
        Decimal(120000), date(2026, 12, 31), "send msa redlines")
    assert "$84,000 → $120,000" in reply.text and "close date" in reply.text
    chat.click(1)
    deal = _deal(services, book, "acme")
    assert deal.amount == Decimal(84000) and deal.next_step is None


def test_a_call_and_a_move_to_a_renamed_stage(chat: Chat, services: Services, book,
                                              admin: int) -> None:
    negotiation = next(s for s in services.stages.all() if s.name == "Negotiation/Review")
    services.stages.save(admin, negotiation.id, name="Legal Review",
                              probability=negotiation.probability, kind=negotiation.kind,
                              quiet_days=negotiation.quiet_days)
    chat.say("quick call w/ globex, moving them to legal review")
    assert _deal(services, book, "globex").stage.name == "Legal Review"
    [activity] = services.activities.list_for(book["ana"])
    assert activity.kind == "call"


def test_two_contacts_with_one_first_name_are_asked_about(chat: Chat, services: Services,
                                                         book) -> None:
    services.contacts.create(book["ana"], "Ken Ito", account="Initech")
    services.contacts.create(book["ana"], "Ken Smith", account="Hooli")
    [question] = chat.say("spoke w/ ken about pricing")
    assert [c.label for c in question.controls][:2] == ["Ken Ito (Initech)", "Ken Smith (Hooli)"]
    assert services.activities.list_for(book["ana"]) == []  # nothing before the answer
    chat.click(2)
    [activity] = services.activities.list_for(book["ana"])
    assert (activity.contact_name, activity.account_name) == ("Ken Smith", "Hooli")


def test_a_contact_by_first_name_logs_on_their_account(chat: Chat, services: Services,
                                                      book) -> None:
    chat.say("had lunch with jane, she wants a demo friday")
    [activity] = services.activities.list_for(book["ana"])
    assert (activity.kind, activity.contact_name, activity.account_name) == (
        "meeting", "Jane Roe", "Globex")
    assert activity.follow_up_at is not None


def test_a_negative_amount_is_refused_and_nothing_changes(chat: Chat, services: Services,
                                                         book) -> None:
    [reply] = chat.say("acme renewal is now -5k")
    assert "can't be negative" in reply.text
    assert _deal(services, book, "acme").amount == Decimal(84000)


def test_a_question_writes_nothing(chat: Chat, services: Services, book) -> None:
    before = _deal(services, book, "acme")
    for text in ("how's acme doing?", "is the acme renewal closing this month?",
                 "did we move acme to proposal?"):
        chat.say(text)
    assert services.activities.list_for(book["ana"]) == []
    assert _deal(services, book, "acme") == before


def test_shorthand_and_typos(chat: Chat, services: Services, book) -> None:
    chat.say("mvoe globx to negotiation")
    assert _deal(services, book, "globex").stage.name == "Negotiation/Review"
    chat.say("mtg w/ hooli re pilot scope, f/u tmrw")
    [activity] = services.activities.list_for(book["ana"])
    assert (activity.kind, activity.account_name, activity.subject) == (
        "meeting", "Hooli", "Pilot scope, f/u tmrw")
    assert activity.follow_up_at is not None


def test_typed_undo_reverses_the_last_change(chat: Chat, services: Services, book) -> None:
    chat.say("initech is now 75k")
    assert _deal(services, book, "initech").amount == Decimal(75000)
    [reply] = chat.say("undo")
    assert reply.text.startswith("Undone")
    assert _deal(services, book, "initech").amount == Decimal(50000)
    [again] = chat.say("undo")
    assert "nothing of yours from the last half hour to undo" in again.text


def test_an_admin_changes_a_role_in_words(chat: Chat, services: Services, book,
                                          admin: int) -> None:
    services.users.get_or_create("U0DANA", name="Dana Kim")
    [refused] = chat.say("make dana a manager")  # Ana is a rep
    assert services.users.find("U0DANA").role == "rep"
    assert "admin" in refused.text.lower()
    [done] = chat.say("make dana a manager", user="UADMIN")
    assert done.text == "Dana Kim is now a manager."
    assert services.users.find("U0DANA").role == "manager"


def test_snooze_and_finish_a_follow_up_by_its_account(chat: Chat, services: Services,
                                                     book) -> None:
    chat.say("call w/ hooli, f/u friday")
    [which] = chat.say("push the hooli follow-up to next tues")  # said on a Monday:
    assert [c.label for c in which.controls][:2] == [  # tomorrow, or next week's Tuesday?
        "Tue, Nov 24, 2026", "Tue, Dec 1, 2026"]
    chat.click(2)
    snoozed = chat.latest()
    [task] = services.activities.list_for(book["ana"])
    assert snoozed is not None and snoozed.text.startswith("Snoozed")
    assert task.follow_up_at is not None
    assert task.follow_up_at.date().isoformat() == "2026-12-01"  # Tuesday of next week
    chat.say("done w/ the hooli follow-up")
    [task] = services.activities.list_for(book["ana"])
    assert task.done


def test_a_new_deal_in_words(chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("new opp for hooli: expansion, 75k, closing end of q1")
    created = [d for d in services.opportunities.visible(book["ana"]) if d.name == "Expansion"
               and d.account_name == "Hooli"]
    assert [(d.amount, d.close_date.isoformat()) for d in created] == [
        (Decimal(75000), "2027-03-31")]
    assert reply.text.startswith("Created")


def test_two_deals_of_one_account_in_one_line_each_get_their_own_fact(
        chat: Chat, services: Services, book) -> None:
    upsell = services.opportunities.create(book["ana"], "Upsell", account="Globex").id
    [reply] = chat.say("globex expansion signed and upsell pushed to feb 15")
    assert _deal(services, book, "globex").stage.name == "Closed Won"
    assert services.opportunities.get(book["ana"], upsell).close_date == date(2027, 2, 15)
    assert "Globex — Expansion" in reply.text and "Globex — Upsell" in reply.text
    assert [c.label for c in reply.controls] == ["Undo"]
    chat.click(1)
    assert _deal(services, book, "globex").stage.name == "Value Proposition"
    assert services.opportunities.get(book["ana"], upsell).close_date != date(2027, 2, 15)


def test_two_deals_moved_in_one_line_are_one_change(chat: Chat, services: Services,
                                                    book) -> None:
    [reply] = chat.say("initech to proposal and hooli to needs analysis")
    assert _deal(services, book, "initech").stage.name == "Proposal/Price Review"
    assert _deal(services, book, "hooli").stage.name == "Needs Analysis"
    assert "Initech — Platform" in reply.text and "Hooli — Pilot" in reply.text
    assert [c.label for c in reply.controls] == ["Undo"]
    chat.click(1)  # one Undo puts both back
    assert _deal(services, book, "initech").stage.name == "Needs Analysis"
    assert _deal(services, book, "hooli").stage.name == "Prospecting"


def test_one_call_with_two_accounts_is_logged_on_each(chat: Chat, services: Services,
                                                      book) -> None:
    [reply] = chat.say("logged calls with acme and globex re the joint webinar")
    logged = services.activities.list_for(book["ana"])
    assert sorted((a.kind, a.account_name, a.opportunity_id) for a in logged) == [
        ("call", "Acme", book["acme"]), ("call", "Globex", book["globex"])]
    assert {a.subject for a in logged} == {"The joint webinar"}
    assert reply.text.lower().count("logged a call") == 2
    chat.click(1)
    assert services.activities.list_for(book["ana"]) == []


def test_each_deal_gets_its_own_facts(chat: Chat, services: Services, book) -> None:
    chat.say("acme is now 90k; umbrella closing eoq, next step: legal review")
    acme, umbrella = _deal(services, book, "acme"), _deal(services, book, "umbrella")
    assert (acme.amount, acme.next_step) == (Decimal(90000), None)
    assert (umbrella.amount, umbrella.close_date, umbrella.next_step) == (
        Decimal(75000), date(2026, 12, 31), "legal review")


def test_an_unclear_part_is_asked_and_nothing_is_written_until_answered(
        chat: Chat, services: Services, book) -> None:
    training = services.opportunities.create(book["ana"], "Training", account="Acme").id
    [question] = chat.say("initech to proposal and acme to negotiation")
    assert [c.label for c in question.controls][:2] == ["Acme — Renewal", "Acme — Training"]
    assert _deal(services, book, "initech").stage.name == "Needs Analysis"  # nothing yet
    chat.click(2)
    assert _deal(services, book, "initech").stage.name == "Proposal/Price Review"
    assert services.opportunities.get(book["ana"], training).stage.name == "Negotiation/Review"
    assert _deal(services, book, "acme").stage.name == "Prospecting"
    reply = chat.latest("U0ANA")
    assert reply is not None and [c.label for c in reply.controls] == ["Undo"]


def test_a_loss_without_a_reason_holds_back_the_whole_message(chat: Chat, services: Services,
                                                              book) -> None:
    [question] = chat.say("wayne closed won, umbrella closed lost")
    assert "Why was *Umbrella — Security* lost?" in question.text
    assert _deal(services, book, "wayne").stage.name == "Proposal/Price Review"
    assert _deal(services, book, "umbrella").stage.name == "Negotiation/Review"
    chat.say("wayne closed won, umbrella lost to a competitor")
    assert _deal(services, book, "wayne").stage.name == "Closed Won"
    umbrella = _deal(services, book, "umbrella")
    assert (umbrella.stage.name, umbrella.lost_reason) == ("Closed Lost", "to a competitor")


def test_a_part_that_cannot_be_applied_leaves_every_part_unwritten(
        chat: Chat, services: Services, book) -> None:
    chat.say("umbrella to closed won")
    [refused] = chat.say("advance hooli and umbrella")  # umbrella is closed: no next stage
    assert "Umbrella" in refused.text
    assert _deal(services, book, "hooli").stage.name == "Prospecting"  # not half-applied


def test_an_amount_said_as_a_change_changes_the_amount(chat: Chat, services: Services,
                                                       book) -> None:
    chat.say("globex went up 10k")
    assert _deal(services, book, "globex").amount == Decimal(130000)
    chat.say("knock 4k off acme")
    assert _deal(services, book, "acme").amount == Decimal(80000)
    [refused] = chat.say("hooli down 30k")  # 20k - 30k
    assert "below zero" in refused.text
    assert _deal(services, book, "hooli").amount == Decimal(20000)


def test_next_friday_said_before_friday_is_asked(chat: Chat, services: Services, book) -> None:
    [question] = chat.say("initech at 60k, closing next fri")  # said on a Monday
    assert [c.label for c in question.controls][:2] == ["Fri, Nov 27, 2026", "Fri, Dec 4, 2026"]
    assert _deal(services, book, "initech").amount == Decimal(50000)  # nothing yet
    chat.click(2)
    deal = _deal(services, book, "initech")
    assert (deal.amount, deal.close_date) == (Decimal(60000), date(2026, 12, 4))


def test_a_slash_date_with_no_settled_order_is_asked(chat: Chat, services: Services) -> None:
    sam = services.users.get_or_create("U0SAM", name="Sam Tan", timezone="Asia/Singapore")
    services.accounts.create(sam.id, "Keppel")
    deal = services.opportunities.create(sam.id, "Fleet", account="Keppel",
                                         amount=Decimal(10000)).id
    [question] = chat.say("keppel closing 12/03", user="U0SAM")
    assert [c.label for c in question.controls][:2] == ["Thu, Dec 3, 2026", "Fri, Mar 12, 2027"]
    assert services.opportunities.get(sam.id, deal).close_date not in (
        date(2026, 12, 3), date(2027, 3, 12))
    chat.click(2, user="U0SAM")
    assert services.opportunities.get(sam.id, deal).close_date == date(2027, 3, 12)


def test_a_month_alone_is_its_last_day_and_the_reply_says_the_year(
        chat: Chat, services: Services, book) -> None:
    [reply] = chat.say("globex closing june")
    assert _deal(services, book, "globex").close_date == date(2027, 6, 30)
    assert "Jun 30, 2027" in reply.text


def test_an_unclear_day_in_one_part_holds_back_every_part(chat: Chat, services: Services,
                                                          book) -> None:
    chat.say("initech to proposal and hooli closing next fri")
    assert _deal(services, book, "initech").stage.name == "Needs Analysis"
    chat.click(1)
    assert _deal(services, book, "initech").stage.name == "Proposal/Price Review"
    assert _deal(services, book, "hooli").close_date == date(2026, 11, 27)


def test_stage_initials_come_from_the_store(chat: Chat, services: Services, book,
                                            admin: int, clock) -> None:
    chat.say("initech to VP")
    assert _deal(services, book, "initech").stage.name == "Value Proposition"
    clock.advance(timedelta(minutes=1))  # the rename comes later than the move, as in life
    value = next(s for s in services.stages.all() if s.name == "Value Proposition")
    services.stages.save(admin, value.id, name="Technical Validation",
                         probability=value.probability, kind=value.kind,
                         quiet_days=value.quiet_days)
    chat.say("hooli to TV")
    assert _deal(services, book, "hooli").stage.name == "Technical Validation"
    chat.say("acme to VP")  # the old initials name no stage now
    assert _deal(services, book, "acme").stage.name == "Prospecting"


def test_verbs_typed_in_a_hurry(chat: Chat, services: Services, book) -> None:
    chat.say("emaild jane at globex the deck")
    chat.say("calld hooli abt pilot")
    chat.say("mtg'd w/ acme re renewal terms")
    logged = {a.account_name: (a.kind, a.subject) for a in services.activities.list_for(
        book["ana"])}
    assert logged == {"Globex": ("email", "Email with Jane Roe: the deck"),
                      "Hooli": ("call", "Pilot"), "Acme": ("meeting", "Renewal terms")}


def test_next_step_with_the_name_before_the_colon(chat: Chat, services: Services,
                                                  book) -> None:
    [reply] = chat.say("next step initech: send the msa")
    assert _deal(services, book, "initech").next_step == "send the msa"
    assert [c.label for c in reply.controls] == ["Undo"]


def test_a_lead_said_without_the_word_new(chat: Chat, services: Services, book) -> None:
    """"lead: …" and "got a lead - …" add the lead as "new lead: …" does."""
    chat.say("lead: jane doe, foo corp, jane@foo.com")
    chat.say("got a lead - sam ortiz from initrode, vp ops")
    leads = {lead.name: lead for lead in services.leads.mine(book["ana"])}
    assert set(leads) == {"jane doe", "sam ortiz"}
    assert (leads["jane doe"].company, leads["jane doe"].email) == ("foo corp", "jane@foo.com")
    assert leads["sam ortiz"].company == "initrode"


def test_a_new_deal_and_its_stage_in_one_line_are_one_change(chat: Chat, services: Services,
                                                            book) -> None:
    before = {o.id for o in services.opportunities.visible(book["ana"])}
    [reply] = chat.say("new deal for hooli expansion 75k closing end of q1, already in prop")
    [new] = [o for o in services.opportunities.visible(book["ana"]) if o.id not in before]
    # the test clock is Nov 2026: Q1 is next year's, ending Mar 31
    assert (new.account_name, new.name, new.amount, new.close_date, new.stage.name) == (
        "Hooli", "Expansion", Decimal(75000), date(2027, 3, 31), "Proposal/Price Review")
    assert [c.label for c in reply.controls][:1] == ["Undo"]
    assert "Proposal/Price Review" in reply.text
    chat.click(1)  # one Undo: the deal is gone, stage and all
    assert {o.id for o in services.opportunities.visible(book["ana"])} == before


def test_a_decision_or_a_done_without_a_name_asks_which(chat: Chat, services: Services,
                                                        book) -> None:
    """"approve the quote", "done": which one? Nothing is decided or finished meanwhile."""
    [quote] = chat.say("approve the quote")
    assert "Which quote?" in quote.text and "Nothing was decided" in quote.text
    chat.say("call w/ acme, f/u tmrw")
    [done] = chat.say("done")
    assert "Which follow-up?" in done.text
    [activity] = services.activities.list_for(book["ana"])
    assert not activity.done


@pytest.mark.parametrize(("text", "role", "said"), [
    ("dana should be an admin", "admin", "Dana Kim is now an admin."),
    ("change dana to manager", "manager", "Dana Kim is now a manager."),
    ("set dana's role to finance", "finance", "Dana Kim is now in finance."),
])
def test_a_role_change_said_other_ways(chat: Chat, services: Services, book, admin: int,
                                       text: str, role: str, said: str) -> None:
    services.users.get_or_create("U0DANA", name="Dana Kim")
    [done] = chat.say(text, user="UADMIN")
    assert done.text == said
    assert services.users.find("U0DANA").role == role


def test_a_remark_about_someones_job_changes_no_role(chat: Chat, services: Services, book,
                                                     admin: int) -> None:
    services.users.get_or_create("U0DANA", name="Dana Kim")
    chat.say("ask dana, she is a manager", user="UADMIN")
    assert services.users.find("U0DANA").role == "rep"
