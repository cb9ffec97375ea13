"""Undo: every action the bot confirms can be reversed once, exactly.

Doing an action records what it changed in the audit log (action `undo:<kind>`,
with the previous values); the Undo button carries that entry's id. Undoing
checks the actor, reverses the change through the normal write path (so history
keeps both the change and its reversal), and records `undone` so a second click
does nothing.

Reports leave out what was undone (`cancelled_history_ids`): the history row of an undone
change (its id is kept in the undo entry as `history_id`) and the row of its reversal
(note `undo`, written at the moment of the `undone` entry).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session, aliased

from store.db import Store
from store.errors import Conflict, NotAllowed, NotFound
from store.models import Activity, AuditEntry, Opportunity, OpportunityHistory, Stage, User
from store.schemas import deal_title
from store.services.deals.changes import _TRACKED as TRACKED
from store.services.deals.changes import Change, apply_change
from store.services.people import name_changes
from store.services.people.users import require_by_id
from store.services.system import audit


def remember(
    session: Session, *, actor: User, kind: str, entity_type: str, entity_id: int,
    before: dict[str, Any], now: datetime,
) -> int:
    """Record an undoable action; returns the token the Undo button carries."""
    if kind == "opportunity":
        before = {**before, "history_id": _history_row_written(session, entity_id, before)}
    entry = AuditEntry(
        at=now, actor_id=actor.id, action=f"undo:{kind}", entity_type=entity_type,
        entity_id=entity_id, detail=json.dumps(before, default=str), source="slack",
    )
    session.add(entry)
    session.flush()
    return entry.id


def _history_row_written(session: Session, opp_id: int, before: dict[str, Any]) -> int | None:
    """The id of the history row the change just applied wrote, None when it wrote none
    (only untracked fields such as the next step changed: `apply_change` writes a row
    exactly when a tracked field differs)."""
    opp = session.get(Opportunity, opp_id)
    if opp is None or all(before.get(k) == getattr(opp, k) for k in TRACKED):
        return None
    session.flush()
    return session.scalar(select(func.max(OpportunityHistory.id))
                          .where(OpportunityHistory.opportunity_id == opp_id))


def cancelled_history_ids(session: Session, since: datetime) -> set[int]:
    """History rows an Undo cancelled, for deals undone after `since`: each undone change's
    row and its reversal's, so a report counts neither (an undone win is no win).

    Undo entries from before `history_id` was kept name no row: their change's row is the
    deal's last one before the reversal."""
    undone = aliased(AuditEntry)
    found: set[int] = set()
    history = OpportunityHistory
    for opp_id, detail, undone_at in session.execute(
            select(AuditEntry.entity_id, AuditEntry.detail, undone.at)
            .join(undone, and_(undone.action == "undone", undone.entity_type == "audit",
                               undone.entity_id == AuditEntry.id))
            .where(AuditEntry.action == "undo:opportunity", undone.at > since)):
        reversal = session.scalar(select(history.id).where(
            history.opportunity_id == opp_id, history.changed_at == undone_at,
            history.note == "undo").order_by(history.id.desc()).limit(1))
        linked = json.loads(detail or "{}").get("history_id", "missing")
        if linked == "missing" and reversal is not None:  # kept before the link existed
            linked = session.scalar(select(history.id).where(
                history.opportunity_id == opp_id, history.id < reversal)
                .order_by(history.changed_at.desc(), history.id.desc()).limit(1))
        found |= {i for i in (reversal, linked) if isinstance(i, int)}
    return found


def _restore_opportunity(session: Session, entry: AuditEntry, actor: User, now: datetime) -> str:
    opp = session.get(Opportunity, entry.entity_id)
    if opp is None:
        raise NotFound("That deal no longer exists.")
    before = json.loads(entry.detail or "{}")
    stage = session.get(Stage, int(before["stage_id"]))
    owner = session.get(User, int(before["owner_id"]))
    apply_change(
        session, opp,
        Change(
            stage=stage if stage and stage.id != opp.stage_id else None,
            amount_minor=int(before["amount_minor"]), currency=before["currency"],
            probability=int(before["probability"]),
            close_date=date.fromisoformat(before["close_date"]),
            next_step=before["next_step"], owner=owner,
            lost_reason=before["lost_reason"], note="undo", undo=True,
        ),
        actor=actor, now=now, source="slack",
    )
    # the reversal restores the exact earlier state, closed_at and override flag included
    opp.lost_reason = before["lost_reason"]
    opp.probability_overridden = before["probability_overridden"] in (True, "True")
    opp.closed_at = datetime.fromisoformat(before["closed_at"]) if before["closed_at"] else None
    last_open = before["last_open_stage_id"]
    opp.last_open_stage_id = int(last_open) if last_open not in (None, "None") else None
    title = deal_title(opp.account.name if opp.account else None, opp.name)
    return f"{title} is back as it was."


def _remove_activity(session: Session, entry: AuditEntry) -> str:
    activity = session.get(Activity, entry.entity_id)
    if activity is None:
        raise NotFound("That activity is already gone.")
    before = json.loads(entry.detail or "{}")
    if activity.opportunity is not None:
        previous = before.get("opportunity_last_activity_at")
        activity.opportunity.last_activity_at = (
            datetime.fromisoformat(previous) if previous else None
        )
    session.delete(activity)
    return f"Removed the {activity.kind} \u201c{activity.subject}\u201d."


