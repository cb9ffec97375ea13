"""People administration: roles, managers, teams; departures handed over in one go;
Slack profile changes kept current; the workspace's install state.

Admin-only writes; every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import InvalidInput, NotAllowed, NotFound
from store.models import (
    ROLES,
    Account,
    Activity,
    ApprovalRequest,
    ApprovalStep,
    AuditEntry,
    Contract,
    Opportunity,
    Reminder,
    Stage,
    User,
)
from store.roles import ADMIN, is_admin
from store.schemas import UserView
from store.services.deals.changes import Change, apply_change
from store.services.people import name_changes
from store.services.people.users import ensure_team, find_user, get_or_create_user, require_by_id
from store.services.system import audit


@dataclass(frozen=True)
class Handover:
    """What moved from a departing user to their successor (or waits for one)."""

    user: str
    successor: str | None
    opportunities: int
    accounts: int
    contracts: int
    follow_ups: int
    approvals: int

    def describe(self) -> str:
        what = (f"{self.opportunities} open deal(s), {self.accounts} account(s), "
                f"{self.contracts} contract(s), {self.follow_ups} open follow-up(s), "
                f"{self.approvals} pending approval(s)")
        if self.successor:
            return f"{self.user} is deactivated; {what} moved to {self.successor}."
        return f"{self.user} is deactivated; waiting for a new owner: {what}."


def _require_admin(actor: User) -> None:
    if not is_admin(actor):
        raise NotAllowed("Only an admin can change people and roles.")


@dataclass(frozen=True)
class _OpenWork:
    """What a departing user still holds: it moves to a successor, or waits for one."""

    open_deals: list[Opportunity]
    accounts: list[Account]
    contracts: list[Contract]
    follow_ups: list[Activity]
    steps: list[ApprovalStep]


def _departure(s: Session, user_ref: str, successor_ref: str | None
               ) -> tuple[User, User | None]:
    """The departing user and their successor (if named), both checked."""
    user = find_user(s, user_ref)
    if user is None:
        raise NotFound(f"There is no user {user_ref!r}.")
    successor = find_user(s, successor_ref) if successor_ref else None
    if successor_ref and (successor is None or not successor.is_active):
        raise NotFound(f"There is no active user {successor_ref!r}.")
    if successor is not None and successor.id == user.id:
        raise InvalidInput("Hand over to someone else.")
    return user, successor


def _open_work(s: Session, user: User) -> _OpenWork:
    return _OpenWork(
        open_deals=list(s.scalars(select(Opportunity).join(
            Stage, Opportunity.stage_id == Stage.id).where(
            Opportunity.owner_id == user.id, Stage.kind == "open",
            Opportunity.archived_at.is_(None)))),
        accounts=list(s.scalars(select(Account).where(Account.owner_id == user.id))),
        contracts=list(s.scalars(select(Contract).where(Contract.owner_id == user.id,
                                                        Contract.status == "active"))),
        follow_ups=list(s.scalars(select(Activity).where(
            Activity.owner_id == user.id, Activity.done.is_(False),
            Activity.follow_up_at.is_not(None)))),
        steps=list(s.scalars(select(ApprovalStep).where(
            ApprovalStep.approver_id == user.id,
            ApprovalStep.status.in_(("waiting", "pending"))))))


def _hand_over(s: Session, work: _OpenWork, user: User, successor: User, actor: User | None,
               now: datetime) -> None:
    """Move every open item to the successor; deals through `apply_change`, so their owner
    change is audited like any other. A successor can't approve their own request."""
    for opp in work.open_deals:
        apply_change(s, opp, Change(owner=successor), actor=actor, now=now,
                     source="command" if actor is None else "slack")
    owned: list[Account | Contract | Activity] = [*work.accounts, *work.contracts,
                                                  *work.follow_ups]
    for row in owned:
        row.owner_id = successor.id
    for step in work.steps:
        request = s.get(ApprovalRequest, step.request_id)
        if request is not None and request.requested_by_id == successor.id:
            raise InvalidInput(f"{successor.name} asked for one of "
                               f"{user.name}'s approvals; pick someone else.")
        step.approver_id = successor.id


def _retire(s: Session, user: User) -> None:
    """Inactive, no longer anyone's delegate nor delegating, and no reminders pending."""
    user.is_active = False
    name_changes.changed(s, "user", user.id)
    if user.delegate_id:
        user.delegate_id = None
    s.execute(update(User).where(User.delegate_id == user.id).values(delegate_id=None))
    s.execute(update(Reminder).where(Reminder.user_id == user.id,
                                     Reminder.status == "pending")
              .values(status="canceled", last_error="user deactivated"))


