"""Planning: quotas per user and fiscal quarter, and channels subscribed to pipeline reports."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, CurrencyCode, MinorUnits, Timestamps

REPORT_SCOPES = ("owner", "team", "all")


class Quota(Timestamps, Base):
    """What one person should close in one fiscal quarter (`period` like `2026-Q4`)."""

    __tablename__ = "quotas"
    __table_args__ = (
        UniqueConstraint("user_id", "period"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint("length(period) = 7", name="period_shape"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    amount_minor: Mapped[int] = mapped_column(MinorUnits())
    currency: Mapped[str] = mapped_column(CurrencyCode)


class ReportSubscription(Timestamps, Base):
    """A channel that gets the pipeline digest every week at `weekday` `hour`:00 in `timezone`.

    The report shows what its creator may see: `owner` one person's pipeline (`owner_id`),
    `team` a team (`team_id`) or, without one, the creator's own team, `all` everything
    the creator may see. Deliveries go through the reminders table, one per week.
    """

    __tablename__ = "report_subscriptions"
    __table_args__ = (
        CheckConstraint(f"scope IN {REPORT_SCOPES!r}", name="scope_known"),
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint("hour >= 0 AND hour <= 23", name="hour_range"),
        Index(None, "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(8))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    hour: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
