"""The hot paths cost a fixed number of statements whatever the book's size: App Home for a
rep with many deals and for an admin, the approvals queue, a DM that logs an activity; and
the name cache is re-read only when a name changed (issue 17, item 5).

Statements are counted with a `before_cursor_execute` listener on the store's engine; each
path is run at two sizes, and the count must not grow with the size."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from bot.chat import Chat
from handlers.conversation.names import Names, _known
from handlers.language.normalise import normalise
from handlers.language.spotting import Gazetteer
from store.db import Store
from store.models import Account, Opportunity, Product, Stage
from store.services import Services
from store.services.people import name_changes
from store.services.people.directory import Directory
from store.services.quotes.quotes import LineSpec
from store.statement_count import Statements, counting
from tests.conftest import START, add_users


def add_deals(services: Services, owner_id: int, count: int, *, prefix: str) -> None:
    """`count` open deals of `owner_id` on accounts of their own, in one transaction."""
    with services.store.transaction() as s:
        stages = list(s.scalars(select(Stage).where(Stage.kind == "open")
                                .order_by(Stage.position)))[:3]
        accounts = [Account(name=f"{prefix} {i}", name_key=f"{prefix} {i}".lower(),
                            owner_id=owner_id) for i in range(count)]
        s.add_all(accounts)
        s.flush()
        s.add_all(Opportunity(
            name="Renewal", account_id=a.id, owner_id=owner_id, stage_id=stages[i % 3].id,
            amount_minor=100_00, currency="USD", close_date=(START + timedelta(days=i)).date(),
            probability=stages[i % 3].probability, probability_overridden=False,
            stage_changed_at=START) for i, a in enumerate(accounts))


def statements(store: Store, action: Callable[[], object]) -> Statements:
    with counting(store.engine) as seen:
        action()
    return seen


# -- App Home --------------------------------------------------------------------------------

def test_home_of_a_rep_costs_the_same_with_ten_times_the_deals(
        chat: Chat, services: Services) -> None:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    add_deals(services, ana.id, 20, prefix="Small")
    chat.open_home()  # first sight of Ana's Home: nothing cold left to count
    small = statements(services.store, chat.open_home)
    add_deals(services, ana.id, 380, prefix="Large")
    large = statements(services.store, chat.open_home)
    home = chat.open_home()
    assert len(large) == len(small) <= 18
    # what Ana sees: every stage's count and total, 15 deals each, the rest counted
    assert "Prospecting* · 134 · $13,400" in home and "…and 119 more" in home
    assert "Needs Analysis* · 134 · $13,400" in home and "Value Proposition* · 132" in home
    assert "…and 117 more" in home
    assert home.count("• *Small") + home.count("• *Large") == 45


def test_home_of_an_admin_shows_their_own_deals_read_in_sql(
        chat: Chat, services: Services, admin: int) -> None:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    add_deals(services, admin, 4, prefix="Mine")
    add_deals(services, ana.id, 30, prefix="Hers")
    chat.open_home(user="UADMIN")
    small = statements(services.store, lambda: chat.open_home(user="UADMIN"))
    add_deals(services, ana.id, 300, prefix="Theirs")
    large = statements(services.store, lambda: chat.open_home(user="UADMIN"))
    home = chat.open_home(user="UADMIN")
    assert len(large) == len(small) <= 18
    assert "Mine 0" in home and "Hers" not in home and "Theirs" not in home
    # the company's deals are never read into Python: every read names the admin
    deal_reads = [s for s in large if re.search(r"FROM opportunities", s)]
    assert deal_reads and all("owner_id" in s for s in deal_reads)


# -- the approvals queue ---------------------------------------------------------------------

@pytest.fixture
def approvers(services: Services) -> dict[str, int]:
    with services.store.transaction() as s:
        people = add_users(s, {"mo": ("U0MO", "Mo Manager", "manager"),
                               "ana": ("U0ANA", "Ana Rep", "rep")}, managers={"ana": "mo"})
        s.add(Product(sku="PLAT-SEAT", name="Platform seat", list_price_minor=120000,
                      currency="USD", is_active=True))
        ids = {k: u.id for k, u in people.items()}
    return ids


def ask_approvals(services: Services, ana: int, count: int, start: int) -> None:
    for i in range(start, start + count):
        services.accounts.create(ana, f"Customer {i}")
        deal = services.opportunities.create(ana, "Expansion", account=f"Customer {i}")
        quote = services.quotes.create(ana, deal.id, [
            LineSpec(product="platform", quantity=10, discount_percent=Decimal(15))])
        services.approvals.request(ana, quote.id)


def test_the_approvals_queue_costs_the_same_however_long(
        chat: Chat, services: Services, approvers: dict[str, int]) -> None:
    ask_approvals(services, approvers["ana"], 2, 0)
    small = statements(services.store, lambda: services.approvals.queue(approvers["mo"]))
    ask_approvals(services, approvers["ana"], 8, 2)
    large = statements(services.store, lambda: services.approvals.queue(approvers["mo"]))
    assert len(large) == len(small) <= 10
    queue = services.approvals.queue(approvers["mo"])
    assert [p.quote.opportunity_title for p in queue][:2] == [
        "Customer 0 — Expansion", "Customer 1 — Expansion"]
    assert {p.requester_name for p in queue} == {"Ana Rep"} and len(queue) == 10
    # in Slack: the list names all ten, and Home shows them with the count
    replies = chat.say("approvals", user="U0MO")
    assert "10 approval(s) waiting" in replies[-1].text
    assert "Customer 9 — Expansion" in chat.open_home(user="U0MO")


# -- a DM that logs an activity, and the name cache ------------------------------------------

def _full_name_loads(seen: Iterable[str]) -> int:
    """Statements reading every contact's name: the name cache reloading everything."""
    return sum(1 for s in seen if re.search(
        r"FROM contacts\s+WHERE contacts\.archived_at IS NULL ORDER BY", s))


