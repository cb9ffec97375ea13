"""The pipeline: accounts, contacts, leads, stages, opportunities, their history, activities."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, CurrencyCode, MinorUnits, Timestamps, UTCDateTime
from store.models.people import User

STAGE_KINDS = ("open", "won", "lost")
ACTIVITY_KINDS = ("call", "meeting", "email", "note", "task")
LEAD_STATUSES = ("new", "working", "qualified", "converted", "disqualified")
HISTORY_SOURCES = ("slack", "command", "import", "system")


class Account(Timestamps, Base):
    """A customer or prospect company. `name_key` is the case-folded name imports match on."""

    __tablename__ = "accounts"
    __table_args__ = (
        Index(None, "owner_id"),
        Index(None, "created_at"),  # the workflow sweep: accounts created since a time
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    domain: Mapped[str | None] = mapped_column(String(253))
    industry: Mapped[str | None] = mapped_column(String(100))
    employees: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner: Mapped[User | None] = relationship()


class Contact(Timestamps, Base):
    __tablename__ = "contacts"
    __table_args__ = (Index(None, "account_id"), Index(None, "email"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account | None] = relationship()


class Stage(Timestamps, Base):
    """A pipeline stage. Stages are data: renamed, re-weighted, deactivated, never deleted."""

    __tablename__ = "stages"
    __table_args__ = (
        CheckConstraint("probability >= 0 AND probability <= 100", name="probability_range"),
        CheckConstraint(f"kind IN {STAGE_KINDS!r}", name="kind_known"),
        CheckConstraint("kind <> 'won' OR probability = 100", name="won_is_100"),
        CheckConstraint("kind <> 'lost' OR probability = 0", name="lost_is_0"),
        CheckConstraint("quiet_days IS NULL OR quiet_days > 0", name="quiet_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    probability: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8), default="open")
    quiet_days: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def is_closed(self) -> bool:
        return self.kind != "open"


class Lead(Timestamps, Base):
    __tablename__ = "leads"
    __table_args__ = (
        CheckConstraint(f"status IN {LEAD_STATUSES!r}", name="status_known"),
        Index(None, "owner_id", "status"),
        Index(None, "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="new")
    disqualified_reason: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    converted_account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    converted_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    converted_opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id")
    )


class Opportunity(Timestamps, Base):
    """A deal. Stage, amount, probability and close date change only through
    `store.services.opportunities.apply_change`, which writes the history row."""

    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        CheckConstraint("probability >= 0 AND probability <= 100", name="probability_range"),
        # one live deal of a name per account; a deal removed by Undo (archived) keeps its
        # row for the history and no longer holds the name, so it can be created again
        Index("uq_opportunities_live_name", "account_id", "name", unique=True,
              sqlite_where=text("archived_at IS NULL"),
              postgresql_where=text("archived_at IS NULL")),
        Index(None, "owner_id", "stage_id"),
        Index(None, "close_date"),
        Index(None, "stage_id", "close_date"),
        Index(None, "last_activity_at"),
        Index(None, "stage_changed_at", "id"),  # stuck deals: oldest in stage first
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="RESTRICT"))
    amount_minor: Mapped[int] = mapped_column(MinorUnits(), default=0)
    currency: Mapped[str] = mapped_column(CurrencyCode)
    close_date: Mapped[date] = mapped_column(Date)
    probability: Mapped[int] = mapped_column(Integer)
    probability_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    next_step: Mapped[str | None] = mapped_column(Text)
    lost_reason: Mapped[str | None] = mapped_column(Text)
    last_open_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account | None] = relationship()
    owner: Mapped[User] = relationship()
    stage: Mapped[Stage] = relationship(foreign_keys=[stage_id])


class OpportunityHistory(Base):
    """Append-only: one row per change of stage, amount, probability or close date.

    A field change without a stage move has from_stage_id == to_stage_id, as in
    Salesforce's OpportunityHistory; the first row of a deal has from_stage_id NULL.
    """

    __tablename__ = "opportunity_history"
    __table_args__ = (
        CheckConstraint(f"source IN {HISTORY_SOURCES!r}", name="source_known"),
        Index(None, "opportunity_id", "changed_at"),
        Index(None, "to_stage_id", "changed_at"),
        Index(None, "changed_at"),  # what changed since a date
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="RESTRICT")
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    amount_minor: Mapped[int] = mapped_column(MinorUnits())
    currency: Mapped[str] = mapped_column(CurrencyCode)
    probability: Mapped[int] = mapped_column(Integer)
    close_date: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(8), default="slack")
    note: Mapped[str | None] = mapped_column(Text)


class Activity(Timestamps, Base):
    """A call, meeting, email, note or task, optionally with a follow-up that is due later."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(f"kind IN {ACTIVITY_KINDS!r}", name="kind_known"),
        CheckConstraint(
            "account_id IS NOT NULL OR contact_id IS NOT NULL OR opportunity_id IS NOT NULL"
            " OR lead_id IS NOT NULL",
            name="has_subject",
        ),
        Index(None, "owner_id", "done", "follow_up_at"),
        Index(None, "follow_up_at"),
        Index(None, "account_id", "occurred_at"),
        Index(None, "opportunity_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"))
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("opportunities.id", ondelete="RESTRICT")
    )
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="RESTRICT"))
    slack_permalink: Mapped[str | None] = mapped_column(String(500))
    slack_event_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    owner: Mapped[User] = relationship()
    account: Mapped[Account | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    opportunity: Mapped[Opportunity | None] = relationship()
