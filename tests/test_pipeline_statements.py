"""The pipeline summary costs a fixed number of SQL statements, whatever the number of deals.

Every figure is an aggregate in the database; a change that loads deals, owners or history
rows one by one (an N+1) makes the count grow with the data and fails here. Counted with
an SQLAlchemy `before_cursor_execute` listener, on SQLite and on PostgreSQL; the figures
are checked too, so a summary that skipped a statement would not pass either.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from store.clock import ManualClock
from store.db import Store
from store.models import Stage, Team, User
from store.periods import quarter
from store.services.deals.changes import Change, apply_change
from store.services.deals.opportunities import create_opportunity
from store.services.pipeline.figures import Scope
from store.services.pipeline.summary import PipelineService
from store.statement_count import counting
from tests.conftest import add_users

Q4 = quarter(2026, 4)


def _people(store: Store) -> dict[str, int]:
    with store.transaction() as s:
        people = add_users(s, {"admin": ("USADMIN", "Sam Admin", "admin"),
                               "boss": ("USBOSS", "Bo Boss", "manager"),
                               "ann": ("USANN", "Ann Rep", "rep"),
                               "bob": ("USBOB", "Bob Rep", "rep"),
                               "cy": ("USCY", "Cy Rep", "rep")},
                           managers={"ann": "boss", "bob": "boss"})
        team = Team(name="North", manager_id=people["boss"].id)
        s.add(team)
        s.flush()
        people["ann"].team_id = people["bob"].team_id = team.id
        return {key: user.id for key, user in people.items()}


def _deals(store: Store, clock: ManualClock, people: dict[str, int], per_owner: int) -> None:
    """`per_owner` deals for each rep: some moved on, some slipped, some won or lost."""
    with store.transaction() as s:
        stages = list(s.scalars(select(Stage).order_by(Stage.position)))
        opens = [st for st in stages if st.kind == "open"]
        won = next(st for st in stages if st.kind == "won")
        lost = next(st for st in stages if st.kind == "lost")
        admin = s.get(User, people["admin"])
        created = clock.now() - timedelta(days=30)
        for key in ("ann", "bob", "cy"):
            owner = s.get(User, people[key])
            assert owner is not None
            for n in range(per_owner):
                opp = create_opportunity(
                    s, name=f"{key} deal {n}", owner=owner, now=created,
                    currency=("USD", "EUR")[n % 2], stage=opens[n % len(opens)],
                    amount_minor=1000 * (n + 1), close_date=date(2026, 10 + n % 3, 15))
                recent = clock.now() - timedelta(days=2, minutes=n)
                if n % 4 == 1:
                    apply_change(s, opp, Change(stage=opens[-1],
                                                close_date=date(2026, 12, 28)),
                                 actor=admin, now=recent)
                elif n % 4 == 2:
                    apply_change(s, opp, Change(stage=(won, lost)[n % 8 == 6],
                                                lost_reason="went elsewhere"),
                                 actor=admin, now=recent)


def _summary_statements(store: Store, people: dict[str, int]) -> dict[str, int]:
    service = PipelineService(store)
    counts: dict[str, int] = {}
    for name, run in {
        "company": lambda: service.company_summary(),
        "company, one quarter": lambda: service.company_summary(Q4),
        "rep": lambda: service.summary(people["ann"]),
        "manager's team": lambda: service.summary(people["boss"], Scope("team")),
        "admin, one owner": lambda: service.summary(people["admin"],
                                                    Scope("owner", user_id=people["cy"])),
        "by stage and owner": lambda: service.by_stage_and_owner(people["admin"]),
    }.items():
        with counting(store.engine) as seen:
            run()
        counts[name] = len(seen.work)
    return counts


def test_summary_statements_do_not_grow_with_the_deals(store: Store, clock: ManualClock
                                                        ) -> None:
    people = _people(store)
    _deals(store, clock, people, per_owner=2)
    few = _summary_statements(store, people)
    _deals(store, clock, people, per_owner=30)
    many = _summary_statements(store, people)
    assert many == few
    # open figures (one aggregate, owner names, stages), closed deals, undo look-up,
    # movement, stuck deals: seven
    assert few["company"] == few["company, one quarter"] == 7
    # a person's report also reads who they are; a manager's, who is under them (one
    # recursive statement, store.access: what they may see is their team, read once) and,
    # on SQLite, how many users there are (is the team a large share of the deals? plans.py)
    assert few["rep"] == 8
    assert few["admin, one owner"] == 9
    assert few["manager's team"] == 7 + 1 + 1 + (store.dialect == "sqlite")
    assert few["by stage and owner"] == 2


def test_scoped_summaries_count_only_the_deals_in_scope(store: Store, clock: ManualClock
                                                        ) -> None:
    people = _people(store)
    _deals(store, clock, people, per_owner=8)
    service = PipelineService(store)

    def open_count(summary: object) -> int:
        return sum(f.count for f in summary.totals)  # type: ignore[attr-defined]

    everyone = service.company_summary()
    ann = service.summary(people["ann"])
    team = service.summary(people["boss"], Scope("team"))
    assert {o.name for o in ann.owners} == {"Ann Rep"}
    assert {o.name for o in team.owners} == {"Ann Rep", "Bob Rep"}
    assert {o.name for o in everyone.owners} == {"Ann Rep", "Bob Rep", "Cy Rep"}
    assert open_count(everyone) == 3 * open_count(ann) == 3 * open_count(team) // 2
    assert all(d.owner_name == "Ann Rep" for d in ann.stuck)
    amounts = service.by_stage_and_owner(people["boss"], Scope("team"))
    assert {a.owner for a in amounts} == {"Ann Rep", "Bob Rep"}
