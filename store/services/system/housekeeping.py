"""The sweep's housekeeping and its look at whether it may send, in one round trip.

A sweep with nothing to do should cost a few index look-ups whatever the tables hold. So
one SELECT reads, each by an index, the workspace's sending state (the newest workspace
audit entry) and the oldest row of each table the sweep prunes; a prune then runs only
when its oldest row is past its keeping time, and deletes at most `PRUNE_BATCH` of the
oldest rows (an index range on the id), so no sweep walks a table. Rows are numbered in
the order they are written and stamped with the time they are written, so the oldest by
id is (to a clock's skew) the oldest by time; a skewed row waits a sweep longer, and the
DELETE's own time condition still keeps anything young. Deleting only what is past its
keeping time, a prune is safe to repeat, to cut short and to roll back with the sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, exists, select
from sqlalchemy.orm import Session

from store.models import (
    Account,
    AuditEntry,
    ButtonValue,
    Case,
    OpportunityHistory,
    OwedReply,
    Reminder,
    SlackEvent,
)
from store.services.system.button_values import KEPT_FOR
from store.services.system.events import DEDUP_WINDOW
from store.services.system.owed_replies import KEPT_AFTER_DELIVERY

PRUNE_BATCH = 500
"""Rows one prune deletes at most: far more than a minute's worth of any of them, so the
tables keep to their keeping times, and a backlog (after an outage) goes over sweeps."""


CLAIM_SOON = timedelta(minutes=5)
"""How far ahead the look for due reminders and owed replies reaches: the claims run when
anything is due by then (the sweep's planning, between this look and the claims, takes
far less), or is claimed (a lease that may have run out)."""


@dataclass(frozen=True)
class Housekeeping:
    """What was pruned, whether sending is stopped ("uninstalled" or "tokens_revoked"),
    and whether the sweep's next reads can find anything: workflow events since
    `events_since` (None when not asked), owed replies and reminders due soon."""

    pruned: int
    stopped_by: str | None
    events: bool | None = None
    owed_due: bool = True
    reminders_due: bool = True


def _oldest(column: Any, id_column: Any) -> Any:
    return select(column).order_by(id_column).limit(1).scalar_subquery()


_LOOK = select(  # built once: every sweep runs it
    select(AuditEntry.action).where(AuditEntry.entity_type == "workspace",
                                    AuditEntry.entity_id == 0)
    .order_by(AuditEntry.id.desc()).limit(1).scalar_subquery(),
    _oldest(SlackEvent.received_at, SlackEvent.received_at),
    _oldest(ButtonValue.created_at, ButtonValue.id),
    _oldest(OwedReply.created_at, OwedReply.id),
    exists().where(OwedReply.status == "pending", OwedReply.deliver_at <= bindparam("soon")),
    exists().where(Reminder.status == "pending", Reminder.deliver_at <= bindparam("soon")),
    exists().where(Reminder.status == "claimed"),
    # the workflow's events (store/services/workflow): anything since its look-back?
    exists().where(OpportunityHistory.changed_at >= bindparam("events_since")),
    exists().where(Account.created_at >= bindparam("events_since")),
    exists().where(Case.opened_at >= bindparam("events_since")))


def _prune(s: Session, table: Any, written: Any, before: datetime, *more: Any) -> int:
    oldest_ids = select(table.id).order_by(table.id).limit(PRUNE_BATCH).scalar_subquery()
    result = cast(CursorResult[Any], s.execute(
        delete(table).where(table.id.in_(oldest_ids), written < before, *more)
        .execution_options(synchronize_session=False)))
    return result.rowcount or 0


def housekeep(s: Session, now: datetime, events_since: datetime | None = None
              ) -> Housekeeping:
    """Prune what is past its keeping time, and read whether sending is stopped and what
    the rest of the sweep can find (`Housekeeping`), all in one statement."""
    (state, event_at, button_at, owed_at, owed_due, pending, claimed, moved, opened,
     cases) = s.connection().execute(_LOOK, {
         "soon": now + CLAIM_SOON,
         "events_since": events_since if events_since is not None else now}).one()
    pruned = 0
    if event_at is not None and event_at < now - DEDUP_WINDOW:
        pruned += _prune_events(s, now - DEDUP_WINDOW)
    if button_at is not None and button_at < now - KEPT_FOR:
        pruned += _prune(s, ButtonValue, ButtonValue.created_at, now - KEPT_FOR)
    if owed_at is not None and owed_at < now - KEPT_AFTER_DELIVERY:
        pruned += _prune(s, OwedReply, OwedReply.created_at, now - KEPT_AFTER_DELIVERY,
                         OwedReply.status != "pending")
    stopped = (state or "").removeprefix("slack.")
    return Housekeeping(pruned, stopped if stopped in ("uninstalled", "tokens_revoked")
                        else None,
                        events=bool(moved or opened or cases) if events_since else None,
                        owed_due=bool(owed_due), reminders_due=bool(pending or claimed))


def _prune_events(s: Session, before: datetime) -> int:
    """Event ids by their `received_at` index (their key is Slack's, not in time order)."""
    oldest = (select(SlackEvent.event_id).where(SlackEvent.received_at < before)
              .order_by(SlackEvent.received_at).limit(PRUNE_BATCH).scalar_subquery())
    result = cast(CursorResult[Any], s.execute(
        delete(SlackEvent).where(SlackEvent.event_id.in_(oldest))
        .execution_options(synchronize_session=False)))
    return result.rowcount or 0
