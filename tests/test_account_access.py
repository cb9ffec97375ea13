"""Account visibility through the real app (store/access.py: visible_account_ids): a rep
acts only on accounts whose owner they may see or on which they work an open deal; an
account they may not see reads exactly like one that does not exist."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.chat import Chat, Message
from bot.reminders import ReminderRunner
from store.clock import ManualClock
from store.errors import Conflict, NotAllowed, NotFound
from store.models import Activity, Contact, Contract, Lead, Opportunity, Stage
from store.money import to_minor
from store.services import Services
from store.services.leads.leads import LeadService
from store.services.leads.views import AccountQuestion, Conversion
from tests.conftest import add_users


@pytest.fixture
def world(services: Services) -> dict[str, int]:
    """Ana (rep, Mo's team) owns Acme and two Umbras; Oli (rep, Ola's team) owns Cyberdyne
    and Tyrell, and Ana works an open deal on Tyrell."""
    with services.store.transaction() as s:
        people = add_users(s, {
            "mo": ("U0MO", "Mo Manager", "manager"), "ana": ("U0ANA", "Ana Rep", "rep"),
            "ola": ("U0OLA", "Ola Other", "manager"), "oli": ("U0OLI", "Oli Other", "rep"),
            "ada": ("U0ADA", "Ada Admin", "admin"),
        }, managers={"ana": "mo", "oli": "ola"})
        ids = {k: u.id for k, u in people.items()}
    accounts, opps = services.accounts, services.opportunities
    for name in ("Acme", "Umbra Labs", "Umbra Corp"):
        ids[name] = accounts.create(ids["ana"], name).id
    ids["acme deal"] = opps.create(ids["ana"], "Renewal", account="Acme").id
    for name in ("Cyberdyne", "Tyrell"):
        ids[name] = accounts.create(ids["oli"], name).id
    ids["skynet"] = opps.create(ids["oli"], "Skynet", account="Cyberdyne",
                                amount=Decimal(90000)).id
    services.contacts.create(ids["oli"], "Sarah Connor", account="Cyberdyne")
    ids["replicants"] = opps.create(ids["ada"], "Replicants", account="Tyrell",
                                    owner_id=ids["ana"]).id
    return ids


def counts(services: Services) -> tuple[int, int, int]:
    with services.store.transaction() as s:
        return tuple(s.scalar(select(func.count()).select_from(m))  # type: ignore[return-value]
                     for m in (Activity, Opportunity, Contact))


def text_of(messages: list[Message]) -> str:
    return "\n".join(m.render() for m in messages)


def test_a_rep_cannot_show_another_teams_account(chat: Chat, world) -> None:
    hidden = text_of(chat.say("show cyberdyne", user="U0ANA"))
    missing = text_of(chat.say("show nosuchco", user="U0ANA"))
    assert "Cyberdyne" not in hidden and "Skynet" not in hidden
    assert hidden.replace("cyberdyne", "nosuchco") == missing  # no existence leak


def test_a_user_unknown_to_the_store_gets_no_account_names(chat: Chat, world) -> None:
    said = [chat.say(line, user="U0NEW") for line in (
        "show cyberdyne", "show acme", "note on tyrell: hello", "met with sarah connor")]
    seen = text_of([m for reply in said for m in reply])
    for name in ("Cyberdyne", "Acme", "Tyrell", "Sarah Connor", "Skynet"):
        assert name not in seen


def test_a_rep_cannot_log_on_or_create_a_deal_on_another_teams_account(
        chat: Chat, services: Services, world) -> None:
    before = counts(services)
    note = text_of(chat.say("note on cyberdyne: they want a demo", user="U0ANA"))
    assert "nothing was logged" in note and "Cyberdyne" not in note
    met = text_of(chat.say("met with sarah connor about the demo", user="U0ANA"))
    assert "Sarah Connor" not in met and "Cyberdyne" not in met
    deal = text_of(chat.say("new deal for cyberdyne: pilot, 10k", user="U0ANA"))
    assert "no deal was created" in deal and "Cyberdyne" not in deal
    assert counts(services) == before


def now_seen(chat: Chat, user: str) -> str:
    """The latest message `user` sees: a click's answer, new or in place of the message."""
    latest = chat.latest(user)
    assert latest is not None
    return latest.render()


def _forge_choice(message: Message, account_id: int) -> None:
    """Rewrite the first choice button's value as a forger would, keeping its intent."""
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == "choose_1":
                value = json.loads(element["value"])
                element["value"] = json.dumps({**value, "account": account_id})
                return
    raise AssertionError("no choose_1 button")


@pytest.mark.parametrize(("said", "refusal"), [
    ("note on umbra: they want a demo", "nothing was logged"),
    ("new deal for umbra: pilot, 10k", "no deal was created"),
])
def test_a_forged_account_choice_is_refused_and_writes_nothing(
        chat: Chat, services: Services, world, said: str, refusal: str) -> None:
    [question] = chat.say(said, user="U0ANA")
    assert "Which account" in question.render()
    _forge_choice(question, world["Cyberdyne"])
    before = counts(services)
    chat.click(action_id="choose_1", user="U0ANA")
    reply = chat.transcript[question.id - 1].render()  # the question, replaced by the answer
    assert refusal in reply and "Cyberdyne" not in reply
    assert counts(services) == before


