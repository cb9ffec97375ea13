"""Activities: what reps did (calls, meetings, emails, notes, tasks) and what is due next.

`done` belongs to the follow-up: an activity with a follow-up date is open until its
follow-up is done; one without a follow-up is done when logged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.access import (
    require_account_access,
    require_contact_access,
    require_owner_access,
    require_visible,
    visible_owner_ids,
)
from store.db import Store
from store.errors import Conflict, InvalidInput, NotFound
from store.models import ACTIVITY_KINDS, Account, Activity, Contact, Opportunity, User
from store.schemas import ActivityView
from store.services.deals import undo
from store.services.people.users import require_by_id

_MISSING = "The account, contact or deal you named no longer exists."


def touch_opportunity(opp: Opportunity, occurred_at: datetime) -> None:
    """A logged activity keeps the deal's last-activity time current (stale-deal sweeps read it)."""
    if opp.last_activity_at is None or occurred_at > opp.last_activity_at:
        opp.last_activity_at = occurred_at


def add_activity(
    session: Session,
    *,
    owner: User,
    kind: str,
    subject: str,
    occurred_at: datetime,
    body: str | None = None,
    follow_up_at: datetime | None = None,
    done: bool | None = None,
    account: Account | None = None,
    contact: Contact | None = None,
    opportunity: Opportunity | None = None,
    slack_permalink: str | None = None,
    slack_event_key: str | None = None,
) -> Activity:
    """Insert one activity in the caller's transaction, filling the account from its links."""
    kind = kind.lower().strip()
    if kind not in ACTIVITY_KINDS:
        raise InvalidInput(f"{kind!r} is not an activity kind; use {', '.join(ACTIVITY_KINDS)}.")
    subject = " ".join((subject or "").split())
    if not subject:
        raise InvalidInput("An activity needs a subject.")
    if account is None and opportunity is not None:
        account = opportunity.account
    if account is None and contact is not None:
        account = contact.account
    if account is None and contact is None and opportunity is None:
        raise InvalidInput("Say which account, contact or deal this activity is about.")
    activity = Activity(
        kind=kind, subject=subject[:300], body=body, occurred_at=occurred_at,
        follow_up_at=follow_up_at, done=(follow_up_at is None) if done is None else done,
        owner=owner, owner_id=owner.id, account=account, contact=contact,
        opportunity=opportunity, slack_permalink=slack_permalink,
        slack_event_key=slack_event_key,
    )
    session.add(activity)
    if opportunity is not None:
        touch_opportunity(opportunity, occurred_at)
    return activity


