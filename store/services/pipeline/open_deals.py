"""Open deals added up by stage, by owner and by close month, in one aggregate.

The three breakdowns of the pipeline summary read the same deals, so the database reads
them once: PostgreSQL groups them three ways at once (GROUPING SETS); SQLite, which has
none, groups by stage, owner, month and currency together and the groups (a few thousand,
never the deals) are added up here. Weighted amounts are SUM(amount_minor * probability),
exact, rounded only when shown (`figures.Figures`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, DateTime, and_, cast, extract, func, select, tuple_
from sqlalchemy.orm import Session

from store.models import Opportunity, Stage, User
from store.periods import Period
from store.services.pipeline.changes import deal_filters
from store.services.pipeline.figures import (
    Figures,
    MonthRow,
    OwnerRow,
    ReportScope,
    StageRow,
    fold,
)
from store.services.pipeline.plans import unindexed, wide_scope


def amounts() -> tuple[ColumnElement[int], ColumnElement[int], ColumnElement[int]]:
    return (func.count(Opportunity.id), func.sum(Opportunity.amount_minor),
            func.sum(Opportunity.amount_minor * Opportunity.probability))


def in_period(period: Period | None) -> list[ColumnElement[bool]]:
    if period is None:
        return []
    return [Opportunity.close_date >= period.start, Opportunity.close_date < period.end]


@dataclass(frozen=True)
class OpenFigures:
    """The open deals of a report, added up by stage, by owner and by close month.

    All three come from one aggregate (`open_grid`): the database groups the deals by
    stage, owner, close month and currency, and the few thousand groups it returns are
    added up here, so the deals are read once instead of once per breakdown.
    """

    stages: tuple[StageRow, ...]
    owners: tuple[OwnerRow, ...]
    months: tuple[MonthRow, ...]


def open_deals_join(session: Session, period: Period | None) -> list[ColumnElement[bool]]:
    """Open stages; with no period, by a join the SQLite planner can't turn into a walk of
    the stage index (a plain scan reads every open deal faster than the index does)."""
    stage_id = Opportunity.stage_id if period is not None else unindexed(
        session, Opportunity.stage_id)
    return [stage_id == Stage.id, Stage.kind == "open"]


def scope_owner(session: Session, scope: ReportScope) -> ColumnElement[int] | None:
    """The owner column for `deal_filters`: kept off the owner index on SQLite when the
    scope is a large share of the deals (`plans.wide_scope`), so the deals are scanned."""
    if scope.owner_ids is None or not wide_scope(session, scope.owner_ids):
        return None
    return unindexed(session, Opportunity.owner_id)


Cell = dict[tuple[object, str], list[int]]


def _add(cells: Cell, key: object, currency: str, count: int, amount: int,
         weighted: int) -> None:
    cell = cells.setdefault((key, currency), [0, 0, 0])
    cell[0] += count
    cell[1] += amount
    cell[2] += weighted


def _figures_by(cells: Cell) -> dict[Any, tuple[Figures, ...]]:
    grouped: dict[object, list[Figures]] = {}
    for (key, currency), (count, amount, weighted) in cells.items():
        grouped.setdefault(key, []).append(Figures(currency, count, amount, weighted))
    return {key: fold(f) for key, f in grouped.items()}


def _open_cells(session: Session, scope: ReportScope, period: Period | None
                ) -> tuple[Cell, Cell, Cell]:
    """(count, amount, weighted) of open deals per (stage, currency), (owner, currency)
    and ((year, month), currency), from one aggregate over the opportunities.

    PostgreSQL groups the three ways at once (GROUPING SETS: one scan, a few hundred rows
    back). SQLite has no grouping sets: it groups by stage, owner, month and currency
    together in one plain scan, and the groups (not the deals) are added up here.
    """
    by_stage: Cell = {}
    by_owner: Cell = {}
    by_month: Cell = {}
    where = (*deal_filters(scope, scope_owner(session, scope)), *in_period(period))
    join = and_(*open_deals_join(session, period))
    if session.get_bind().dialect.name == "postgresql":
        month = func.date_trunc("month", cast(Opportunity.close_date, DateTime))
        stage_id, owner_id, currency = (Opportunity.stage_id, Opportunity.owner_id,
                                        Opportunity.currency)
        rows = session.execute(
            select(stage_id, owner_id, month, currency, *amounts())
            .select_from(Opportunity).join(Stage, join).where(*where)
            .group_by(func.grouping_sets(tuple_(stage_id, currency),
                                         tuple_(owner_id, currency),
                                         tuple_(month, currency))))
        for stage, owner, first_day, code, count, amount, weighted in rows:
            figures = (int(count or 0), int(amount or 0), int(weighted or 0))
            if stage is not None:
                _add(by_stage, stage, code, *figures)
            elif owner is not None:
                _add(by_owner, owner, code, *figures)
            else:
                _add(by_month, (first_day.year, first_day.month), code, *figures)
        return by_stage, by_owner, by_month
    year = extract("year", Opportunity.close_date)
    month_number = extract("month", Opportunity.close_date)
    keys = (unindexed(session, Opportunity.stage_id), unindexed(session, Opportunity.owner_id),
            year, month_number, Opportunity.currency)
    for stage, owner, y, m, code, count, amount, weighted in session.execute(
            select(*keys, *amounts()).select_from(Opportunity).join(Stage, join)
            .where(*where).group_by(*keys)):
        figures = (int(count or 0), int(amount or 0), int(weighted or 0))
        _add(by_stage, stage, code, *figures)
        _add(by_owner, owner, code, *figures)
        _add(by_month, (int(y), int(m)), code, *figures)
    return by_stage, by_owner, by_month


def _owner_names(session: Session, owner_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Name and Slack id of each owner (primary-key look-ups, a few hundred at a time)."""
    found: dict[int, tuple[str, str]] = {}
    ids = sorted(owner_ids)
    for start in range(0, len(ids), 500):
        found.update((i, (name, slack_id)) for i, name, slack_id in session.execute(
            select(User.id, User.name, User.slack_user_id)
            .where(User.id.in_(ids[start:start + 500]))))
    return found


def open_figures(session: Session, scope: ReportScope, period: Period | None) -> OpenFigures:
    """Open deals by stage (every active open stage, in pipeline order, even when empty),
    by owner (by name) and by close month, from one aggregate."""
    by_stage, by_owner, by_month = (_figures_by(c) for c in
                                    _open_cells(session, scope, period))
    names = _owner_names(session, by_owner)
    open_stages = session.scalars(select(Stage).where(Stage.kind == "open")
                                  .order_by(Stage.position))
    stages = tuple(StageRow(s.id, s.name, s.position, s.probability, by_stage.get(s.id, ()))
                   for s in open_stages if s.is_active or s.id in by_stage)
    owners = tuple(sorted((OwnerRow(i, *names[i], f) for i, f in by_owner.items()
                           if i in names),
                          key=lambda o: (o.name.casefold(), o.owner_id)))
    months = tuple(MonthRow(y, m, by_month[(y, m)]) for y, m in sorted(by_month))
    return OpenFigures(stages, owners, months)


def open_by_stage(session: Session, scope: ReportScope, period: Period | None
                  ) -> tuple[StageRow, ...]:
    """Every open stage in pipeline order (active ones even when empty)."""
    return open_figures(session, scope, period).stages


def open_by_owner(session: Session, scope: ReportScope, period: Period | None
                  ) -> tuple[OwnerRow, ...]:
    return open_figures(session, scope, period).owners


def open_by_month(session: Session, scope: ReportScope, period: Period | None
                  ) -> tuple[MonthRow, ...]:
    return open_figures(session, scope, period).months
