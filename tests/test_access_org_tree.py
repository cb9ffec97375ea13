"""The org tree under a manager (`people_under`): who a manager's reports and team pipelines
count, through manager chains and managed teams, to any depth, read in one statement.

The tree here mixes both edges on purpose: a director above a manager, the manager's team
(members with no manager of their own), a team member who manages someone by the chain,
a deep chain below, and a loop in the chain, which must end rather than recurse for ever.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from store.access import people_under
from store.models import Team, User
from store.services import Services
from store.statement_count import counting
from tests.conftest import add_users


def _tree(s: Session, depth: int) -> dict[str, int]:
    people = add_users(s, {
        "dee": ("U0DEE", "Dee Director", "director"),
        "max": ("U0MAX", "Max Manager", "manager"),
        "tia": ("U0TIA", "Tia Teammate", "rep"),
        "tom": ("U0TOM", "Tom Teammate", "rep"),
        "ria": ("U0RIA", "Ria Report", "rep"),
        "ola": ("U0OLA", "Ola Other", "manager"),
        "oscar": ("U0OSC", "Oscar Outside", "rep"),
        "lou": ("U0LOU", "Lou Loop", "manager"),
        "lea": ("U0LEA", "Lea Loop", "manager"),
    }, managers={"max": "dee", "ria": "tia", "oscar": "ola", "lou": "lea", "lea": "lou"})
    west = Team(name="West", manager_id=people["max"].id)
    s.add(west)
    s.flush()
    people["tia"].team_id = people["tom"].team_id = west.id
    boss = people["ria"]
    for level in range(depth):  # a chain below Ria, one report per level
        below = User(slack_user_id=f"U0L{level:03d}", name=f"Level {level}", role="rep",
                     manager_id=boss.id)
        s.add(below)
        s.flush()
        people[f"level {level}"] = boss = below
    return {key: user.id for key, user in people.items()}


def _under(services: Services, user_id: int) -> tuple[set[int], list[str]]:
    with services.store.read() as s, counting(services.store.engine) as seen:
        return people_under(s, user_id), seen.work


def test_a_manager_sees_their_team_and_every_chain_below_it(services: Services) -> None:
    with services.store.transaction() as s:
        ids = _tree(s, depth=3)
    chain = {ids["level 0"], ids["level 1"], ids["level 2"]}
    west = {ids["max"], ids["tia"], ids["tom"], ids["ria"], *chain}

    assert _under(services, ids["max"])[0] == west
    assert _under(services, ids["dee"])[0] == {ids["dee"], *west}
    assert _under(services, ids["tia"])[0] == {ids["tia"], ids["ria"], *chain}
    assert _under(services, ids["tom"])[0] == {ids["tom"]}
    assert _under(services, ids["ola"])[0] == {ids["ola"], ids["oscar"]}
    assert _under(services, ids["lou"])[0] == {ids["lou"], ids["lea"]}  # the loop ends


def test_the_tree_is_one_statement_however_deep(services: Services) -> None:
    with services.store.transaction() as s:
        ids = _tree(s, depth=12)
    found, statements = _under(services, ids["dee"])
    assert found == {ids[k] for k in ("dee", "max", "tia", "tom", "ria")} | {
        ids[f"level {n}"] for n in range(12)}
    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("WITH RECURSIVE")
