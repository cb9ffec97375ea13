"""Workflow rules: each fires once per event, through the reminder runner."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.localslack import LocalSlack
from bot.reminders import ReminderRunner
from store.config_files import PolicyError
from store.models import Case, Contract
from store.services import Services
from store.services.workflow.rules import load_rules


@pytest.fixture
def team(services: Services):
    mo = services.users.get_or_create("U0MO", name="Mo Manager")
    services.users.set_role("U0MO", "manager")
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    with services.store.transaction() as s:
        from store.models import User

        s.get(User, ana.id).manager_id = mo.id
        s.get(User, ana.id).weekend_reminders = True
        s.get(User, mo.id).weekend_reminders = True
    services.accounts.create(ana.id, "Acme")
    return ana, mo


@pytest.fixture
def runner(services: Services, app, clock) -> ReminderRunner:
    return ReminderRunner(services, app.client, clock, "UTC", worker="t")


def posted(slack: LocalSlack, channel: str) -> list[str]:
    return [c.args["text"] for c in slack.calls_of("chat.postMessage")
            if c.args["channel"] == channel]


def test_big_deal_tells_the_manager_once(services: Services, team, runner, slack, clock
                                         ) -> None:
    ana, _ = team
    opp = services.opportunities.create(ana.id, "Renewal", account="Acme", amount=Decimal(5000))
    runner.run_once()
    assert posted(slack, "U0MO") == []
    services.opportunities.update(ana.id, opp.id, amount=Decimal(150000))
    clock.advance(timedelta(hours=1))
    runner.run_once()
    runner.run_once()
    assert posted(slack, "U0MO") == ["Ana Rep's deal Acme — Renewal is now 150,000.00 USD."]


def test_negotiation_creates_a_task_once(services: Services, team, runner, clock) -> None:
    ana, _ = team
    opp = services.opportunities.create(ana.id, "Renewal", account="Acme")
    services.opportunities.move_stage(ana.id, opp.id, "Negotiation/Review")
    runner.run_once()
    runner.run_once()
    tasks = [a for a in services.activities.list_for(ana.id) if a.kind == "task"]
    assert [t.subject for t in tasks] == ["Send the contract draft for Acme — Renewal"]
    assert tasks[0].follow_up_at.date() == (clock.now() + timedelta(days=2)).date()


def test_a_case_on_a_renewing_account(services: Services, team, runner, slack, clock) -> None:
    ana, _ = team
    acme = services.accounts.get("acme")
    with services.store.transaction() as s:
        s.add(Contract(account_id=acme.id, name="MSA", value_minor=100, currency="USD",
                       start_date=date(2025, 1, 1), end_date=clock.now().date() +
                       timedelta(days=40), owner_id=ana.id, status="active"))
        s.add(Case(number="CS-1", account_id=acme.id, subject="Login broken", status="new",
                   priority="high", opened_at=clock.now()))
    runner.run_once()
    assert "A support case was opened on Acme, which renews soon: CS-1 Login broken." in \
        posted(slack, "U0ANA")


def test_a_channel_rule_from_a_custom_file(services: Services, team, slack, app, clock,
                                          tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("rules:\n  - name: Enterprise account\n"
                     "    when: {event: account.created, employees_above: 1000}\n"
                     "    then:\n      notify: {channel: C0SALES}\n"
                     "      message: 'New enterprise account: {account} ({employees})'\n")
    services.workflow.rules = load_rules(rules)
    ana, _ = team
    services.accounts.create(ana.id, "Tiny", employees=5)
    services.accounts.create(ana.id, "Huge", employees=5000)
    ReminderRunner(services, app.client, clock, "UTC", worker="t").run_once()
    assert posted(slack, "C0SALES") == ["New enterprise account: Huge (5000)"]


def test_a_bad_rules_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yml"
    bad.write_text("rules:\n  - name: x\n    when: {event: deal.exploded}\n"
                   "    then: {task: {days: 1, subject: y}}\n")
    with pytest.raises(PolicyError, match=r"rules.yml:3: rules.0.when.event"):
        load_rules(bad)


def test_big_deal_says_the_amount_that_crossed_not_a_later_one(
        services: Services, team, runner, slack, clock) -> None:
    ana, mo = team
    opp = services.opportunities.create(ana.id, "Renewal", account="Acme", amount=Decimal(5000))
    services.reminders.mute(mo.id, clock.now() + timedelta(hours=3))  # the notice waits
    services.opportunities.update(ana.id, opp.id, amount=Decimal(150000))
    clock.advance(timedelta(hours=1))
    runner.run_once()
    services.opportunities.update(ana.id, opp.id, amount=Decimal(90000))  # before it goes out
    clock.advance(timedelta(days=1))
    runner.run_once()
    assert posted(slack, "U0MO") == ["Ana Rep's deal Acme — Renewal is now 150,000.00 USD."]
