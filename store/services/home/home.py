"""The App Home tab's figures: my open deals by stage, my follow-ups due, my recent activity.

A rep may own thousands of open deals, and an admin's company a million; Home shows a few
lines of each stage with the count and total of all of them. So each part is one statement
whatever the size: the counts and totals by stage in one GROUP BY, the first deals of every
stage in one windowed query with their account, owner and stage joined in, the follow-ups
and the activities each in one query with what their lines name joined in. Only the deals
the person owns (the same whatever their role: an admin's Home is their own deals too), and
filtered in SQL, never in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from store.db import Store
from store.models import Activity, Opportunity, Stage
from store.money import from_minor
from store.schemas import ActivityView, OpportunityView, StageView

SHOWN_PER_STAGE = 15
"""Deals listed under each stage; the rest are counted."""
SHOWN_FOLLOW_UPS = 20
SHOWN_ACTIVITIES = 10


@dataclass(frozen=True)
class StageGroup:
    """One stage of my open deals: how many, their total, and the first few by close date."""

    stage: StageView
    count: int
    total: Decimal
    currency: str
    deals: list[OpportunityView]


@dataclass(frozen=True)
class HomeFigures:
    stages: list[StageGroup]
    follow_ups: list[ActivityView]
    follow_ups_due: int  # all of them; `follow_ups` holds the first SHOWN_FOLLOW_UPS
    recent: list[ActivityView]


def _open_deals(owner_id: int) -> list[ColumnElement[bool]]:
    return [Opportunity.owner_id == owner_id, Opportunity.archived_at.is_(None),
            Stage.kind == "open"]


def stage_groups(session: Session, owner_id: int, shown: int = SHOWN_PER_STAGE
                 ) -> list[StageGroup]:
    """My open deals by stage in pipeline order: three statements."""
    figures = session.execute(
        select(Stage.id, func.count(), func.coalesce(func.sum(Opportunity.amount_minor), 0))
        .join(Opportunity, Opportunity.stage_id == Stage.id)
        .where(*_open_deals(owner_id))
        .group_by(Stage.id)).all()
    if not figures:
        return []
    rank = func.row_number().over(partition_by=Opportunity.stage_id,
                                  order_by=(Opportunity.close_date, Opportunity.id))
    ranked = (select(Opportunity.id.label("id"), rank.label("rank"))
              .join(Stage, Opportunity.stage_id == Stage.id)
              .where(*_open_deals(owner_id)).subquery())
    # the ids first, then those deals by primary key: joined to the windowed subquery in
    # one statement, SQLite's planner may walk every deal of the company to find them
    first_ids = list(session.scalars(select(ranked.c.id).where(ranked.c.rank <= shown)))
    deals = session.scalars(
        select(Opportunity).where(Opportunity.id.in_(first_ids))
        .options(joinedload(Opportunity.account), joinedload(Opportunity.owner),
                 joinedload(Opportunity.stage))
        .order_by(Opportunity.close_date, Opportunity.id)).unique().all()
    by_stage: dict[int, list[Opportunity]] = {}
    for deal in deals:
        by_stage.setdefault(deal.stage_id, []).append(deal)
    groups = []
    for stage_id, count, total_minor in figures:
        listed = by_stage.get(stage_id, [])
        if not listed:
            continue
        stage = listed[0].stage
        currency = listed[0].currency
        groups.append(StageGroup(StageView.of(stage), int(count),
                                 from_minor(int(total_minor), currency), currency,
                                 [OpportunityView.of(d) for d in listed]))
    groups.sort(key=lambda g: (g.stage.position, g.stage.id))
    return groups


def _with_names() -> list[_AbstractLoad]:
    return [joinedload(Activity.owner), joinedload(Activity.account),
            joinedload(Activity.contact), joinedload(Activity.opportunity)]


def due_follow_ups(session: Session, owner_id: int, until: datetime,
                   shown: int = SHOWN_FOLLOW_UPS) -> tuple[list[ActivityView], int]:
    """My open follow-ups due by `until`, oldest first: the first `shown`, and how many."""
    due = (Activity.owner_id == owner_id, Activity.done.is_(False),
           Activity.follow_up_at.is_not(None), Activity.follow_up_at <= until)
    rows = session.scalars(select(Activity).where(*due).options(*_with_names())
                           .order_by(Activity.follow_up_at, Activity.id).limit(shown)).all()
    count = len(rows) if len(rows) < shown else int(
        session.scalar(select(func.count()).select_from(Activity).where(*due)) or 0)
    return [ActivityView.of(a) for a in rows], count


def recent_activity(session: Session, owner_id: int, shown: int = SHOWN_ACTIVITIES
                    ) -> list[ActivityView]:
    """What I logged last, newest first."""
    return [ActivityView.of(a) for a in session.scalars(
        select(Activity).where(Activity.owner_id == owner_id).options(*_with_names())
        .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(shown))]


class HomeService:
    """Home's figures for one person, read in one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def figures(self, owner_id: int, follow_ups_until: datetime) -> HomeFigures:
        with self.store.read() as s:
            due, due_count = due_follow_ups(s, owner_id, follow_ups_until)
            return HomeFigures(stage_groups(s, owner_id), due, due_count,
                               recent_activity(s, owner_id))
