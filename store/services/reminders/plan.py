"""Which reminders a sweep creates, reading only rows that can have become due.

A reminder's key is a function of its row (a follow-up's id and due time, a deal's quiet
spell or close date, a contract's renewal mark, a user's local day), so a row yields a new
reminder only when time carries it across its due moment or a write changes it. The
planner therefore remembers when it last looked (`SweepMark`) and reads, each as an index
range (windows.py):

- rows whose due moment fell between the last sweep and now (follow-ups entering the
  day-ahead horizon, quiet spells running out per open stage, close dates passing, renewal
  marks passing, local midnights for digests);
- rows written since the last sweep (`updated_at`), and the rows of users written since
  (a user reactivated, a manager changed).

All the windows are one statement finding ids; only the rows of the ids found are then
read, kind by kind, here.

With no mark (the first sweep, a changed setting or open stage's quiet days, a clock
that went back, a gap longer than the follow-up look-back) it reads every row that can be
due, as before. Each window reaches `MARGIN` further back than the last sweep, so a write
still uncommitted when that sweep looked is seen by this one; the unique key makes the
overlap harmless.

Every row read goes through the same rule as in a full sweep (`_quiet_or_overdue`, …), so
an incremental sweep creates exactly the reminders a full one would.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from store.models import Activity, Contract, Opportunity, Stage, User
from store.services.reminders.windows import (
    FOLLOW_UP_AHEAD,
    FOLLOW_UP_LOOKBACK,
    RENEWAL_MARKS,
    OpenStage,
    Window,
)


@dataclass(frozen=True)
class Planned:
    key: str
    kind: str
    subject_type: str
    subject_id: int
    user: User
    due_at: datetime
    channel_id: str | None = None  # a channel post (scheduled report) rather than a DM


def _rows(s: Session, query: Any, id_column: Any, ids: frozenset[int],
          row_id: Callable[[Any], int]) -> list[Any]:
    """The rows of `query` among `ids` (found by the windows), each once."""
    if not ids:
        return []
    seen: dict[int, Any] = {}
    for row in s.execute(query.where(id_column.in_(ids))):
        seen.setdefault(row_id(row), row)
    return list(seen.values())


# -- follow-ups ------------------------------------------------------------------------
def follow_ups(s: Session, w: Window) -> list[Planned]:
    if not (w.full or w.found("f")):
        return []  # not even built: most sweeps find nothing
    now = w.now
    query = (select(Activity.id, Activity.follow_up_at, User)
             .join(User, Activity.owner_id == User.id)
             .where(Activity.done.is_(False), Activity.follow_up_at.is_not(None),
                    Activity.follow_up_at <= now + FOLLOW_UP_AHEAD,
                    Activity.follow_up_at >= now - FOLLOW_UP_LOOKBACK,
                    User.is_active.is_(True)))
    rows: list[Any] = (list(s.execute(query)) if w.full
            else _rows(s, query, Activity.id, w.found("f"), lambda r: r[0]))
    return [Planned(f"follow_up:{activity_id}:{due:%Y%m%dT%H%M}",
                    "follow_up", "activity", activity_id, user, due)
            for activity_id, due, user in rows
            if due is not None]  # always, by the query; this tells the type checker


# -- renewals --------------------------------------------------------------------------
def renewals(s: Session, w: Window, tz: Callable[[User], str],
             alert_minor: int | None) -> list[Planned]:
    if not (w.full or w.found("c")):
        return []
    today = w.now.date()
    query = (select(Contract, User)
             .join(User, Contract.owner_id == User.id)
             .where(Contract.status == "active", Contract.end_date >= today,
                    Contract.end_date <= today + timedelta(days=max(RENEWAL_MARKS)),
                    User.is_active.is_(True)))
    rows: list[Any] = (list(s.execute(query)) if w.full
            else _rows(s, query, Contract.id, w.found("c"), lambda r: r[0].id))
    managers = {u.id: u for u in s.scalars(select(User).where(User.id.in_(
        {owner.manager_id for _c, owner in rows if owner.manager_id})))} if rows else {}
    planned = []
    for contract, owner in rows:
        passed = [n for n in RENEWAL_MARKS if contract.end_date - timedelta(days=n) <= today]
        if not passed:
            continue
        mark = min(passed)  # a contract entered late gets the latest mark, not the missed
        day = contract.end_date - timedelta(days=mark)
        due = datetime.combine(day, time(0), tzinfo=ZoneInfo(tz(owner))).astimezone(UTC)
        planned.append(Planned(f"renewal:{contract.id}:d{mark}", "renewal", "contract",
                               contract.id, owner, due))
        manager = managers.get(owner.manager_id) if owner.manager_id else None
        if (manager is not None and manager.is_active and alert_minor is not None
                and contract.value_minor > alert_minor):
            planned.append(Planned(f"renewal:{contract.id}:d{mark}:manager", "renewal",
                                   "contract", contract.id, manager, due))
    return planned


# -- quiet and overdue deals -----------------------------------------------------------
def _quiet_or_overdue(row: Any, now: datetime) -> Planned | None:
    """The one rule: a deal quiet past its stage's days, else one past its close date."""
    opp_id, last_activity, stage_changed, close_date, quiet_days, owner = row
    spell = max(d for d in (last_activity, stage_changed) if d is not None)
    if quiet_days and spell + timedelta(days=quiet_days) <= now:
        return Planned(f"stale:{opp_id}:{spell:%Y%m%dT%H%M%S}", "stale_deal", "opportunity",
                       opp_id, owner, spell + timedelta(days=quiet_days))
    if close_date < now.date():
        due = datetime.combine(close_date + timedelta(days=1), time(0), tzinfo=UTC)
        return Planned(f"overdue:{opp_id}:{close_date:%Y%m%d}", "stale_deal", "opportunity",
                       opp_id, owner, due)
    return None


def stale_deals(s: Session, w: Window, stages: Sequence[OpenStage]) -> list[Planned]:
    now = w.now
    if not stages or not (w.full or w.found("o")):
        return []
    query = (select(Opportunity.id, Opportunity.last_activity_at,
                    Opportunity.stage_changed_at, Opportunity.close_date, Stage.quiet_days,
                    User)
             .join(Stage, Opportunity.stage_id == Stage.id)
             .join(User, Opportunity.owner_id == User.id)
             .where(Stage.kind == "open", Opportunity.archived_at.is_(None),
                    User.is_active.is_(True)))
    if w.since is None:
        shortest = min((st.quiet_days for st in stages if st.quiet_days), default=0)
        quiet_since = now - timedelta(days=shortest)
        rows = list(s.execute(query.where(or_(
            Opportunity.close_date < now.date(),
            and_(Opportunity.stage_changed_at < quiet_since,
                 or_(Opportunity.last_activity_at.is_(None),
                     Opportunity.last_activity_at < quiet_since))))))
    else:
        rows = _rows(s, query, Opportunity.id, w.found("o"), lambda r: r[0])
    return [p for p in (_quiet_or_overdue(row, now) for row in rows) if p is not None]


# -- digests ---------------------------------------------------------------------------
def digest_users(s: Session, w: Window) -> Sequence[User]:
    if not (w.full or w.found("g")):
        return []
    query = select(User).where(User.digest_hour.is_not(None), User.is_active.is_(True))
    if w.since is None:
        return s.scalars(query).all()
    return [u for (u,) in _rows(s, query, User.id, w.found("g"), lambda r: r[0].id)]
