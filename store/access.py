"""Who sees and changes what (docs/INTERFACES.md "Roles"; the roles are in store/roles.py).

Reps see and change their own records; managers and directors their team's,
recursively (everyone whose manager chain leads to them, and members of teams they
manage); admins everything. Accounts are seen through their owner or an open deal on
them, contacts through their account (`visible_account_ids`). Services call these
functions; handlers never decide.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Integer, literal, or_, select
from sqlalchemy.orm import Session, aliased

from store.errors import NotAllowed, NotFound
from store.models import Account, Contact, Opportunity, Stage, Team, User
from store.roles import HasRole, is_admin, supervises


class Person(HasRole, Protocol):
    """Who visibility is worked out for: a `User` row, or the request's `UserView`."""

    @property
    def id(self) -> int: ...


def people_under(session: Session, user_id: int) -> set[int]:
    """The user and everyone whose manager chain, or managed team, leads to them.

    One recursive statement, whatever the depth of the org tree: each step adds the direct
    reports of the people found so far and the members of the teams they manage (through
    the indexes on users.manager_id and users.team_id). UNION, not UNION ALL, drops people
    already found, so a loop in the manager chain ends instead of recursing for ever.
    PostgreSQL allows one reference to the recursive name in its step, so both edges are
    one join: a team the person manages (LEFT JOIN) or their own id as manager.
    """
    start = select(literal(user_id, Integer).label("id")).cte("under", recursive=True)
    managed = aliased(Team)
    step = (select(User.id)
            .select_from(start)
            .outerjoin(managed, managed.manager_id == start.c.id)
            .join(User, or_(User.manager_id == start.c.id, User.team_id == managed.id)))
    under = start.union(step)
    return set(session.scalars(select(under.c.id)))


def visible_owner_ids(session: Session, actor: Person) -> set[int] | None:
    """Ids of users whose records `actor` may see; None means everyone's."""
    if is_admin(actor):
        return None
    if not supervises(actor):
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


def visible_account_ids(session: Session, actor: Person) -> set[int] | None:
    """Ids of accounts `actor` may see and act on; None means every account.

    An account is visible when its owner is (`visible_owner_ids`), or when an open deal on
    it is: a rep working a deal on someone else's account still sees that account.
    """
    owners = visible_owner_ids(session, actor)
    if owners is None:
        return None
    owned = select(Account.id).where(Account.owner_id.in_(owners))
    dealt = (select(Opportunity.account_id)
             .join(Stage, Opportunity.stage_id == Stage.id)
             .where(Stage.kind == "open", Opportunity.archived_at.is_(None),
                    Opportunity.account_id.is_not(None), Opportunity.owner_id.in_(owners)))
    return set(session.scalars(owned)) | {i for i in session.scalars(dealt) if i is not None}


def can_see_account(session: Session, actor: User, account_id: int | None) -> bool:
    visible = visible_account_ids(session, actor)
    return visible is None or account_id in visible


def can_see_contact(session: Session, actor: User, contact: Contact) -> bool:
    """Contacts follow their account; one without an account follows its owner."""
    if contact.account_id is not None:
        return can_see_account(session, actor, contact.account_id)
    return can_see_owner(session, actor, contact.owner_id)


MISSING_ACCOUNT = "That account no longer exists."
MISSING_CONTACT = "That contact no longer exists."


def require_account_access(session: Session, actor: User, account_id: int,
                           missing: str = MISSING_ACCOUNT) -> Account:
    """The account, or NotFound with the words a missing one gets: an account the actor may
    not see reads exactly like one that does not exist (no existence leak)."""
    account = session.get(Account, account_id)
    if account is None or not can_see_account(session, actor, account.id):
        raise NotFound(missing, field="account")
    return account


def require_contact_access(session: Session, actor: User, contact_id: int,
                           missing: str = MISSING_CONTACT, *,
                           via_account: int | None = None) -> Contact:
    """The contact, or NotFound as for a missing one when the actor may not see it.
    `via_account`: an account already checked (a deal's), whose contacts need no more."""
    contact = session.get(Contact, contact_id)
    if contact is None or not (
            (via_account is not None and contact.account_id == via_account)
            or can_see_contact(session, actor, contact)):
        raise NotFound(missing, field="contact")
    return contact
