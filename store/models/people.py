"""Who uses salesbot: users (one per Slack member) and teams."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, Timestamps, UTCDateTime
from store.roles import REP, ROLES


class Team(Timestamps, Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, ondelete="SET NULL")
    )
    slack_channel_id: Mapped[str | None] = mapped_column(String(32))

    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])


class User(Timestamps, Base):
    """A Slack member. `manager_id` is the "owner's manager" of approval and renewal routing."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role_known"),
        CheckConstraint("digest_hour IS NULL OR (digest_hour >= 0 AND digest_hour <= 23)",
                        name="digest_hour_range"),
        Index(None, "team_id"),
        Index(None, "manager_id"),
        Index(None, "delegate_id"),  # whose approvals an approver decides (every queue)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16), default=REP)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    timezone: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_hour: Mapped[int | None] = mapped_column(Integer)
    reminders_muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    weekend_reminders: Mapped[bool] = mapped_column(Boolean, default=False)

    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    manager: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[manager_id])