def test_the_services_refuse_a_forged_account_or_contact_id(services: Services, world) -> None:
    ana = world["ana"]
    before = counts(services)
    with services.store.transaction() as s:
        connor = s.scalar(select(Contact.id).where(Contact.name == "Sarah Connor"))
    with pytest.raises(NotFound, match="no longer exists"):
        services.activities.log(ana, kind="note", subject="x", account_id=world["Cyberdyne"])
    with pytest.raises(NotFound, match="no longer exists"):
        services.activities.log(ana, kind="note", subject="x", contact_id=connor)
    with pytest.raises(NotFound, match="There is no account called 'Cyberdyne'"):
        services.opportunities.create(ana, "Pilot", account="Cyberdyne")
    with pytest.raises(NotFound, match="There is no account called 'Cyberdyne'"):
        services.contacts.create(ana, "Miles Dyson", account="Cyberdyne")
    leads = LeadService(services.store)
    lead = leads.capture(ana, name="Kyle Reese", company="Resistance", owner_id=ana).lead
    with pytest.raises(NotFound, match="That account no longer exists"):
        leads.convert(ana, lead.id, account_id=world["Cyberdyne"])
    assert counts(services)[:2] == before[:2]


def test_a_rep_with_an_open_deal_on_anothers_account_still_works_it(
        chat: Chat, services: Services, world) -> None:
    logged = text_of(chat.say("note on tyrell: replicants demo went well", user="U0ANA"))
    assert "Logged a note on *Tyrell — Replicants*" in logged
    [activity] = services.activities.list_for(world["ana"])
    assert (activity.account_name, activity.opportunity_id) == ("Tyrell", world["replicants"])
    assert "*Tyrell — Replicants*" in text_of(chat.say("show tyrell", user="U0ANA"))


def test_a_manager_sees_the_teams_accounts_and_an_admin_sees_all(
        chat: Chat, services: Services, world) -> None:
    assert "*Acme — Renewal*" in text_of(chat.say("show acme", user="U0MO"))
    assert "Cyberdyne" not in text_of(chat.say("show cyberdyne", user="U0MO"))
    assert "*Cyberdyne — Skynet*" in text_of(chat.say("show cyberdyne", user="U0ADA"))
    assert "*Cyberdyne — Skynet*" in text_of(chat.say("show cyberdyne", user="U0OLA"))
    logged = text_of(chat.say("note on acme: checked in with the team", user="U0MO"))
    assert "Logged a note" in logged


def test_leads_name_only_accounts_and_contacts_the_rep_may_see(services: Services,
                                                               world) -> None:
    leads = LeadService(services.store)
    ana, oli = world["ana"], world["oli"]
    captured = leads.capture(ana, name="Sarah Connor", company="Cyberdyne", owner_id=ana)
    assert [d for d in captured.duplicates if d.kind in ("account", "contact")] == []
    assert {d.name for d in leads.capture(oli, name="Sarah Connor", company="Cyberdyne",
                                          owner_id=oli).duplicates} >= {"Cyberdyne",
                                                                        "Sarah Connor"}
    with pytest.raises(NotAllowed, match="outside your team") as refused:
        leads.convert(ana, captured.lead.id)  # the company is an account she may not see
    assert "Skynet" not in str(refused.value)
    near = leads.capture(ana, name="Kyle Reese", company="Cyberdyne Systems", owner_id=ana)
    done = leads.convert(ana, near.lead.id)  # no question naming Cyberdyne: a new account
    assert isinstance(done, Conversion) and done.account_name == "Cyberdyne Systems"
    theirs = leads.capture(oli, name="Kyle Reese", company="Cyberdyne Systemz", owner_id=oli)
    question = leads.convert(oli, theirs.lead.id)
    assert isinstance(question, AccountQuestion)
    assert [name for _, name in question.candidates] == ["Cyberdyne"]  # not Ana's new one


# -- issue 14, items 10-11: the paths still open -------------------------------------------


def test_a_renewal_is_not_created_on_an_account_the_rep_may_not_see(
        chat: Chat, services: Services, world, app, clock: ManualClock) -> None:
    """Ana owns a contract on Cyberdyne (Oli's territory now): its renewal reminder reaches
    her, but Create renewal must not open a deal on an account she may not act on."""
    with services.store.transaction() as s:
        s.add(Contract(account_id=world["Cyberdyne"], name="MSA", currency="USD",
                       value_minor=to_minor(Decimal(42000), "USD"), owner_id=world["ana"],
                       status="active", start_date=date(2025, 1, 1),
                       end_date=clock.now().date() + timedelta(days=80)))
    ReminderRunner(services, app.client, clock, "UTC", worker="test").run_once()
    chat.absorb()
    before = counts(services)
    chat.click(action_id="renewal_create", user="U0ANA")
    told = now_seen(chat, "U0ANA")
    assert "nothing was created" in told and "Skynet" not in told
    assert counts(services) == before
    with services.store.transaction() as s:
        assert s.scalar(select(Contract.renewal_opportunity_id)) is None


