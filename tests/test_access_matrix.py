"""Who sees what: every role × object × action, allowed or refused, enforced in the store.

Reps see and change their own; managers (and directors) their team's, recursively;
admins everything; finance reads quotes and approvals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from store.errors import NotAllowed, NotFound
from store.models import Contact, Product
from store.services import Services
from store.services.leads.leads import LeadService
from store.services.quotes.quotes import LineSpec
from tests.conftest import add_users

ACTORS = ("owner", "teammate", "manager", "other_manager", "director", "admin", "finance")

# action → the actors allowed; everyone else must get NotAllowed and change nothing
MATRIX: dict[str, set[str]] = {
    "view deal": {"owner", "manager", "director", "admin"},
    "move deal": {"owner", "manager", "director", "admin"},
    "edit deal": {"owner", "manager", "director", "admin"},
    "reassign deal": {"manager", "director", "admin"},
    "view history": {"owner", "manager", "director", "admin"},
    "view activity": {"owner", "manager", "director", "admin"},
    "complete follow-up": {"owner", "manager", "director", "admin"},
    "view quote": {"owner", "manager", "director", "admin", "finance"},
    "revise quote": {"owner", "manager", "director", "admin"},
    "log on deal": {"owner", "manager", "director", "admin"},
    # accounts follow their owner (or an open deal on them), contacts their account; a
    # refusal is NotFound, in the words a missing account gets (no existence leak)
    "log on account": {"owner", "manager", "director", "admin"},
    "log on contact": {"owner", "manager", "director", "admin"},
    "create deal on account": {"owner", "manager", "director", "admin"},
    "add contact to account": {"owner", "manager", "director", "admin"},
    "convert lead into account": {"owner", "manager", "director", "admin"},
}
ACCOUNT_ACTIONS = {action for action in MATRIX if "account" in action or "contact" in action}


@pytest.fixture
def world(services: Services, clock) -> dict[str, int]:
    with services.store.transaction() as s:
        people = add_users(s, {
            "director": ("U0DIR", "Dee Director", "director"),
            "manager": ("U0MGR", "Max Manager", "manager"),
            "other_manager": ("U0OMG", "Ola Other", "manager"),
            "owner": ("U0OWN", "Oren Owner", "rep"),
            "teammate": ("U0TEA", "Tia Teammate", "rep"),
            "admin": ("U0ADM", "Ada Admin", "admin"),
            "finance": ("U0FIN", "Fin Finance", "finance"),
            "other_rep": ("U0ORP", "Oscar Rep", "rep"),
        }, managers={"manager": "director", "owner": "manager", "teammate": "manager",
                     "other_rep": "other_manager"})
        s.add(Product(sku="P", name="Platform", list_price_minor=100000, currency="USD"))
        ids = {k: u.id for k, u in people.items()}
    ids["account"] = services.accounts.create(ids["owner"], "Acme").id
    ids["contact"] = services.contacts.create(ids["owner"], "Jane Roe", account="Acme").id
    opp = services.opportunities.create(ids["owner"], "Renewal", account="Acme")
    ids["opp"] = opp.id
    ids["activity"] = services.activities.log(
        ids["owner"], kind="call", subject="x", opportunity_id=opp.id,
        follow_up_at=clock.now() + timedelta(days=1)).id
    ids["quote"] = services.quotes.create(ids["owner"], opp.id, [
        LineSpec(product="P", quantity=1)]).id
    return ids


def _action(services: Services, world: dict[str, int], name: str) -> Callable[[int], object]:
    opps, acts, quotes = services.opportunities, services.activities, services.quotes
    return {
        "view deal": lambda a: opps.get(a, world["opp"]),
        "move deal": lambda a: opps.advance(a, world["opp"]),
        "edit deal": lambda a: opps.update(a, world["opp"], amount=Decimal(5)),
        "reassign deal": lambda a: opps.update(a, world["opp"], owner_id=world["teammate"]),
        "view history": lambda a: opps.history(a, world["opp"]),
        "view activity": lambda a: acts.get(a, world["activity"]),
        "complete follow-up": lambda a: acts.set_follow_up_done(a, world["activity"]),
        "view quote": lambda a: quotes.get(a, world["quote"]),
        "revise quote": lambda a: quotes.revise(a, world["quote"], discount_percent=Decimal(1)),
        "log on deal": lambda a: acts.log(a, kind="note", subject="n", opportunity_id=world["opp"]),
        "log on account": lambda a: acts.log(a, kind="note", subject="n",
                                             account_id=world["account"]),
        "log on contact": lambda a: acts.log(a, kind="note", subject="n",
                                             contact_id=world["contact"]),
        "create deal on account": lambda a: opps.create(a, "Upsell", account="Acme"),
        "add contact to account": lambda a: services.contacts.create(a, "Zed", account="Acme"),
        "convert lead into account": lambda a: _convert_own_lead(services, a, world["account"]),
    }[name]


def _convert_own_lead(services: Services, actor: int, account_id: int) -> object:
    """The actor's own lead, converted into the account: the account is what is checked."""
    leads = LeadService(services.store)
    lead = leads.capture(actor, name="Lee Lead", owner_id=actor).lead
    return leads.convert(actor, lead.id, account_id=account_id)


def _snapshot(services: Services, world: dict[str, int]) -> tuple:
    opp = services.opportunities.get(world["admin"], world["opp"])
    return (opp.stage.name, opp.amount, opp.owner_id,
            services.activities.get(world["admin"], world["activity"]).done,
            len(services.activities.list_for(world["admin"])),
            services.quotes.get(world["admin"], world["quote"]).status,
            len(services.opportunities.visible(world["admin"])), _contacts(services))


def _contacts(services: Services) -> int:
    with services.store.transaction() as s:
        return s.scalar(select(func.count()).select_from(Contact)) or 0


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("actor", ACTORS)
def test_role_object_action(services: Services, world, actor: str, action: str) -> None:
    run = _action(services, world, action)
    if actor in MATRIX[action]:
        assert run(world[actor]) is not None
    else:
        before = _snapshot(services, world)
        with pytest.raises(NotFound if action in ACCOUNT_ACTIONS else NotAllowed):
            run(world[actor])
        assert _snapshot(services, world) == before


@pytest.mark.parametrize(("actor", "sees"), [
    ("owner", {"Acme — Renewal"}), ("teammate", set()), ("manager", {"Acme — Renewal"}),
    ("other_manager", set()), ("director", {"Acme — Renewal"}), ("admin", {"Acme — Renewal"}),
])
def test_lists_show_only_what_the_role_allows(services: Services, world, actor: str,
                                              sees: set[str]) -> None:
    assert {o.title for o in services.opportunities.visible(world[actor])} == sees
    accounts = {a.name for a in services.accounts.visible(world[actor])}
    assert accounts == ({"Acme"} if sees else set())
