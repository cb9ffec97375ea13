"""Account health through the real app: "how's acme doing", "show acme", renewal questions;
and the number of SQL statements it takes, which must not grow with the account."""

from __future__ import annotations

from datetime import date, timedelta

from bot.chat import Chat
from store.db import Store
from store.models import Account, Activity, Case, Contract, Opportunity, Stage
from store.services import Services
from store.statement_count import counting


def _grow(store: Store, services: Services, ana: int, account: str, deals: int,
          activities: int) -> None:
    """`deals` open deals and `activities` activities on `account` (written directly: the
    point is the reading side)."""
    with store.transaction() as s:
        account_id = s.query(Account.id).filter(Account.name == account).scalar()
        prospecting = s.query(Stage).filter(Stage.name == "Prospecting").one()
        opps = [Opportunity(name=f"Deal {i}", account_id=account_id, owner_id=ana,
                            stage_id=prospecting.id, amount_minor=100_000, currency="USD",
                            close_date=date(2027, 1, 1) + timedelta(days=i),
                            probability=10, stage_changed_at=store.now())
                for i in range(deals)]
        s.add_all(opps)
        s.flush()
        s.add_all(Activity(kind="call", subject=f"Call {i}", owner_id=ana,
                           account_id=account_id, opportunity_id=opps[i % len(opps)].id,
                           occurred_at=store.now() - timedelta(minutes=i))
                  for i in range(activities))


def _statements(store: Store, chat: Chat, text: str) -> int:
    with counting(store.engine) as seen:
        chat.say(text)
    return len(seen)


def test_the_statements_do_not_grow_with_the_account(chat: Chat, services: Services,
                                                      store: Store, book) -> None:
    _grow(store, services, book["ana"], "Umbrella", deals=1, activities=1)  # 2 deals
    _grow(store, services, book["ana"], "Initech", deals=20, activities=100)
    _grow(store, services, book["ana"], "Hooli", deals=50, activities=2000)
    for text in ("how's umbrella doing", "how's initech doing", "how's hooli doing"):
        chat.say(text)  # once first: caches (names, users) are warm after it
    small = _statements(store, chat, "how's umbrella doing")
    middle = _statements(store, chat, "how's initech doing")
    big = _statements(store, chat, "how's hooli doing")
    # past 15 deals one more statement counts the rest; nothing grows per deal or activity
    assert middle == big and big - small <= 1, (small, middle, big)
    [reply] = chat.transcript[-1:]
    assert "…and 36 more" in str(reply.blocks)  # 51 open deals: 15 shown, the rest counted
    assert "Call 0" in str(reply.blocks)  # the latest activity


def test_health_says_deals_renewal_cases_and_last_activity(chat: Chat, services: Services,
                                                           store: Store, book) -> None:
    with store.transaction() as s:
        acme = s.query(Account.id).filter(Account.name == "Acme").scalar()
        s.add(Contract(account_id=acme, name="Acme subscription", value_minor=9_000_000,
                       currency="USD", start_date=date(2026, 1, 1), end_date=date(2027, 2, 28),
                       owner_id=book["ana"], status="active"))
        s.add(Case(number="CS-1", account_id=acme, subject="SSO login fails", status="new",
                   priority="high", opened_at=store.now()))
    chat.say("call w/ acme re pricing")
    before = services.opportunities.get(book["ana"], book["acme"])
    [reply] = chat.say("how's acme doing")
    text = str(reply.blocks)
    assert "Acme — Renewal" in text and "$84,000" in text and "Prospecting" in text
    assert "Acme subscription ends Sun, Feb 28, 2027" in text
    assert "Open cases_: 1 (SSO login fails)" in text
    assert "Pricing" in text  # the call just logged
    assert services.opportunities.get(book["ana"], book["acme"]) == before  # no write
    [renews] = chat.say("when does the acme contract renew?")
    assert "Renews Sun, Feb 28, 2027" in str(renews.blocks)


def test_show_an_account_with_several_open_deals_is_its_health(chat: Chat, services: Services,
                                                               book) -> None:
    """"show acme" and "acme?" with two open deals show the account, not "which deal?"."""
    services.opportunities.create(book["ana"], "Expansion EU", account="Acme", amount=30000)
    chat.say("call w/ acme re pricing")
    for text in ("show acme", "acme?"):
        [reply] = chat.say(text)
        shown = str(reply.blocks)
        assert "Which deal" not in reply.text and not reply.controls
        assert "Acme — Renewal" in shown and "Acme — Expansion EU" in shown
        assert "_Open deals_ (2" in shown and "_Renewal_" in shown
        assert "Pricing" in shown  # the last activity
    [card] = chat.say("show acme renewal")  # a deal named: its card, with its buttons
    assert any(c.action_id == "opp_next_stage" for c in card.controls)