class ActivityService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def log(
        self,
        actor_id: int,
        *,
        kind: str,
        subject: str,
        body: str | None = None,
        occurred_at: datetime | None = None,
        follow_up_at: datetime | None = None,
        account_id: int | None = None,
        contact_id: int | None = None,
        opportunity_id: int | None = None,
        slack_permalink: str | None = None,
        slack_event_key: str | None = None,
    ) -> ActivityView:
        try:
            with self.store.transaction() as s:
                actor = require_by_id(s, actor_id)
                opp = s.get(Opportunity, opportunity_id) if opportunity_id else None
                if opportunity_id and opp is None:
                    raise NotFound(_MISSING)
                if opp is not None:
                    require_owner_access(s, actor, opp.owner_id, "deals")
                account, contact = self._account_and_contact(s, actor, opp, account_id,
                                                             contact_id)
                before = {"opportunity_last_activity_at": opp.last_activity_at if opp else None}
                activity = add_activity(
                    s, owner=actor, kind=kind, subject=subject, body=body,
                    occurred_at=occurred_at or self.store.now(), follow_up_at=follow_up_at,
                    account=account, contact=contact, opportunity=opp,
                    slack_permalink=slack_permalink, slack_event_key=slack_event_key,
                )
                s.flush()
                token = undo.remember(
                    s, actor=actor, kind="activity", entity_type="activity",
                    entity_id=activity.id, before=before, now=self.store.now(),
                )
                return ActivityView.of(activity).model_copy(update={"undo_token": token})
        except IntegrityError as exc:
            if slack_event_key and "slack_event_key" in str(exc.orig):
                raise Conflict("That message is already logged as an activity.") from exc
            raise

    @staticmethod
    def _account_and_contact(
        session: Session, actor: User, opp: Opportunity | None, account_id: int | None,
        contact_id: int | None,
    ) -> tuple[Account | None, Contact | None]:
        """The account and contact named, if the actor may see them (store/access.py); one
        they may not see is refused in the words a missing one gets. The deal's own account
        (and its contacts) come with the deal, already checked."""
        deal_account = opp.account_id if opp is not None else None
        account = contact = None
        if account_id:
            account = (session.get(Account, account_id) if account_id == deal_account
                       else require_account_access(session, actor, account_id, _MISSING))
        if contact_id:
            contact = require_contact_access(session, actor, contact_id, _MISSING,
                                             via_account=deal_account)
        return account, contact

    def get(self, actor_id: int, activity_id: int) -> ActivityView:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            activity = s.get(Activity, activity_id)
            if activity is None:
                raise NotFound("That activity no longer exists.")
            require_visible(s, actor, activity.owner_id, "activity")
            return ActivityView.of(activity)

    def list_for(
        self,
        actor_id: int,
        *,
        account_id: int | None = None,
        opportunity_id: int | None = None,
        owner_id: int | None = None,
        limit: int = 20,
    ) -> list[ActivityView]:
        """Most recent first, limited to what the actor may see."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            query = select(Activity).order_by(Activity.occurred_at.desc(), Activity.id.desc())
            if account_id is not None:
                query = query.where(Activity.account_id == account_id)
            if opportunity_id is not None:
                query = query.where(Activity.opportunity_id == opportunity_id)
            if owner_id is not None:
                query = query.where(Activity.owner_id == owner_id)
            owners = visible_owner_ids(s, actor)
            if owners is not None:
                query = query.where(Activity.owner_id.in_(owners))
            return [ActivityView.of(a) for a in s.scalars(query.limit(limit))]

    def due_follow_ups(self, owner_id: int, until: datetime) -> list[ActivityView]:
        """Open follow-ups of `owner_id` due at or before `until`, oldest first."""
        with self.store.transaction() as s:
            query = (
                select(Activity)
                .where(
                    Activity.owner_id == owner_id, Activity.done.is_(False),
                    Activity.follow_up_at.is_not(None), Activity.follow_up_at <= until,
                )
                .order_by(Activity.follow_up_at, Activity.id)
            )
            return [ActivityView.of(a) for a in s.scalars(query)]

    def set_follow_up_done(
        self, actor_id: int, activity_id: int, done: bool = True
    ) -> ActivityView:
        with self.store.transaction() as s:
            activity, token = finish_follow_up(s, require_by_id(s, actor_id), activity_id,
                                               self.store.now(), done=done)
            return ActivityView.of(activity).model_copy(update={"undo_token": token})

    def reschedule(self, actor_id: int, activity_id: int, when: datetime) -> ActivityView:
        with self.store.transaction() as s:
            activity, token = move_follow_up(s, require_by_id(s, actor_id), activity_id, when,
                                             self.store.now())
            return ActivityView.of(activity).model_copy(update={"undo_token": token})


def finish_follow_up(session: Session, actor: User, activity_id: int, now: datetime, *,
                     done: bool = True) -> tuple[Activity, int]:
    """Mark the actor's follow-up done (or open again), undoably, in the caller's
    transaction: alone, or with the deal changes said in the same message."""
    activity = _own_follow_up(session, actor, activity_id)
    token = _remember_follow_up(session, actor, activity, now)
    activity.done = done
    session.flush()
    return activity, token


def move_follow_up(session: Session, actor: User, activity_id: int, when: datetime,
                   now: datetime) -> tuple[Activity, int]:
    """Give the actor's follow-up a new day (open again if it was done), undoably."""
    activity = _own_follow_up(session, actor, activity_id)
    token = _remember_follow_up(session, actor, activity, now)
    activity.follow_up_at = when
    activity.done = False
    session.flush()
    return activity, token


def _own_follow_up(session: Session, actor: User, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("That follow-up no longer exists.")
    require_owner_access(session, actor, activity.owner_id, "follow-ups")
    return activity


def _remember_follow_up(session: Session, actor: User, activity: Activity,
                        now: datetime) -> int:
    """A follow-up marked done or moved is undoable like every other change, so "undo"
    typed right after "done with the globex follow-up" reopens it instead of reaching back
    to an older change."""
    return undo.remember(session, actor=actor, kind="follow_up", entity_type="activity",
                         entity_id=activity.id, now=now,
                         before={"done": activity.done, "follow_up_at": activity.follow_up_at})