def test_the_duplicate_warning_names_no_lead_of_a_hidden_rep(chat: Chat, services: Services,
                                                             world) -> None:
    LeadService(services.store).capture(world["oli"], name="Kyle Reese", owner_id=world["oli"],
                                        email="kyle@resistance.example")
    [card] = chat.say("new lead: Kyle Reese, kyle@resistance.example", user="U0ANA")
    assert "Kyle Reese" in card.render() and "same email" not in card.render()
    [theirs] = chat.say("new lead: Kyle Reese, kyle@resistance.example", user="U0OLA")
    assert "lead Kyle Reese (same email" in theirs.render()  # Oli's manager is warned


def test_creating_an_account_that_exists_in_another_territory_names_nothing_of_it(
        chat: Chat, services: Services, world) -> None:
    """The name is unique, so the rep learns that an account by that name exists (a CRM's
    duplicate rule says as much), but not its owner, its deals or its spelling."""
    [question] = chat.say("new deal for CYBERDYNE: pilot, 10k", user="U0ANA")
    assert "Cyberdyne" not in question.render()
    before = counts(services)
    chat.click(action_id="account_new", user="U0ANA")
    told = now_seen(chat, "U0ANA")
    assert "belongs to someone else's territory" in told and "ask your manager" in told
    for hidden in ("Cyberdyne", "Oli", "Skynet", "Sarah"):
        assert hidden not in told
    assert counts(services) == before
    with pytest.raises(Conflict, match="An account called 'Acme' already exists"):
        services.accounts.create(world["mo"], "acme")  # a visible one is named


def _forge_stage(message: Message, stage_id: int) -> None:
    """Make the card's stage menu offer a stage id of the forger's choosing."""
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == "opp_pick_stage":
                opp_id, shown, _ = element["options"][0]["value"].split(":")
                element["options"][0]["value"] = f"{opp_id}:{shown}:{stage_id}"
                return
    raise AssertionError("no stage menu")


def test_a_forged_or_retired_stage_id_is_refused_in_words(chat: Chat, services: Services,
                                                          world) -> None:
    with services.store.transaction() as s:
        retired = s.scalar(select(Stage).where(Stage.name == "Needs Analysis"))
        assert retired is not None
        retired.is_active = False
        retired_id = retired.id
    for stage_id in (99_999, retired_id):
        [card] = chat.say("show acme", user="U0ANA")
        _forge_stage(card, stage_id)
        chat.click(action_id="opp_pick_stage", option="1", user="U0ANA")
        told = now_seen(chat, "U0ANA")
        assert "That stage is no longer in the pipeline" in told, told
        assert services.opportunities.get(world["ana"], world["acme deal"]).stage.name == \
            "Prospecting"


def test_a_forged_account_id_reads_like_a_missing_one(chat: Chat, services: Services,
                                                      world) -> None:
    """Item 10's forged ids: a hidden account's id answers exactly as an id no account has."""
    told = {}
    for account_id in (world["Cyberdyne"], 99_999):
        [question] = chat.say("note on umbra: they want a demo", user="U0ANA")
        _forge_choice(question, account_id)
        chat.click(action_id="choose_1", user="U0ANA")
        told[account_id] = now_seen(chat, "U0ANA")
    assert told[world["Cyberdyne"]] == told[99_999]
    assert "nothing was logged" in told[99_999]


def test_a_deactivated_rep_can_neither_click_nor_capture_leads(chat: Chat, services: Services,
                                                               world) -> None:
    """Item 11 beyond words and the pipeline: an old button and a new lead are refused too."""
    chat.say("note on acme: champion left", user="U0ANA")
    services.people.deactivate(world["ada"], "U0ANA", "U0MO")
    chat.click(action_id="undo", user="U0ANA")
    assert "access has been turned off by an admin" in now_seen(chat, "U0ANA")
    [reply] = chat.say("new lead: Kyle Reese from Resistance", user="U0ANA")
    assert "access has been turned off by an admin" in reply.render()
    assert len(services.activities.list_for(world["ana"])) == 1  # the note stands
    assert LeadService(services.store).mine(world["mo"]) == []
    with services.store.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 0


def test_a_new_deal_form_naming_a_retired_stage_is_refused(chat: Chat, services: Services,
                                                           world) -> None:
    """The form lists the stages as they were when it opened; one retired since (or a forged
    option) must not become a new deal's stage."""
    chat.command("/sales new", user="U0ANA")
    with services.store.transaction() as s:
        retired = s.scalar(select(Stage).where(Stage.name == "Needs Analysis"))
        assert retired is not None
        retired.is_active = False
    before = counts(services)
    response = chat.submit({"Name": "Pilot", "Account": "Acme", "Stage": "Needs Analysis"},
                           user="U0ANA")
    errors = json.loads(response.body)["errors"]
    assert errors == {"stage": "The stage 'Needs Analysis' is no longer in use."}
    assert counts(services) == before