def _scans(seen: Iterable[str]) -> list[str]:
    return [s for s in seen if re.search(r"max\(\w+\.updated_at\)|count\(\*\)", s, re.I)]


def test_a_dm_that_logs_an_activity_costs_the_same_with_more_deals(
        chat: Chat, services: Services) -> None:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    services.accounts.create(ana.id, "Acme")
    services.opportunities.create(ana.id, "Renewal", account="Acme")
    add_deals(services, ana.id, 10, prefix="Small")
    chat.say("logged a call with acme, they want pricing")
    small = statements(services.store, lambda: chat.say("logged a call with acme, again"))
    add_deals(services, ana.id, 200, prefix="Large")
    chat.say("logged a call with acme, once more")  # the new names are read once
    large = statements(services.store, lambda: chat.say("logged a call with acme, last"))
    assert len(large) == len(small) <= 40
    assert not _scans(large)
    assert _full_name_loads(large) == 0
    acme = services.accounts.get("Acme")
    logged = services.activities.list_for(ana.id, account_id=acme.id)
    assert [a.subject for a in logged][:2] == ["Last", "Once more"]


def test_a_logged_activity_does_not_reload_the_names(chat: Chat, services: Services) -> None:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    services.accounts.create(ana.id, "Acme")
    services.opportunities.create(ana.id, "Renewal", account="Acme")
    chat.say("logged a call with acme")
    with counting(services.store.engine) as seen:
        chat.say("had a meeting with acme, went well")
        chat.say("note on acme: champion left")
    assert _full_name_loads(seen) == 0 and not _scans(seen)
    assert len(services.activities.list_for(ana.id)) == 3