def _restore_follow_up(session: Session, entry: AuditEntry) -> str:
    activity = session.get(Activity, entry.entity_id)
    if activity is None:
        raise NotFound("That follow-up is already gone.")
    before = json.loads(entry.detail or "{}")
    activity.done = bool(before.get("done"))
    due = before.get("follow_up_at")
    activity.follow_up_at = datetime.fromisoformat(due) if due not in (None, "None") else None
    state = "done" if activity.done else "open"
    return f"The follow-up \u201c{activity.subject}\u201d is {state} again, as it was."


def _restore_delegate(session: Session, entry: AuditEntry) -> str:
    user = session.get(User, entry.entity_id)
    if user is None:
        raise NotFound("That person is gone.")
    previous = json.loads(entry.detail or "{}").get("delegate_id")
    user.delegate_id = int(previous) if previous not in (None, "None") else None
    stand_in = session.get(User, user.delegate_id) if user.delegate_id else None
    return (f"{stand_in.name} decides your approvals again." if stand_in is not None
            else "You decide your approvals again.")


def _archive_opportunity(session: Session, entry: AuditEntry, now: datetime) -> str:
    """A deal created by mistake is archived, not deleted: its history row stays valid."""
    opp = session.get(Opportunity, entry.entity_id)
    if opp is None or opp.archived_at is not None:
        raise NotFound("That deal is already gone.")
    opp.archived_at = now
    name_changes.changed(session, "deal", opp.id)
    return f"Removed the new deal {opp.name}."


FINAL = {"approval.approved": "an approval decision", "approval.rejected": "a rejection",
         "quote.sent": "a quote marked sent", "quote.accepted": "a quote marked accepted",
         "quote.revise": "a quote revised", "set_role": "a role change",
         "user.update": "a change to someone's role, manager or team",
         "user.deactivate": "a departure"}
"""Changes that others have been told of (an approval, a sent quote) or that are an admin's
(a role): "undo" typed after one says so rather than reaching back to an older change."""


class UndoService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def undo(self, actor_id: int, token: int) -> str:
        """Reverse the action recorded as `token`; returns a one-line summary."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            entry = s.get(AuditEntry, token)
            if entry is None or not entry.action.startswith("undo:"):
                raise NotFound("There is nothing to undo there.")
            if entry.actor_id != actor.id:
                raise NotAllowed("Only the person who did it can undo it.")
            if s.scalar(select(AuditEntry.id).where(
                AuditEntry.action == "undone", AuditEntry.entity_type == "audit",
                AuditEntry.entity_id == entry.id,
            )):
                raise Conflict("That was already undone.")
            now = self.store.now()
            summary = _reverse(s, entry, actor, now)
            audit.record(s, at=now, actor_id=actor.id, action="undone", entity_type="audit",
                         entity_id=entry.id)
            return summary

    def last_token(self, actor_id: int, since: datetime | None = None) -> int | None:
        """The actor's latest undoable action not undone yet ("undo" typed), if any: the
        last few are looked at, as nobody types "undo" for something a week back; with
        `since`, only one made since then."""
        with self.store.transaction() as s:
            latest = s.execute(
                select(AuditEntry.id, AuditEntry.action)
                .where(AuditEntry.actor_id == actor_id,
                       AuditEntry.action.startswith("undo:") | AuditEntry.action.in_(FINAL),
                       AuditEntry.at >= since if since is not None else true())
                .order_by(AuditEntry.id.desc()).limit(20)).all()
            if latest and latest[0].action in FINAL:
                raise Conflict(f"Your last change ({FINAL[latest[0].action]}) can't be undone "
                               "by typing `undo`, so nothing was changed.")
            recent = [row.id for row in latest]
            if not recent:
                return None
            undone = set(s.scalars(select(AuditEntry.entity_id).where(
                AuditEntry.action == "undone", AuditEntry.entity_type == "audit",
                AuditEntry.entity_id.in_(recent))))
            return next((token for token in recent if token not in undone), None)


    def last_deal(self, actor_id: int, since: datetime) -> int | None:
        """The deal the actor's latest change since `since` was to, if that change (not
        undone) was to a deal: what "oops, meant 57k" typed right after corrects."""
        token = self.last_token(actor_id)
        if token is None:
            return None
        with self.store.read() as s:
            entry = s.get(AuditEntry, token)
            if entry is None or entry.entity_type != "opportunity" or entry.at < since:
                return None
            return entry.entity_id


def _reverse(session: Session, entry: AuditEntry, actor: User, now: datetime) -> str:
    """Reverse one recorded action; a bundle (one message's several changes) reverses its
    parts, last first, and says each."""
    kind = entry.action.removeprefix("undo:")
    if kind == "opportunity":
        return _restore_opportunity(session, entry, actor, now)
    if kind == "activity":
        return _remove_activity(session, entry)
    if kind == "created":
        return _archive_opportunity(session, entry, now)
    if kind == "follow_up":
        return _restore_follow_up(session, entry)
    if kind == "delegate":
        return _restore_delegate(session, entry)
    if kind == "bundle":
        tokens = json.loads(json.loads(entry.detail or "{}").get("tokens", "[]"))
        parts = []
        for token in reversed(tokens):
            part = session.get(AuditEntry, int(token))
            if part is None or part.actor_id != actor.id:
                raise NotFound("There is nothing to undo there.")
            parts.append(_reverse(session, part, actor, now))
            audit.record(session, at=now, actor_id=actor.id, action="undone",
                         entity_type="audit", entity_id=part.id)
        return " ".join(reversed(parts))
    raise NotFound("There is nothing to undo there.")
