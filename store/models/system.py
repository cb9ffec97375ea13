"""Rows the machinery needs: knowledge articles, reminders, received Slack events, the audit log,
long button values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, Timestamps, UTCDateTime

REMINDER_STATUSES = ("pending", "claimed", "sent", "failed", "canceled")


class KnowledgeArticle(Timestamps, Base):
    """The store is the source of truth; `knowledge/` indexes these by `updated_at`.

    Deletion is soft (`deleted_at`) so every process's index can catch up on removals.
    """

    __tablename__ = "kb_articles"
    __table_args__ = (Index(None, "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(String(500), default="")
    product: Mapped[str | None] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # front-matter keys of other docs tools (`weight`, `aliases`, dates…), kept as the page
    # had them; nothing ranks or shows them
    front_matter: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Reminder(Base):
    """One reminder, created once (unique `key` = kind:subject:due date) and claimed atomically."""

    __tablename__ = "reminders"
    __table_args__ = (
        CheckConstraint(f"status IN {REMINDER_STATUSES!r}", name="status_known"),
        Index(None, "status", "deliver_at"),
        Index(None, "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deliver_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="pending")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


EVENT_STATES = ("received", "done", "failed")


class SlackEvent(Base):
    """Every Slack event received, so a retry is handled once and an event acknowledged
    before a crash is not lost (store/services/system/events.py).

    `body` holds the event while it waits for its work (the JSON Slack sent, without its
    legacy `token`); it is cleared when the event is done or has failed, so message text
    stays only as long as it is needed. `lease_until` and `worker` say who works on it and
    until when; `attempts` counts deliveries to a listener."""

    __tablename__ = "slack_events"
    __table_args__ = (
        Index(None, "received_at"),
        Index(None, "state", "lease_until"),
        CheckConstraint(f"state IN {EVENT_STATES!r}", name="state_known"),
    )

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(10), default="done", server_default="done")
    body: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    worker: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Append-only record of who changed what, for everything stage history does not cover."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "entity_type", "entity_id"), Index(None, "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)  # JSON
    source: Mapped[str] = mapped_column(String(16), default="slack")


class ButtonValue(Base):
    """A button value too long for Slack (2,000 characters), kept here; the button carries
    only a reference to its id (handlers/slack/parked_values.py)."""

    __tablename__ = "button_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    value: Mapped[str] = mapped_column(Text)


class OwedReply(Base):
    """A reply the bot owes someone: the change it confirms was saved, but Slack refused
    the message for now (rate limit, 5xx, timeout). The sweep delivers it (bot/replies.py)
    so nobody is told "something went wrong" about a write that stands."""

    __tablename__ = "owed_replies"
    __table_args__ = (Index(None, "status", "deliver_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(32))  # a Web API method, or "respond"
    payload: Mapped[str] = mapped_column(Text)  # its arguments, as JSON
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deliver_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NamesVersion(Base):
    """One row: how many times the names people type (accounts, contacts, users, stages, open
    deals) have changed. Every write that changes one bumps it in its own transaction, so a
    process reads one integer per message to know whether its name cache is current
    (store/services/people/name_changes.py), instead of scanning a table."""

    __tablename__ = "names_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class NameChange(Base):
    """What one bump of `NamesVersion` changed: a kind ("account", "contact", "user", "stage",
    "deal", or "all" for a bulk change) and the row's id, so a cache patches that one name
    instead of reloading all of them. Only the latest few thousand are kept."""

    __tablename__ = "name_changes"

    version: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[int | None] = mapped_column(Integer)