def test_a_name_added_or_changed_elsewhere_is_seen_by_the_next_message(
        chat: Chat, services: Services, database_url: str, clock: Any) -> None:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    services.accounts.create(ana.id, "Acme")
    chat.say("logged a call with acme")
    other = Store(database_url, clock)  # another process on the same database
    try:
        elsewhere = Services(other)
        elsewhere.accounts.create(ana.id, "Zenith Labs")
        elsewhere.people.sync_profile("U0ANA", name="Ana Ramos", email=None, timezone=None)
        with counting(services.store.engine) as seen:
            chat.say("logged a call with zenith labs about pricing")
        zenith = services.accounts.get("Zenith Labs")
        assert [a.subject for a in services.activities.list_for(
            ana.id, account_id=zenith.id)] == ["Pricing"]
        assert _full_name_loads(seen) == 0  # the two new names were patched in
    finally:
        other.dispose()


def test_the_directory_patches_renamed_and_new_names_and_reloads_after_an_import(
        services: Services, database_url: str, clock: Any) -> None:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    services.accounts.create(ana.id, "Acme")
    services.opportunities.create(ana.id, "Renewal", account="Acme")
    directory = Directory(services.store)
    first = directory.name_rows()
    services.activities.log(ana.id, kind="call", subject="x",
                            account_id=services.accounts.get("Acme").id)
    assert directory.name_rows() is first  # an activity changes no name
    other = Store(database_url, clock)
    try:
        elsewhere = Services(other)
        elsewhere.people.sync_profile("U0ANA", name="Ana Ramos", email=None, timezone=None)
        deal = elsewhere.opportunities.create(ana.id, "Upsell", account="Acme")
        with counting(services.store.engine) as seen:
            rows = directory.name_rows()
        assert (ana.id, "Ana Ramos") in rows.users and (ana.id, "Ana Rep") not in rows.users
        assert (deal.id, "Upsell", deal.account_id, "Acme") in rows.deals
        assert directory.reloads == 1 and len(seen) <= 5
        elsewhere.opportunities.close(ana.id, deal.id, "won")
        assert deal.id not in {d[0] for d in directory.name_rows().deals}
        assert directory.reloads == 1
        with other.transaction() as s:
            name_changes.changed(s, "all")  # what an import records
        directory.name_rows()
        assert directory.reloads == 2
    finally:
        other.dispose()


def test_the_spotter_is_patched_to_what_a_fresh_build_reads(
        services: Services) -> None:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    ben = services.users.get_or_create("U0BEN", name="Ben Oduya")
    for name in ("Acme", "Globex", "Initech"):
        services.accounts.create(ana.id, name)
    renewal = services.opportunities.create(ana.id, "Renewal", account="Acme")
    services.opportunities.create(ana.id, "Expansion", account="Globex")
    names = Names(Directory(services.store))
    names.gazetteer()
    services.accounts.create(ana.id, "Vandelay Industries")
    services.opportunities.create(ana.id, "Import deal", account="Vandelay Industries")
    services.contacts.create(ana.id, "Jane Roe", account="Globex")
    services.people.sync_profile("U0BEN", name="Benedict Oduya", email=None, timezone=None)
    services.opportunities.close(ana.id, renewal.id, "won")
    patched = names.gazetteer()
    assert names.rebuilds == 1  # the first build only
    fresh = Gazetteer(_known(names.directory.name_rows()))
    for text in ("logged a call with vandelay about the import deal",
                 "mtg w/ jane at globex re the expansion", "benedict approved it",
                 "ben said no", "acme renewal signed", "vandelay industrys import",
                 "initech and globex"):
        words = normalise(text).words
        assert patched.spot(words) == fresh.spot(words), text
    said = {(m.kind, m.known.name) for m in patched.spot(normalise(
        "call with vandelay, benedict and jane roe on the acme renewal").words)}
    assert ("account", "Vandelay Industries") in said and ("user", "Benedict Oduya") in said
    assert ("contact", "Jane Roe") in said and ("deal", "Acme Renewal") not in said
    assert ben.id in {k.id for k in _known(names.directory.name_rows()) if k.kind == "user"}
