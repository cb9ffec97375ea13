"""What changed in the pipeline since last week, read from stage history.

Each history row in the window counts once per kind it shows (a move forward that also
pushes the close date out is a move and a slip): `new` (a deal's first row), `forward` and
`back` (between stages by position, into an open stage), `won`, `lost`, and `slipped` (an
open deal whose close date is later than in its previous row). Amounts are the row's,
what the deal was worth when it happened. Deals count for their current owner. A change
taken back with Undo counts for nothing, and neither does its reversal
(`store.services.deals.undo.cancelled_history_ids`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Subquery, and_, case, func, literal, null, or_, select
from sqlalchemy.orm import Session, aliased

from store.models import Opportunity, OpportunityHistory, Stage
from store.services.deals.undo import cancelled_history_ids
from store.services.pipeline.figures import (
    CHANGE_KINDS,
    ChangeRow,
    Figures,
    ReportScope,
    fold,
)


def deal_filters(scope: ReportScope, owner: ColumnElement[int] | None = None
                 ) -> list[ColumnElement[bool]]:
    """Live deals of the scope's owners; `owner` is the owner column as the plan wants it
    (`plans.unindexed` for a wide scope on SQLite)."""
    filters: list[ColumnElement[bool]] = [Opportunity.archived_at.is_(None)]
    if scope.owner_ids is not None:
        column = Opportunity.owner_id if owner is None else owner
        filters.append(column.in_(sorted(scope.owner_ids)))
    return filters


def changes(session: Session, scope: ReportScope, since: datetime, until: datetime
            ) -> tuple[ChangeRow, ...]:
    """Changes with `since < changed_at <= until`, one row per kind (empty kinds too).

    One aggregate over the window's history rows (the index on changed_at finds them):
    each row's kind, and whether it slipped (its close date later than the deal's
    previous row's), grouped by kind, slip and currency. Rows Undo cancelled are left out
    of the timeline, so the row after them compares with the one before.
    """
    cancelled = sorted(cancelled_history_ids(session, since))
    # LAG reads the whole history of every deal touched in the window, whoever owns it;
    # a look-up per window row reads only the scope's rows, which wins for a team or a rep
    moves = (_moves_by_lag if session.get_bind().dialect.name == "postgresql"
             and scope.owner_ids is None else _moves_by_look_up)(scope, since, until, cancelled)
    found: dict[str, list[Figures]] = {k: [] for k in CHANGE_KINDS}
    for kind_name, slip, currency, count, amount in session.execute(
            select(moves.c.kind, moves.c.slipped, moves.c.currency, func.count(),
                   func.sum(moves.c.amount_minor))
            .group_by(moves.c.kind, moves.c.slipped, moves.c.currency)):
        figures = Figures(currency, int(count), int(amount or 0))  # a row of neither: none
        if kind_name is not None:
            found[kind_name].append(figures)
        if slip:
            found["slipped"].append(figures)
    return tuple(ChangeRow(k, fold(found[k])) for k in CHANGE_KINDS)


def _kind(from_stage: Any, to_stage: Any, from_stage_id: Any, to_stage_id: Any
          ) -> ColumnElement[str]:
    return case(
        (from_stage_id.is_(None), literal("new")),
        (from_stage_id == to_stage_id, null()),
        (to_stage.kind == "won", literal("won")),
        (to_stage.kind == "lost", literal("lost")),
        (to_stage.position > from_stage.position, literal("forward")),
        (to_stage.position < from_stage.position, literal("back")),
        else_=null(),
    )


def _moves_by_look_up(scope: ReportScope, since: datetime, until: datetime,
                      cancelled: list[int]) -> Subquery:
    """SQLite, and a scoped report on PostgreSQL: the previous row of each window row that
    needs it, looked up by the index on (opportunity_id, changed_at); measured faster there
    than LAG over the deals' whole history (`python -m benchmarks pipeline_summary`)."""
    history = OpportunityHistory
    before = aliased(OpportunityHistory)
    previous_close = (
        select(before.close_date)
        .where(before.opportunity_id == history.opportunity_id,
               or_(before.changed_at < history.changed_at,
                   and_(before.changed_at == history.changed_at, before.id < history.id)),
               before.id.not_in(cancelled))
        .order_by(before.changed_at.desc(), before.id.desc()).limit(1)
        .scalar_subquery())
    from_stage, to_stage = aliased(Stage), aliased(Stage)
    slipped = case((and_(to_stage.kind == "open", history.close_date > previous_close), 1),
                   else_=0)
    return (
        select(_kind(from_stage, to_stage, history.from_stage_id, history.to_stage_id)
               .label("kind"), slipped.label("slipped"), history.currency,
               history.amount_minor)
        .join(Opportunity, history.opportunity_id == Opportunity.id)
        .join(to_stage, history.to_stage_id == to_stage.id)
        .outerjoin(from_stage, history.from_stage_id == from_stage.id)
        .where(history.changed_at > since, history.changed_at <= until, *deal_filters(scope),
               history.id.not_in(cancelled))
        .subquery()
    )


def _moves_by_lag(scope: ReportScope, since: datetime, until: datetime,
                  cancelled: list[int]) -> Subquery:
    """PostgreSQL, everyone's report: each touched deal's history up to `until`, the
    previous close date by LAG; measured faster there than a look-up per row."""
    history = OpportunityHistory
    touched = select(history.opportunity_id).where(
        history.changed_at > since, history.changed_at <= until)
    previous_close = func.lag(history.close_date).over(
        partition_by=history.opportunity_id, order_by=(history.changed_at, history.id))
    timeline = (
        select(history.opportunity_id, history.changed_at, history.close_date,
               history.from_stage_id, history.to_stage_id, history.currency,
               history.amount_minor, previous_close.label("previous_close"))
        .where(history.opportunity_id.in_(touched), history.changed_at <= until,
               history.id.not_in(cancelled))
        .subquery()
    )
    row = timeline.c
    from_stage, to_stage = aliased(Stage), aliased(Stage)
    slipped = case((and_(to_stage.kind == "open", row.close_date > row.previous_close), 1),
                   else_=0)
    return (
        select(_kind(from_stage, to_stage, row.from_stage_id, row.to_stage_id).label("kind"),
               slipped.label("slipped"), row.currency, row.amount_minor)
        .join(Opportunity, row.opportunity_id == Opportunity.id)
        .join(to_stage, row.to_stage_id == to_stage.id)
        .outerjoin(from_stage, row.from_stage_id == from_stage.id)
        .where(row.changed_at > since, *deal_filters(scope))
        .subquery()
    )
