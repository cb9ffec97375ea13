"""People admin, departures handed over in one transaction, Slack's profile and
lifecycle events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.chat import Chat
from bot.localslack import Failure, LocalSlack
from bot.reminders import ReminderRunner
from store.errors import NotAllowed
from store.services import Services
from store.services.quotes.quotes import LineSpec


@pytest.fixture
def office(services: Services, clock) -> dict[str, int]:
    users = services.users
    for slack_id, name in [("U0ADA", "Ada Admin"), ("U0MO", "Mo Manager"),
                           ("U0ANA", "Ana Rep"), ("U0BEN", "Ben Rep"), ("U0CAT", "Cat Rep")]:
        users.get_or_create(slack_id, name=name)
    users.set_role("U0ADA", "admin")
    users.set_role("U0MO", "manager")
    ids = {k: users.get(k).id for k in ("U0ADA", "U0MO", "U0ANA", "U0BEN", "U0CAT")}
    for rep in ("U0ANA", "U0BEN", "U0CAT"):
        services.people.update(ids["U0ADA"], rep, manager_ref="U0MO", team="East")
    services.accounts.create(ids["U0ANA"], "Acme")
    services.accounts.create(ids["U0CAT"], "Cyberdyne")
    return ids


def test_deactivating_moves_exactly_the_open_items(services: Services, office, clock) -> None:
    ana, ben, cat = office["U0ANA"], office["U0BEN"], office["U0CAT"]
    open_deal = services.opportunities.create(ana, "Renewal", account="Acme")
    won = services.opportunities.create(ana, "Old win", account="Acme")
    services.opportunities.move_stage(ana, won.id, "Closed Won")
    cats = services.opportunities.create(cat, "Robots", account="Cyberdyne")
    acme = services.accounts.get("acme")
    due = services.activities.log(ana, kind="call", subject="x", account_id=acme.id,
                                  follow_up_at=clock.now() + timedelta(days=2))
    done = services.activities.log(ana, kind="call", subject="y", account_id=acme.id)
    with services.store.transaction() as s:
        from store.models import Product

        s.add(Product(sku="P", name="Platform", list_price_minor=100000, currency="USD"))
    quote = services.quotes.create(cat, cats.id, [LineSpec(product="P", quantity=1,
                                                           discount_percent=Decimal(30))])
    services.people.update(office["U0ADA"], "U0CAT", manager_ref="U0ANA")
    step = services.approvals.request(cat, quote.id).notify[0]  # Ana must approve it
    assert step.approver_slack_id == "U0ANA"
    summary = services.people.deactivate(office["U0ADA"], "U0ANA", "U0BEN")
    assert (summary.opportunities, summary.accounts, summary.follow_ups, summary.approvals) == (
        1, 1, 1, 1)
    assert services.opportunities.get(ben, open_deal.id).owner_id == ben
    assert services.opportunities.get(office["U0ADA"], won.id).owner_id == ana  # closed: stays
    assert services.opportunities.get(cat, cats.id).owner_id == cat
    assert services.accounts.get("acme").owner_id == ben
    assert services.accounts.get("cyberdyne").owner_id == cat
    assert services.activities.get(office["U0ADA"], due.id).owner_id == ben
    assert services.activities.get(office["U0ADA"], done.id).owner_id == ana
    assert [p.step_id for p in services.approvals.queue(ben)] == [step.step_id]
    assert services.users.get("U0ANA").is_active is False


def test_only_admins_change_people(services: Services, office) -> None:
    with pytest.raises(NotAllowed):
        services.people.update(office["U0MO"], "U0ANA", role="admin")
    with pytest.raises(NotAllowed):
        services.people.deactivate(office["U0MO"], "U0ANA", "U0BEN")


def test_admin_form_in_slack(chat: Chat, services: Services, office) -> None:
    chat.command("/sales admin", user="U0ANA")
    assert "Only an admin" in chat.latest("U0ANA").text and chat.open_modal("U0ANA") is None
    chat.command("/sales admin", user="U0ADA")
    chat.submit({"Person": "U0CAT", "Role": "manager"}, user="U0ADA")
    assert services.users.get("U0CAT").role == "manager"
    chat.command("/sales admin", user="U0ADA")
    chat.submit({"Person": "U0BEN", "Deactivate, handing everything to": "U0CAT"}, user="U0ADA")
    assert "Ben Rep is deactivated" in chat.latest("U0ADA").text


def test_team_join_and_user_change(chat: Chat, services: Services, office, slack: LocalSlack,
                                   clock, app) -> None:
    chat.event({"type": "team_join", "user": {
        "id": "U0NEW", "name": "newbie", "tz": "Europe/Paris",
        "profile": {"real_name": "Nina New", "email": "nina@example.com"}}})
    assert services.users.get("U0NEW").timezone == "Europe/Paris"
    chat.event({"type": "user_change", "user": {
        "id": "U0NEW", "tz": "Asia/Tokyo", "profile": {"real_name": "Nina Newer"}}})
    nina = services.users.get("U0NEW")
    assert (nina.name, nina.timezone) == ("Nina Newer", "Asia/Tokyo")
    acme = services.accounts.get("acme")
    services.activities.log(office["U0ANA"], kind="call", subject="x", account_id=acme.id,
                            follow_up_at=clock.now())
    chat.event({"type": "user_change", "user": {"id": "U0ANA", "deleted": True,
                                                 "profile": {"real_name": "Ana Rep"}}})
    assert services.users.get("U0ANA").is_active is False
    told = [c.args["text"] for c in slack.calls_of("chat.postMessage")
            if c.args["channel"] == "U0ADA"]
    assert told and "1 open follow-up(s)" in told[0]
    runner = ReminderRunner(services, app.client, clock, "UTC", worker="t")
    assert runner.run_once().sent == 0


def test_uninstall_stops_sending(chat: Chat, services: Services, office, clock, app) -> None:
    acme = services.accounts.get("acme")
    services.activities.log(office["U0ANA"], kind="call", subject="x", account_id=acme.id,
                            follow_up_at=clock.now())
    chat.event({"type": "app_uninstalled"})
    runner = ReminderRunner(services, app.client, clock, "UTC", worker="t")
    assert runner.run_once().sent == 0
    chat.say("help", user="U0ANA")  # reinstalled: Slack sends events again
    assert runner.run_once().sent == 1


def test_after_tokens_revoked_an_event_does_not_resume_sending(
        chat: Chat, services: Services, office, clock, app, slack) -> None:
    acme = services.accounts.get("acme")
    services.activities.log(office["U0ANA"], kind="call", subject="x", account_id=acme.id,
                            follow_up_at=clock.now())
    chat.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0SALESBOT"]}})
    chat.say("help", user="U0ANA")  # a retry or a late event: our token is still revoked
    assert services.workspace.sending_enabled() is False
    runner = ReminderRunner(services, app.client, clock, "UTC", worker="t")
    slack.fail_next("auth.test", Failure(error="token_revoked"))
    assert runner.run_once().sent == 0
    assert runner.run_once().sent == 1  # a new token configured: Slack accepts it again
    assert services.workspace.sending_enabled() is True


def test_the_new_owner_hears_of_a_reassignment_and_a_hand_over(
        chat: Chat, services: Services, office) -> None:
    services.opportunities.create(office["U0ANA"], "Renewal", account="Acme",
                                  amount=Decimal(84000))
    replies = chat.say("give the acme renewal to ben", user="U0MO")
    [done] = [m for m in replies if m.recipient == "U0MO"]
    assert "owner Ana Rep → Ben Rep" in done.text
    told = chat.latest("U0BEN")
    assert told.render().startswith(
        ":handshake: Mo Manager gave you *Acme — Renewal* ($84,000, Prospecting, closes")
    assert told.render().endswith("until now Ana Rep's.")
    # the edit form: back to Ana, who hears it too
    chat.say("show acme renewal", user="U0MO")
    chat.click(action_id="opp_edit", user="U0MO")
    chat.submit({"Owner": str(office["U0ANA"])}, user="U0MO")
    assert "Mo Manager gave you *Acme — Renewal*" in chat.latest("U0ANA").render()
    # an admin's hand-over: the successor hears what came to them
    chat.command("/sales admin", user="U0ADA")
    chat.submit({"Person": "U0ANA", "Deactivate, handing everything to": "U0CAT"}, user="U0ADA")
    note = chat.latest("U0CAT").render()
    assert note.startswith(":inbox_tray: Ada Admin handed work over to you: Ana Rep is "
                           "deactivated; 1 open deal(s)")