class PeopleService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def check_admin(self, actor_id: int) -> None:
        with self.store.transaction() as s:
            _require_admin(require_by_id(s, actor_id))

    def update(self, actor_id: int, user_ref: str, *, role: str | None = None,
               manager_ref: str | None = None, team: str | None = None) -> UserView:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            _require_admin(actor)
            user = find_user(s, user_ref)
            if user is None:
                raise NotFound(f"There is no user {user_ref!r}.")
            before = {"role": user.role, "manager_id": user.manager_id, "team_id": user.team_id}
            if role is not None:
                if role not in ROLES:
                    raise InvalidInput(f"{role!r} is not a role; use {', '.join(ROLES)}.")
                user.role = role
            if manager_ref is not None:
                manager = find_user(s, manager_ref) if manager_ref else None
                if manager_ref and manager is None:
                    raise NotFound(f"There is no user {manager_ref!r}.")
                if manager is not None and self._reports_to(s, manager, user):
                    raise InvalidInput(f"{manager.name} reports to {user.name}; that would "
                                       "make a loop.")
                user.manager_id = manager.id if manager else None
            if team is not None:
                user.team_id = ensure_team(s, team).id if team.strip() else None
            audit.record(s, at=self.store.now(), actor_id=actor.id, action="user.update",
                         entity_type="user", entity_id=user.id,
                         detail={"before": before, "after": {
                             "role": user.role, "manager_id": user.manager_id,
                             "team_id": user.team_id}})
            s.flush()
            return UserView.of(user)

    @staticmethod
    def _reports_to(s: Session, manager: User, user: User) -> bool:
        seen: set[int] = set()
        current: User | None = manager
        while current is not None and current.id not in seen:
            if current.id == user.id:
                return True
            seen.add(current.id)
            current = s.get(User, current.manager_id) if current.manager_id else None
        return False

    def deactivate(self, actor_id: int | None, user_ref: str,
                   successor_ref: str | None = None) -> Handover:
        """Deactivate and hand everything open to the successor, in one transaction.

        Without a successor (Slack deactivated them) nothing moves: the counts say what
        is waiting, for admins to hand over.
        """
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id) if actor_id else None
            if actor is not None:
                _require_admin(actor)
            user, successor = _departure(s, user_ref, successor_ref)
            now = self.store.now()
            work = _open_work(s, user)
            if successor is not None:
                _hand_over(s, work, user, successor, actor, now)
            _retire(s, user)
            summary = Handover(user.name, successor.name if successor else None,
                               len(work.open_deals), len(work.accounts), len(work.contracts),
                               len(work.follow_ups), len(work.steps))
            audit.record(s, at=now, actor_id=actor.id if actor else None,
                         action="user.deactivate", entity_type="user", entity_id=user.id,
                         detail={**summary.__dict__, "successor_id": successor.id
                                 if successor else None},
                         source="slack" if actor else "system")
            return summary

    def sync_profile(self, slack_user_id: str, *, name: str | None, email: str | None,
                     timezone: str | None, deleted: bool = False
                     ) -> tuple[UserView, Handover | None]:
        """Slack's team_join / user_change: keep name, email and zone current.

        Returns the user, and what was waiting for them when this call deactivated them.
        """
        with self.store.transaction() as s:
            user = get_or_create_user(s, slack_user_id, name=name, email=email,
                                      timezone=timezone)
            if name and name != user.name:
                user.name = name
                name_changes.changed(s, "user", user.id)
            user.email = email or user.email
            user.timezone = timezone or user.timezone
            newly_gone = deleted and user.is_active
            s.flush()
            view = UserView.of(user)
        if newly_gone:
            handover = self.deactivate(None, slack_user_id)
            return view.model_copy(update={"is_active": False}), handover
        return view, None

    def admins(self) -> list[UserView]:
        with self.store.transaction() as s:
            return [UserView.of(u) for u in s.scalars(select(User).where(
                User.role == ADMIN, User.is_active.is_(True)))]


class WorkspaceService:
    """Whether Slack still lets us send (app_uninstalled / tokens_revoked stop it)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, state: str) -> None:
        with self.store.transaction() as s:
            audit.record(s, at=self.store.now(), actor_id=None, action=f"slack.{state}",
                         entity_type="workspace", entity_id=0, source="system")

    def seen_alive(self) -> None:
        """An event arrived: if the app had been uninstalled, it is installed again. Revoked
        tokens stay revoked whatever arrives (an event says nothing about our token): only a
        token that works again resumes sending (`token_works`)."""
        if self.stopped_by() == "uninstalled":
            self.record("active")

    def token_works(self) -> None:
        """Slack accepted our token (auth.test): sending resumes, whatever stopped it."""
        if not self.sending_enabled():
            self.record("active")

    def stopped_by(self) -> str | None:
        """"uninstalled" or "tokens_revoked" while sending is stopped, else None."""
        with self.store.read() as s:
            last = s.scalar(select(AuditEntry.action).where(
                AuditEntry.entity_type == "workspace", AuditEntry.entity_id == 0)
                .order_by(AuditEntry.id.desc()).limit(1))
        state = (last or "").removeprefix("slack.")
        return state if state in ("uninstalled", "tokens_revoked") else None

    def sending_enabled(self) -> bool:
        return self.stopped_by() is None
