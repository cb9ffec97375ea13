"""What the reminder sweep needs to cost only what is due (store/services/reminders/plan.py).

`SweepMark` remembers when the planner last looked, so the next sweep reads only rows that
became due or changed since then; the indexes below make each of those windows an index
range, not a scan of every open deal or follow-up. They live here, not in the tables'
own modules, because only the sweep needs them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, UTCDateTime
from store.models.commerce import Contract
from store.models.people import User
from store.models.sales import Activity, Opportunity


class SweepMark(Base):
    """The store time a planner last finished looking, by planner name (a name carries the
    settings it planned with, so a changed setting plans everything afresh once)."""

    __tablename__ = "sweep_marks"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Rows changed since the last sweep (a follow-up logged late, a close date moved back, a
# user reactivated): each a range on updated_at.
Index("ix_activities_updated_at", Activity.__table__.c.updated_at)
Index("ix_opportunities_updated_at", Opportunity.__table__.c.updated_at)
Index("ix_contracts_updated_at", Contract.__table__.c.updated_at)
Index("ix_users_updated_at", User.__table__.c.updated_at)
# Deals whose quiet spell ran out since the last sweep: per open stage, a range on the
# time of the last stage change (and on last_activity_at, which has its index already).
Index("ix_opportunities_stage_id_stage_changed_at", Opportunity.__table__.c.stage_id,
      Opportunity.__table__.c.stage_changed_at)
# Users whose local day turned since the last sweep (their digest is due): by time zone.
Index("ix_users_timezone", User.__table__.c.timezone)
