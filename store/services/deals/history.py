"""A deal's stage history: one row per change of stage, amount, probability or close date.

The rows are the deal's timeline and the source of pipeline reports, so every writer
builds them here: `change_row` after a change through the one write path, and
`first_history_row` for a new deal, whether it is created one at a time or imported in
bulk (the importer inserts the same values with Core).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Opportunity, OpportunityHistory, Stage
from store.money import from_minor
from store.schemas import HistoryView

# the deal's values each history row keeps (besides the stages it went from and to)
RECORDED = ("amount_minor", "currency", "probability", "close_date", "owner_id")


def _row(
    opportunity_id: int, deal: Mapping[str, Any], *, from_stage_id: int | None,
    actor_id: int | None, now: datetime, source: str, note: str | None,
) -> dict[str, Any]:
    return {
        "opportunity_id": opportunity_id, "changed_at": now, "changed_by_id": actor_id,
        "from_stage_id": from_stage_id, "to_stage_id": deal["stage_id"],
        **{column: deal[column] for column in RECORDED},
        "source": source, "note": note,
    }


def state_of(opp: Opportunity) -> dict[str, Any]:
    """The values of `opp` a history row records, keyed by column."""
    return {column: getattr(opp, column) for column in ("stage_id", *RECORDED)}


def first_history_row(
    opportunity_id: int, deal: Mapping[str, Any], *, actor_id: int | None, now: datetime,
    source: str,
) -> dict[str, Any]:
    """The column values of a new deal's opening history row (from no stage).

    `deal` holds the new deal's `stage_id`, `amount_minor`, `currency`, `probability`,
    `close_date` and `owner_id` (an importer's row dict, or `state_of(opp)`).
    """
    return _row(opportunity_id, deal, from_stage_id=None, actor_id=actor_id, now=now,
                source=source, note=None)


def change_row(
    opp: Opportunity, *, from_stage_id: int | None, actor_id: int | None, now: datetime,
    source: str, note: str | None,
) -> OpportunityHistory:
    """The history row of a change just applied to `opp` (which holds the new values)."""
    return OpportunityHistory(**_row(
        opp.id, state_of(opp), from_stage_id=from_stage_id, actor_id=actor_id, now=now,
        source=source, note=note,
    ))


def history_views(session: Session, opp_id: int) -> list[HistoryView]:
    """A deal's history rows, oldest first, with stage names for display."""
    rows = session.scalars(
        select(OpportunityHistory)
        .where(OpportunityHistory.opportunity_id == opp_id)
        .order_by(OpportunityHistory.changed_at, OpportunityHistory.id)
    )
    stage_names = {st.id: st.name for st in session.scalars(select(Stage))}
    return [
        HistoryView(
            id=h.id, changed_at=h.changed_at, changed_by_id=h.changed_by_id,
            from_stage=stage_names.get(h.from_stage_id) if h.from_stage_id else None,
            to_stage=stage_names[h.to_stage_id],
            amount=from_minor(h.amount_minor, h.currency), currency=h.currency,
            probability=h.probability, close_date=h.close_date, source=h.source,
        )
        for h in rows
    ]
