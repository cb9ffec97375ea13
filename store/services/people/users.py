"""Users: one per Slack member, created the first time they talk to the bot."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import InvalidInput, NotFound
from store.models import ROLES, Team, User
from store.roles import REP
from store.schemas import UserView
from store.services.people import name_changes
from store.services.system import audit


def find_user(session: Session, ref: str) -> User | None:
    """A user by Slack id, email, or full name when that name is unique."""
    ref = ref.strip()
    if not ref:
        return None
    user = session.scalar(select(User).where(User.slack_user_id == ref))
    if user is None and "@" in ref:
        user = session.scalar(select(User).where(func.lower(User.email) == ref.lower()))
    if user is None:
        named = session.scalars(
            select(User).where(func.lower(User.name) == ref.lower()).limit(2)
        ).all()
        user = named[0] if len(named) == 1 else None
    return user


def require_user(session: Session, ref: str) -> User:
    user = find_user(session, ref)
    if user is None:
        raise NotFound(f"I don't know a user {ref!r} (use a Slack id, an email or a unique name).")
    return user


def get_or_create_user(
    session: Session,
    slack_user_id: str,
    *,
    name: str | None = None,
    email: str | None = None,
    timezone: str | None = None,
) -> User:
    user = session.scalar(select(User).where(User.slack_user_id == slack_user_id))
    if user is None:
        user = User(
            slack_user_id=slack_user_id, name=name or slack_user_id, email=email,
            timezone=timezone, role=REP, is_active=True,
        )
        session.add(user)
        session.flush()
        name_changes.changed(session, "user", user.id)
    return user


def ensure_team(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))
    if team is None:
        team = Team(name=name.strip())
        session.add(team)
        session.flush()
    return team


class UserService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def get_or_create(
        self,
        slack_user_id: str,
        *,
        name: str | None = None,
        email: str | None = None,
        timezone: str | None = None,
    ) -> UserView:
        with self.store.transaction() as s:
            return UserView.of(
                get_or_create_user(s, slack_user_id, name=name, email=email, timezone=timezone)
            )

    def get(self, ref: str) -> UserView:
        with self.store.transaction() as s:
            return UserView.of(require_user(s, ref))

    def find(self, ref: str) -> UserView | None:
        with self.store.read() as s:
            user = find_user(s, ref)
            return UserView.of(user) if user else None

    def set_role(self, ref: str, role: str, *, actor_id: int | None = None) -> UserView:
        if role not in ROLES:
            raise InvalidInput(f"{role!r} is not a role; use one of {', '.join(ROLES)}.")
        with self.store.transaction() as s:
            user = require_user(s, ref)
            before = user.role
            user.role = role
            audit.record(
                s, at=self.store.now(), actor_id=actor_id, action="set_role",
                entity_type="user", entity_id=user.id,
                detail={"before": before, "after": role}, source="command",
            )
            s.flush()
            return UserView.of(user)

    def assignable(self, actor_id: int) -> list[UserView]:
        """Who the actor may give a deal to: their team (managers), everyone (admins)."""
        from store.access import visible_owner_ids

        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            query = select(User).where(User.is_active.is_(True)).order_by(User.name)
            owners = visible_owner_ids(s, actor)
            if owners is not None:
                query = query.where(User.id.in_(owners))
            return [UserView.of(u) for u in s.scalars(query.limit(100))]

    def list(self) -> list[UserView]:
        with self.store.transaction() as s:
            return [UserView.of(u) for u in s.scalars(select(User).order_by(User.slack_user_id))]


def require_by_id(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("That user no longer exists.")
    return user
