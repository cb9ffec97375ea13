"""Leads: captured in words or a form, assigned by rules or round-robin with the new owner
told, duplicates flagged, qualified, disqualified with a reason, and converted in one
transaction after asking which account was meant."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.chat import Chat
from handlers.language.lead_text import LeadFields, parse_lead
from store.errors import Conflict, InvalidInput, NotAllowed
from store.models import Account, Contact, Lead, Opportunity, OpportunityHistory, Team, User
from store.services import Services
from store.services.leads.leads import LeadService
from store.services.leads.rules import load_lead_rules
from store.services.leads.views import AccountQuestion, Conversion


@pytest.fixture
def team(services: Services) -> dict[str, int]:
    with services.store.transaction() as s:
        people = {sid: User(slack_user_id=sid, name=name, role=role) for sid, name, role in (
            ("U0MO", "Mo Manager", "manager"), ("U0ANA", "Ana Rep", "rep"),
            ("U0DANA", "Dana Kim", "rep"), ("U0BEN", "Ben Berlin", "rep"),
            ("U0ADA", "Ada Admin", "admin"))}
        s.add_all(people.values())
        s.flush()
        sales = Team(name="Sales", manager_id=people["U0MO"].id)
        dach = Team(name="DACH")
        s.add_all([sales, dach])
        s.flush()
        for sid in ("U0ANA", "U0DANA"):
            people[sid].team_id, people[sid].manager_id = sales.id, people["U0MO"].id
        people["U0BEN"].team_id = dach.id
        ids = {k: u.id for k, u in people.items()}
    # an admin sets the accounts up for Ana: a rep converts leads into accounts they may see
    services.accounts.create(ids["U0ADA"], "Hooli Inc", industry="Internet",
                             owner_id=ids["U0ANA"])
    services.accounts.create(ids["U0ADA"], "Globex", owner_id=ids["U0ANA"])
    services.accounts.create(ids["U0ADA"], "Umbrella", industry="Pharma")
    services.contacts.create(ids["U0ADA"], "Jane Roe", account="Hooli Inc",
                             email="jane@hooli.com")
    return ids


def counts(services: Services) -> tuple[int, ...]:
    with services.store.transaction() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (
            Account, Contact, Opportunity, OpportunityHistory))


def test_the_lead_sentence_is_read_into_fields() -> None:
    assert parse_lead("Jane Roe, CTO at Hooli, met at the trade show") == LeadFields(
        "Jane Roe", company="Hooli", title="CTO", source="trade show")
    assert parse_lead("Omar Haddad (Globex), VP Sales, omar@globex.com, +1 415 555 0100") == \
        LeadFields("Omar Haddad", "Globex", "VP Sales", "omar@globex.com", "+1 415 555 0100")
    assert parse_lead("Li Wei, Initech, head of IT") == LeadFields(
        "Li Wei", company="Initech", title="head of IT")
    assert parse_lead("Sam Smith from Acme") == LeadFields("Sam Smith", company="Acme")
    assert parse_lead("  ") is None


def test_leads_go_round_robin_and_the_new_owner_is_told(chat: Chat, services: Services,
                                                       team) -> None:
    [told, card] = chat.say("new lead: Jane Roe, CTO at Hooli, met at the trade show",
                            user="U0MO")
    assert (told.recipient, card.recipient) == ("U0ANA", "U0MO")
    text = card.render()
    assert "*Jane Roe* — CTO at Hooli · source: trade show" in text
    assert "Assigned to Ana Rep (round-robin in the team)." in text
    assert "New lead for you from Mo Manager." in told.render()
    assert [c.action_id for c in told.controls] == ["lead_qualify", "lead_convert",
                                                    "lead_disqualify"]
    chat.say("new lead: Omar Haddad from Globex", user="U0MO")
    chat.say("new lead: Li Wei, Initech", user="U0MO")
    with services.store.transaction() as s:
        owners = [s.get(User, lead.owner_id).slack_user_id
                  for lead in s.scalars(select(Lead).order_by(Lead.id))]
    assert owners == ["U0ANA", "U0DANA", "U0ANA"]
    [mine] = chat.say("leads", user="U0DANA")
    assert "*Your open leads* (1)" in mine.render()


def test_rules_assign_by_territory_and_industry(services: Services, team, tmp_path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("leads:\n"
                     "  - when: {email_domain: .de}\n    team: DACH\n"
                     "  - when: {industry: pharma, source: conference}\n"
                     "    user: U0DANA\n", encoding="utf-8")
    leads = LeadService(services.store, rules=load_lead_rules(rules))
    german = leads.capture(team["U0MO"], name="Kai Berg", email="kai@firma.de")
    assert (german.lead.owner_slack_id, german.assigned_because) == (
        "U0BEN", "rule: email_domain .de, round-robin")
    assert german.notify_slack_id == "U0BEN"
    pharma = leads.capture(team["U0ANA"], name="Pia Lo", company="umbrella",
                           source="Pharma conference 2026")
    assert pharma.lead.owner_slack_id == "U0DANA"
    other = leads.capture(team["U0ANA"], name="Al Bo", company="Umbrella", source="webinar")
    assert other.assigned_because == "round-robin in the team"
    bad = tmp_path / "bad.yml"
    bad.write_text("leads:\n  - when: {planet: mars}\n    team: DACH\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="lead rule 1 needs conditions among"):
        load_lead_rules(bad)
    assert load_lead_rules(None).rules == ()


def test_duplicates_are_flagged(chat: Chat, services: Services, team) -> None:
    [card] = chat.say("new lead: Jane Roe, CTO at Hooli, jane@hooli.com", user="U0ANA")
    text = card.render()
    assert "contact Jane Roe (same email jane@hooli.com)" in text
    assert "account Hooli Inc (similar name (90))" in text
    leads = LeadService(services.store)
    again = leads.capture(team["U0ANA"], name="Roe, Jane", email="JANE@hooli.com")
    assert {(d.kind, d.name, d.reason) for d in again.duplicates} == {
        ("lead", "Jane Roe", "same email JANE@hooli.com"),
        ("contact", "Jane Roe", "same email JANE@hooli.com")}
    typo = leads.capture(team["U0ANA"], name="Jane Rowe", company="Globex")
    assert {(d.kind, d.name) for d in typo.duplicates} >= {
        ("lead", "Jane Roe"), ("contact", "Jane Roe"), ("account", "Globex")}
    fresh = leads.capture(team["U0ANA"], name="Zed Quill", company="Nowhere Ltd")
    assert fresh.duplicates == ()


def test_convert_asks_which_account_then_converts(chat: Chat, services: Services,
                                                  team) -> None:
    chat.say("new lead: Jane Roe, CTO at Hooli, met at the trade show, jane@hooli.com",
             user="U0ANA")
    before = counts(services)
    chat.click(action_id="lead_convert", user="U0ANA")
    question = chat.latest("U0ANA", with_controls=True)
    assert "Before I convert: is *Hooli* one of these accounts?" in question.render()
    assert [c.label for c in question.controls] == ["Use Hooli Inc", "New account “Hooli”"]
    assert counts(services) == before  # asking wrote nothing
    assert [c.action_id for c in question.controls] == ["lead_account_pick_0",
                                                         "lead_account_pick_new"]
    chat.click(action_id="lead_account_pick_0", user="U0ANA")  # Use Hooli Inc
    done = chat.latest("U0ANA").render()
    assert ("Converted *Jane Roe*: account *Hooli Inc*, their existing contact, and the deal "
            "*Hooli Inc — New business — Jane Roe* in *Prospecting* (owner Ana Rep).") in done
    with services.store.transaction() as s:
        lead = s.scalar(select(Lead))
        opp = s.get(Opportunity, lead.converted_opportunity_id)
        hooli = s.scalar(select(Account).where(Account.name == "Hooli Inc"))
        assert (lead.status, lead.converted_account_id) == ("converted", hooli.id)
        assert lead.converted_contact_id == s.scalar(select(Contact.id))
        assert (opp.account_id, opp.stage.name, opp.owner.slack_user_id) == (
            hooli.id, "Prospecting", "U0ANA")
        assert s.scalar(select(func.count()).select_from(OpportunityHistory)) == 1
    assert counts(services)[:3] == (before[0], before[1], before[2] + 1)
    with pytest.raises(Conflict, match="already converted"):
        LeadService(services.store).convert(team["U0ANA"], lead.id)


def test_convert_matches_an_exact_account_or_creates_one(services: Services, team) -> None:
    leads = LeadService(services.store)
    ana = team["U0ANA"]
    globex = leads.capture(ana, name="Omar Haddad", company="GLOBEX", owner_id=ana).lead
    done = leads.convert(team["U0ANA"], globex.id, amount=Decimal("25000"))
    assert isinstance(done, Conversion) and not done.account_created
    assert (done.account_name, done.opportunity.amount) == ("Globex", Decimal("25000.00"))
    hooli = leads.capture(ana, name="Jo Park", company="Hooli", owner_id=ana).lead
    question = leads.convert(team["U0ANA"], hooli.id)
    assert isinstance(question, AccountQuestion) and question.candidates[0][1] == "Hooli Inc"
    created = leads.convert(team["U0ANA"], hooli.id, new_account=True)
    assert isinstance(created, Conversion) and created.account_created
    assert created.account_name == "Hooli" and not created.contact_reused
    solo = leads.capture(ana, name="Pat Solo", owner_id=ana).lead
    alone = leads.convert(team["U0ANA"], solo.id)
    assert isinstance(alone, Conversion) and alone.account_id is None


def test_a_failure_half_way_through_conversion_leaves_nothing(services: Services, team,
                                                              monkeypatch) -> None:
    leads = LeadService(services.store)
    lead = leads.capture(team["U0ANA"], name="Nia Fail", company="Brand New Co",
                         email="nia@brandnew.example").lead
    before = counts(services)
    # the account and contact are written, then the deal fails: a currency nobody has
    with pytest.raises(InvalidInput, match="not a currency code"):
        leads.convert(team["U0ANA"], lead.id, currency="ZZZ")
    import store.services.leads.leads as module

    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(module, "create_opportunity", broken)
    with pytest.raises(RuntimeError):
        leads.convert(team["U0ANA"], lead.id)
    assert counts(services) == before
    assert leads.get(team["U0ANA"], lead.id).status == "new"
    with services.store.transaction() as s:
        assert s.scalar(select(Account).where(Account.name == "Brand New Co")) is None


def test_qualify_and_disqualify_with_a_reason(chat: Chat, services: Services, team) -> None:
    chat.say("new lead: Omar Haddad from Globex", user="U0ANA")
    chat.click(action_id="lead_qualify", user="U0ANA")
    card = chat.latest("U0ANA", with_controls=True)
    assert "Status: qualified" in card.render()
    assert [c.action_id for c in card.controls] == ["lead_convert", "lead_disqualify"]
    chat.click(action_id="lead_disqualify", user="U0ANA")
    assert chat.open_modal("U0ANA").view["callback_id"] == "lead_disqualify"
    chat.submit({"Why not a fit?": "   "}, user="U0ANA")
    assert chat.open_modal("U0ANA") is not None  # a reason is required
    chat.submit({"Why not a fit?": "no budget this year"}, user="U0ANA")
    assert "Status: disqualified · owner Ana Rep · reason: no budget this year" in \
        chat.latest("U0ANA").render()
    assert LeadService(services.store).mine(team["U0ANA"]) == []  # no longer open
    with services.store.transaction() as s:
        lead = s.scalar(select(Lead))
    with pytest.raises(Conflict):
        LeadService(services.store).convert(team["U0ANA"], lead.id)


def test_only_the_owner_and_their_managers_handle_a_lead(services: Services, team) -> None:
    leads = LeadService(services.store)
    lead = leads.capture(team["U0ANA"], name="Kim Lee", owner_id=team["U0ANA"]).lead
    with pytest.raises(NotAllowed, match="outside your team"):
        leads.qualify(team["U0BEN"], lead.id)
    assert leads.qualify(team["U0MO"], lead.id).status == "qualified"
    with pytest.raises(NotAllowed, match="not in your team"):
        leads.capture(team["U0ANA"], name="X Y", owner_id=team["U0DANA"])
    with pytest.raises(InvalidInput, match="needs a reason"):
        leads.disqualify(team["U0ANA"], lead.id, " ")


def test_the_lead_form(chat: Chat, services: Services, team) -> None:
    [prompt] = chat.command("/sales lead", user="U0ANA")
    assert "Who is the lead?" in prompt.render()
    chat.click(action_id="lead_form", user="U0ANA")
    chat.submit({"Name": "Eve Adams", "Company": "Globex", "Email": "eve@globex.com"},
                user="U0ANA")
    card = chat.latest("U0ANA", with_controls=True)
    assert "*Eve Adams* — Globex · eve@globex.com" in card.render()
    assert "Assigned to Ana Rep (round-robin in the team)." in card.render()
    assert [lead.name for lead in LeadService(services.store).mine(team["U0ANA"])] == [
        "Eve Adams"]


def test_a_source_said_before_the_person_is_the_source() -> None:
    assert parse_lead("from the webinar - tom jones at cyberdyne") == LeadFields(
        name="tom jones", company="cyberdyne", source="webinar")


@pytest.mark.parametrize("said", ["from the trade show", "at tyrell corp, don't know the name yet"])
def test_a_lead_with_no_person_named_has_no_name(said: str) -> None:
    assert parse_lead(said) is None
