"""Who sees what: every role × object × action, allowed or refused, enforced in the store.

Reps see and change their own; managers (and directors) their team's, recursively;
admins everything; finance reads quotes and approvals.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from store.errors import NotAllowed
from store.models import Product
from store.services import Services
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
}


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
    services.accounts.create(ids["owner"], "Acme")
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
    }[name]


def _snapshot(services: Services, world: dict[str, int]) -> tuple:
    opp = services.opportunities.get(world["admin"], world["opp"])
    return (opp.stage.name, opp.amount, opp.owner_id,
            services.activities.get(world["admin"], world["activity"]).done,
            len(services.activities.list_for(world["admin"])),
            services.quotes.get(world["admin"], world["quote"]).status)


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("actor", ACTORS)
def test_role_object_action(services: Services, world, actor: str, action: str) -> None:
    run = _action(services, world, action)
    if actor in MATRIX[action]:
        assert run(world[actor]) is not None
    else:
        before = _snapshot(services, world)
        with pytest.raises(NotAllowed):
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
