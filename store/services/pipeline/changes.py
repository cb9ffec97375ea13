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

from sqlalchemy import ColumnElement, and_, case, func, literal, null, select
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


def deal_filters(scope: ReportScope) -> list[ColumnElement[bool]]:
    """Live deals of the scope's owners."""
    filters: list[ColumnElement[bool]] = [Opportunity.archived_at.is_(None)]
    if scope.owner_ids is not None:
        filters.append(Opportunity.owner_id.in_(sorted(scope.owner_ids)))
    return filters


def changes(session: Session, scope: ReportScope, since: datetime, until: datetime
            ) -> tuple[ChangeRow, ...]:
    """Changes with `since < changed_at <= until`, one row per kind (empty kinds too)."""
    history = OpportunityHistory
    cancelled = sorted(cancelled_history_ids(session, since))
    from_stage, to_stage = aliased(Stage), aliased(Stage)
    kind = case(
        (history.from_stage_id.is_(None), literal("new")),
        (history.from_stage_id == history.to_stage_id, null()),
        (to_stage.kind == "won", literal("won")),
        (to_stage.kind == "lost", literal("lost")),
        (to_stage.position > from_stage.position, literal("forward")),
        (to_stage.position < from_stage.position, literal("back")),
        else_=null(),
    )
    moves = (
        select(kind.label("kind"), history.currency, history.amount_minor)
        .join(Opportunity, history.opportunity_id == Opportunity.id)
        .join(to_stage, history.to_stage_id == to_stage.id)
        .outerjoin(from_stage, history.from_stage_id == from_stage.id)
        .where(history.changed_at > since, history.changed_at <= until, *deal_filters(scope),
               history.id.not_in(cancelled))
        .subquery()
    )
    found: dict[str, list[Figures]] = {k: [] for k in CHANGE_KINDS}
    rows: list[Any] = list(session.execute(
        select(moves.c.kind, moves.c.currency, func.count(), func.sum(moves.c.amount_minor))
        .where(moves.c.kind.is_not(None))
        .group_by(moves.c.kind, moves.c.currency)))
    rows += [("slipped", *row) for row in _slips(session, scope, since, until, cancelled)]
    for kind_name, currency, count, amount in rows:
        found[kind_name].append(Figures(currency, int(count), int(amount or 0)))
    return tuple(ChangeRow(k, fold(found[k])) for k in CHANGE_KINDS)


def _slips(session: Session, scope: ReportScope, since: datetime, until: datetime,
           cancelled: list[int]) -> list[Any]:
    """(currency, count, amount) of rows that moved an open deal's close date later.

    The previous close date comes from LAG over each touched deal's history (SQLite ≥ 3.25
    and PostgreSQL alike), so only deals with a row in the window are read; rows Undo
    cancelled are left out of the timeline, so the row after them compares with the one
    before.
    """
    history = OpportunityHistory
    touched = select(history.opportunity_id).where(
        history.changed_at > since, history.changed_at <= until)
    previous_close = func.lag(history.close_date).over(
        partition_by=history.opportunity_id, order_by=(history.changed_at, history.id))
    timeline = (
        select(history.opportunity_id, history.changed_at, history.close_date,
               history.to_stage_id, history.currency, history.amount_minor,
               previous_close.label("previous_close"))
        .where(history.opportunity_id.in_(touched), history.changed_at <= until,
               history.id.not_in(cancelled))
        .subquery()
    )
    to_stage = aliased(Stage)
    return list(session.execute(
        select(timeline.c.currency, func.count(), func.sum(timeline.c.amount_minor))
        .join(Opportunity, timeline.c.opportunity_id == Opportunity.id)
        .join(to_stage, timeline.c.to_stage_id == to_stage.id)
        .where(and_(timeline.c.changed_at > since,
                    timeline.c.close_date > timeline.c.previous_close),
               to_stage.kind == "open", *deal_filters(scope))
        .group_by(timeline.c.currency)))
