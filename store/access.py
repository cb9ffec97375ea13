"""Who sees and changes what (docs/INTERFACES.md "Roles").

Reps see and change their own records; managers and directors their team's,
recursively (everyone whose manager chain leads to them, and members of teams they
manage); admins everything. Services call these functions; handlers never decide.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.errors import NotAllowed
from store.models import Team, User

SUPERVISING_ROLES = ("manager", "director")


def people_under(session: Session, user_id: int) -> set[int]:
    """The user and everyone whose manager chain, or managed team, leads to them."""
    found = {user_id}
    frontier = {user_id}
    while frontier:
        reports = set(session.scalars(select(User.id).where(User.manager_id.in_(frontier))))
        managed_teams = select(Team.id).where(Team.manager_id.in_(frontier))
        members = set(session.scalars(select(User.id).where(User.team_id.in_(managed_teams))))
        frontier = (reports | members) - found
        found |= frontier
    return found


def visible_owner_ids(session: Session, actor: User) -> set[int] | None:
    """Ids of users whose records `actor` may see; None means everyone's."""
    if actor.role == "admin":
        return None
    if actor.role not in SUPERVISING_ROLES:
        return {actor.id}
    return people_under(session, actor.id)


def can_see_owner(session: Session, actor: User, owner_id: int | None) -> bool:
    visible = visible_owner_ids(session, actor)
    return visible is None or owner_id in visible


def require_owner_access(session: Session, actor: User, owner_id: int | None, what: str) -> None:
    """Raise NotAllowed unless `actor` may change a record owned by `owner_id`."""
    if not can_see_owner(session, actor, owner_id):
        raise NotAllowed(f"You can only change your own {what} (or your team's, as a manager).")


def require_visible(session: Session, actor: User, owner_id: int | None, what: str) -> None:
    """Raise NotAllowed unless `actor` may see a record owned by `owner_id`."""
    if not can_see_owner(session, actor, owner_id):
        raise NotAllowed(f"That {what} belongs to someone outside your team.")
