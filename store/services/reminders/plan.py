"""Which reminders a sweep creates, reading only rows that can have become due.

A reminder's key is a function of its row (a follow-up's id and due time, a deal's quiet
spell or close date, a contract's renewal mark, a user's local day), so a row yields a new
reminder only when time carries it across its due moment or a write changes it. The
planner therefore remembers when it last looked (`SweepMark`) and reads, each as an index
range:

- rows whose due moment fell between the last sweep and now (follow-ups entering the
  day-ahead horizon, quiet spells running out per open stage, close dates passing, renewal
  marks passing, local midnights for digests);
- rows written since the last sweep (`updated_at`), and the rows of users written since
  (a user reactivated, a manager changed).

With no mark (the first sweep, a changed setting or open stage's quiet days, a clock
that went back, a gap longer than the follow-up look-back) it reads every row that can be
due, as before. Each window reaches `MARGIN` further back than the last sweep, so a write
still uncommitted when that sweep looked is seen by this one; the unique key makes the
overlap harmless.

Every row read goes through the same rule as in a full sweep (`_quiet_or_overdue`, …), so
an incremental sweep creates exactly the reminders a full one would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, delete, or_, select, union_all
from sqlalchemy.orm import Session

from store.models import Activity, Contract, Opportunity, Stage, SweepMark, User
from store.services.reminders.zones import turned_day, turned_zones

RENEWAL_MARKS = (90, 60, 30)
FOLLOW_UP_LOOKBACK = timedelta(days=14)  # older open follow-ups go to the digest, not a DM
FOLLOW_UP_AHEAD = timedelta(days=1)  # planned a day ahead, delivered at their time
MARGIN = timedelta(minutes=10)  # a write not yet committed when the last sweep looked
MAX_CHANGED_USERS = 1000  # more users written since (a bulk import): plan everything


@dataclass(frozen=True)
class Planned:
    key: str
    kind: str
    subject_type: str
    subject_id: int
    user: User
    due_at: datetime
    channel_id: str | None = None  # a channel post (scheduled report) rather than a DM


@dataclass(frozen=True)
class Window:
    """What one sweep reads: every row that can be due (`since` None), or only what became
    due or was written after `since`; `users` are the ids of users written after it."""

    now: datetime
    since: datetime | None
    users: tuple[int, ...] = ()
    mark: SweepMark | None = None  # held here so `set_mark` finds it loaded (the session
    # holds its objects weakly: dropped, it would be read again)

    @property
    def full(self) -> bool:
        return self.since is None


def window(s: Session, mark_name: str, now: datetime, *, lock: bool) -> Window:
    """This sweep's window from the planner's mark (locked on PostgreSQL so concurrent
    sweeps plan one after the other rather than both reading the same rows)."""
    query = select(SweepMark).where(SweepMark.name == mark_name)
    mark = s.scalar(query.with_for_update() if lock else query)  # set_mark finds it loaded
    last = mark.planned_at if mark is not None else None
    if last is None or last > now or now - last > FOLLOW_UP_LOOKBACK:
        return Window(now, None, mark=mark)
    since = last - MARGIN
    users = s.scalars(select(User.id).where(User.updated_at >= since)
                      .limit(MAX_CHANGED_USERS + 1)).all()
    if len(users) > MAX_CHANGED_USERS:
        return Window(now, None, mark=mark)
    return Window(now, since, tuple(users), mark=mark)


def set_mark(s: Session, mark_name: str, now: datetime) -> None:
    """Remember `now` under `mark_name`, forgetting marks of other settings or stages."""
    s.execute(delete(SweepMark).where(SweepMark.name != mark_name,
                                      SweepMark.name.like(mark_name.split(":")[0] + ":%"))
              .execution_options(synchronize_session=False))  # none of them is loaded
    mark = s.get(SweepMark, mark_name)  # loaded by `window` (kept on its Window): no look-up
    if mark is None:
        s.add(SweepMark(name=mark_name, planned_at=now))
    else:
        mark.planned_at = now
    s.flush()


@dataclass(frozen=True)
class OpenStage:
    id: int
    quiet_days: int | None


def open_stages(s: Session) -> list[OpenStage]:
    return [OpenStage(i, q) for i, q in s.execute(
        select(Stage.id, Stage.quiet_days).where(Stage.kind == "open").order_by(Stage.id))]


def stages_mark(stages: Sequence[OpenStage]) -> str:
    """Part of the mark's name: the open stages and their quiet days, so editing them
    (a stage's quiet days shortened, a stage closed) plans everything once."""
    return ",".join(f"{st.id}/{st.quiet_days or 0}" for st in stages)


def _union(s: Session, query: Any, id_column: Any, windows: Iterable[ColumnElement[bool]],
           row_id: Callable[[Any], int]) -> list[Any]:
    """Rows of `query` whose id is in any of `windows`. The windows are first one
    `UNION ALL` on their own table, each arm a select of its own (one index range each;
    joined, or OR-ed together, SQLite's planner may walk the table by a join index
    instead), one round trip for all of them; then the rows of the ids found are read with
    `query`, once."""
    arms = [select(id_column).where(where) for where in windows]
    if not arms:
        return []
    ids = set(s.scalars(union_all(*arms) if len(arms) > 1 else arms[0]))
    if not ids:
        return []
    seen: dict[int, Any] = {}
    for row in s.execute(query.where(id_column.in_(ids))):
        seen.setdefault(row_id(row), row)
    return list(seen.values())


# -- follow-ups ------------------------------------------------------------------------
def follow_ups(s: Session, w: Window) -> list[Planned]:
    now = w.now
    query = (select(Activity.id, Activity.follow_up_at, User)
             .join(User, Activity.owner_id == User.id)
             .where(Activity.done.is_(False), Activity.follow_up_at.is_not(None),
                    Activity.follow_up_at <= now + FOLLOW_UP_AHEAD,
                    Activity.follow_up_at >= now - FOLLOW_UP_LOOKBACK,
                    User.is_active.is_(True)))
    if w.since is None:
        rows = list(s.execute(query))
    else:
        # entered the day-ahead horizon since: bounded on both sides, else every later
        # follow-up (weeks of them) is read to be thrown away by `query`
        windows = [and_(Activity.follow_up_at > w.since + FOLLOW_UP_AHEAD,
                        Activity.follow_up_at <= now + FOLLOW_UP_AHEAD),
                   Activity.updated_at >= w.since]
        if w.users:
            windows.append(Activity.owner_id.in_(w.users))
        rows = _union(s, query, Activity.id, windows, lambda r: r[0])
    return [Planned(f"follow_up:{activity_id}:{due:%Y%m%dT%H%M}",
                    "follow_up", "activity", activity_id, user, due)
            for activity_id, due, user in rows
            if due is not None]  # always, by the query; this tells the type checker


# -- renewals --------------------------------------------------------------------------
def renewals(s: Session, w: Window, tz: Callable[[User], str],
             alert_minor: int | None) -> list[Planned]:
    today = w.now.date()
    query = (select(Contract, User)
             .join(User, Contract.owner_id == User.id)
             .where(Contract.status == "active", Contract.end_date >= today,
                    Contract.end_date <= today + timedelta(days=max(RENEWAL_MARKS)),
                    User.is_active.is_(True)))
    if w.since is None:
        rows = list(s.execute(query))
    else:
        since_day = w.since.date()
        windows: list[ColumnElement[bool]] = [
            # a mark passed since: end_date - n fell in [since_day, today]
            and_(Contract.end_date >= since_day + timedelta(days=n),
                 Contract.end_date <= today + timedelta(days=n))
            for n in RENEWAL_MARKS]
        windows.append(Contract.updated_at >= w.since)
        if w.users:  # owner reactivated, owner's manager changed or reactivated
            windows.append(Contract.owner_id.in_(w.users))
            windows.append(Contract.owner_id.in_(
                select(User.id).where(User.manager_id.in_(w.users))))
        rows = _union(s, query, Contract.id, windows, lambda r: r[0].id)
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
    if not stages:
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
        since = w.since
        windows: list[ColumnElement[bool]] = [
            # close dates that passed since
            and_(Opportunity.close_date >= since.date(), Opportunity.close_date < now.date()),
            Opportunity.updated_at >= since,
        ]
        for st in stages:  # spells that ran out since: spell + days in (since, now]
            if st.quiet_days:
                start, end = (since - timedelta(days=st.quiet_days),
                              now - timedelta(days=st.quiet_days))
                windows.append(and_(Opportunity.stage_id == st.id,
                                    Opportunity.stage_changed_at > start,
                                    Opportunity.stage_changed_at <= end))
        for days in sorted({st.quiet_days for st in stages if st.quiet_days}):
            # by last activity, whatever the stage (with the stage as well, SQLite would
            # walk the stage's deals by its index rather than this range)
            windows.append(and_(Opportunity.last_activity_at > since - timedelta(days=days),
                                Opportunity.last_activity_at <= now - timedelta(days=days)))
        if w.users:
            windows.append(Opportunity.owner_id.in_(w.users))
        rows = _union(s, query, Opportunity.id, windows, lambda r: r[0])
    return [p for p in (_quiet_or_overdue(row, now) for row in rows) if p is not None]


# -- digests ---------------------------------------------------------------------------
def digest_users(s: Session, w: Window, default_tz: str) -> Sequence[User]:
    query = select(User).where(User.digest_hour.is_not(None), User.is_active.is_(True))
    if w.since is None:
        return s.scalars(query).all()
    zones = turned_zones(w.since, w.now)
    windows: list[ColumnElement[bool]] = []
    if zones:
        windows.append(User.timezone.in_(zones))
    if default_tz in zones or turned_day([ZoneInfo(default_tz)], w.since, w.now):
        windows.append(User.timezone.is_(None))
    if w.users:
        windows.append(User.id.in_(w.users))
    return [u for (u,) in _union(s, query, User.id, windows, lambda r: r[0].id)]
