"""What is sold and signed: products, quotes and their lines, approvals, contracts, cases."""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, CurrencyCode, MinorUnits, Timestamps, UTCDateTime

QUOTE_STATUSES = (
    "draft", "pending_approval", "approved", "rejected", "presented",
    "accepted", "declined", "expired", "canceled", "superseded",
)
REQUEST_STATUSES = ("pending", "approved", "rejected", "recalled", "superseded", "expired")
STEP_STATUSES = ("waiting", "pending", "approved", "rejected", "skipped")
CONTRACT_STATUSES = ("draft", "active", "expired", "terminated", "renewed")
CASE_STATUSES = ("new", "assigned", "pending", "closed", "rejected", "duplicate")
CASE_PRIORITIES = ("low", "normal", "high", "urgent")


class Product(Timestamps, Base):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint("list_price_minor >= 0", name="price_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    list_price_minor: Mapped[int] = mapped_column(MinorUnits())
    currency: Mapped[str] = mapped_column(CurrencyCode)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Quote(Timestamps, Base):
    """One version of a numbered quote; a revision is a new row that supersedes the old one."""

    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint(f"status IN {QUOTE_STATUSES!r}", name="status_known"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("subtotal_minor >= 0", name="subtotal_not_negative"),
        CheckConstraint("discount_minor >= 0", name="discount_not_negative"),
        CheckConstraint("total_minor >= 0", name="total_not_negative"),
        CheckConstraint("total_minor = subtotal_minor - discount_minor", name="total_adds_up"),
        CheckConstraint(
            "discount_bp >= 0 AND discount_bp <= 10000", name="discount_range"
        ),
        UniqueConstraint("number", "version"),
        Index(None, "opportunity_id"),
        Index(None, "status", "valid_until"),
        Index("uq_quotes_one_synced_per_deal", "opportunity_id", unique=True,
              sqlite_where=text("synced"), postgresql_where=text("synced")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("opportunities.id", ondelete="RESTRICT"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    currency: Mapped[str] = mapped_column(CurrencyCode)
    discount_bp: Mapped[int] = mapped_column(Integer, default=0)  # quote-level, basis points
    subtotal_minor: Mapped[int] = mapped_column(MinorUnits(), default=0)
    discount_minor: Mapped[int] = mapped_column(MinorUnits(), default=0)
    total_minor: Mapped[int] = mapped_column(MinorUnits(), default=0)
    valid_until: Mapped[date] = mapped_column(Date)
    justification: Mapped[str | None] = mapped_column(Text)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("quotes.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # who sent it to the customer, and the document's reference where it went (Slack file)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_file_id: Mapped[str | None] = mapped_column(String(32))
    # the deal's amount follows its one synced quote; `sync_picked` when a rep chose it
    # (then a later approval of another quote does not take the sync away)
    synced: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    sync_picked: Mapped[bool] = mapped_column(Boolean, default=False,
                                              server_default=text("false"))

    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="quote", order_by="QuoteLine.position", cascade="all, delete-orphan"
    )


class QuoteLine(Base):
    __tablename__ = "quote_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_minor >= 0", name="price_not_negative"),
        CheckConstraint("discount_bp >= 0 AND discount_bp <= 10000", name="discount_range"),
        CheckConstraint("line_total_minor >= 0", name="total_not_negative"),
        UniqueConstraint("quote_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(MinorUnits())
    discount_bp: Mapped[int] = mapped_column(Integer, default=0)
    line_total_minor: Mapped[int] = mapped_column(MinorUnits())

    quote: Mapped[Quote] = relationship(back_populates="lines")


class ApprovalRequest(Base):
    """One request for approval of one quote version; decided requests are never edited."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        CheckConstraint(f"status IN {REQUEST_STATUSES!r}", name="status_known"),
        Index(None, "quote_id"),
        Index(
            "uq_approval_requests_one_pending",
            "quote_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="RESTRICT"))
    quote_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    justification: Mapped[str | None] = mapped_column(Text)
    auto_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    # the requester's message about this request; decisions are told in its thread
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))


class ApprovalStep(Base):
    """One approver's decision at one level; decided once (an UPDATE … WHERE status='pending')."""

    __tablename__ = "approval_steps"
    __table_args__ = (
        CheckConstraint(f"status IN {STEP_STATUSES!r}", name="status_known"),
        UniqueConstraint("request_id", "level", "approver_id"),
        Index(None, "approver_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="RESTRICT"))
    level: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(200))
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))


class Contract(Timestamps, Base):
    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("value_minor >= 0", name="value_not_negative"),
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint(f"status IN {CONTRACT_STATUSES!r}", name="status_known"),
        UniqueConstraint("account_id", "name"),
        Index(None, "end_date"),
        Index(None, "status", "end_date"),
        Index(None, "owner_id"),  # the renewal sweep: contracts of the users written since
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    value_minor: Mapped[int] = mapped_column(MinorUnits())
    currency: Mapped[str] = mapped_column(CurrencyCode)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="active")
    renewal_opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunities.id"))


class Case(Timestamps, Base):
    """A support ticket; open ones are a renewal-risk signal."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(f"status IN {CASE_STATUSES!r}", name="status_known"),
        CheckConstraint(f"priority IN {CASE_PRIORITIES!r}", name="priority_known"),
        Index(None, "account_id", "status"),
        Index(None, "opened_at"),  # the workflow sweep: cases opened since a time
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="new")
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
