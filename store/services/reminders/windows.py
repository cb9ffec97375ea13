"""The planner's windows: when it last looked, and the ids of every row that can have
become due since, found by one statement.

The planner (plan.py) remembers when it last looked (`SweepMark`, one per set of settings
and open stages) and reads, each as an index range, the rows whose due moment fell between
the last look and now and the rows written since. All the windows are one `UNION ALL` of
id-only index ranges (`_probe`), built once per shape and run with bind parameters, so a
sweep with nothing due costs one round trip and none of SQLAlchemy's statement building.
When it finds nothing the mark may stay where it is (`MARK_EVERY`): the next windows,
reaching back from it, cover this sweep's too. Each window reaches `MARGIN` further back
than the last look, so a write still uncommitted then is seen now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    String,
    bindparam,
    delete,
    func,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.models import (
    Activity,
    Contract,
    Opportunity,
    ReportSubscription,
    Stage,
    SweepMark,
    User,
)
from store.models.base import UTCDateTime
from store.services.reminders.zones import turned_day, turned_zones

RENEWAL_MARKS = (90, 60, 30)
FOLLOW_UP_LOOKBACK = timedelta(days=14)  # older open follow-ups go to the digest, not a DM
FOLLOW_UP_AHEAD = timedelta(days=1)  # planned a day ahead, delivered at their time
MARGIN = timedelta(minutes=10)  # a write not yet committed when the last sweep looked
MAX_CHANGED_USERS = 1000  # more users written since (a bulk import): plan everything
MARK_EVERY = timedelta(minutes=5)  # a quiet sweep moves the mark on at most this often

@dataclass(frozen=True)
class OpenStage:
    id: int
    quiet_days: int | None


@dataclass(frozen=True)
class Window:
    """What one sweep reads: every row that can be due (`since` None), or only what became
    due or was written after `since`: then `ids` holds, by kind ("f" follow-ups, "c"
    contracts, "o" deals, "g" digest users, "r" report subscriptions), the ids the windows
    found, and `users` the ids of users written after it."""

    now: datetime
    since: datetime | None
    users: tuple[int, ...] = ()
    ids: Mapping[str, frozenset[int]] = field(default_factory=dict)

    @property
    def full(self) -> bool:
        return self.since is None

    def found(self, kind: str) -> frozenset[int]:
        return self.ids.get(kind, frozenset())


@dataclass(frozen=True)
class Marks:
    """The open stages and the planner's marks, read together at the start of planning."""

    stages: list[OpenStage]
    marks: dict[str, datetime]


# Statements built once, with bind parameters: a sweep a minute runs them as they are, so
# its cost is the database's, not SQLAlchemy's building and compiling (a sweep's Python
# was twenty times its SQL).
PLANNER_LOCK_KEY = 0x5A1E_5E70  # the planner's advisory lock on PostgreSQL (migrate.py has its own)
_PLANNER_LOCK = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger())))
_STAGES_AND_MARKS: Any = union_all(
    select(Stage.id, Stage.quiet_days, type_coerce(null(), String()),
           type_coerce(null(), UTCDateTime())).where(Stage.kind == "open"),
    select(null(), null(), SweepMark.name, SweepMark.planned_at)
    .where(SweepMark.name.like(bindparam("prefix"))))
_SET_MARK = (update(SweepMark).where(SweepMark.name == bindparam("b_name"))
             .values(planned_at=bindparam("b_at")))
_NEW_MARK = {  # a first mark: should another have written it meanwhile, the later wins
    dialect: insert(SweepMark).values(name=bindparam("b_name"), planned_at=bindparam("b_at"))
    .on_conflict_do_update(index_elements=["name"], set_={"planned_at": bindparam("b_at")})
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_OTHER_MARKS = delete(SweepMark).where(SweepMark.name.like(bindparam("prefix")),
                                       SweepMark.name != bindparam("b_name"))


def stages_and_marks(s: Session, prefix: str, *, lock: bool) -> Marks:
    """The open stages (by id) and every mark named `prefix`…, in one statement. With
    `lock` (PostgreSQL) the planner's advisory lock is taken first, in a statement of its
    own (so the marks are read after it is held), and kept to the end of the transaction:
    concurrent sweeps plan one after the other rather than both reading the same rows.
    Unlike locking the mark's row, it writes nothing, so a sweep that finds nothing writes
    nothing (its commit waits for no WAL flush), and it holds on a first sweep too, when
    there is no mark to lock yet."""
    conn = s.connection()
    if lock:
        conn.execute(_PLANNER_LOCK, {"key": PLANNER_LOCK_KEY})
    stages, marks = [], {}
    for stage_id, quiet, name, at in conn.execute(_STAGES_AND_MARKS, {"prefix": prefix + "%"}):
        if name is None:
            stages.append(OpenStage(stage_id, quiet))
        else:
            marks[name] = at
    stages.sort(key=lambda st: st.id)
    return Marks(stages, marks)


def set_mark(s: Session, marks: Marks, mark_name: str, w: Window) -> None:
    """Remember `w.now` under `mark_name`, forgetting marks of other settings or stages.

    When the windows found nothing, the mark is left as it is for up to `MARK_EVERY`: the
    next sweep's windows, reaching back from the older mark, hold everything these held
    (nothing) and what came since, so nothing is missed, and a quiet sweep writes nothing
    (on PostgreSQL its commit then waits for no WAL flush)."""
    last = marks.marks.get(mark_name)
    if (not w.full and not w.ids and last is not None
            and not any(name != mark_name for name in marks.marks)
            and w.now - last < MARK_EVERY):
        return
    conn = s.connection()
    params = {"b_name": mark_name, "b_at": w.now}
    if any(name != mark_name for name in marks.marks):
        conn.execute(_OTHER_MARKS, {**params, "prefix": mark_name.split(":")[0] + ":%"})
    conn.execute(_SET_MARK if mark_name in marks.marks else _NEW_MARK[conn.dialect.name],
                 params)


def stages_mark(stages: Sequence[OpenStage]) -> str:
    """Part of the mark's name: the open stages and their quiet days, so editing them
    (a stage's quiet days shortened, a stage closed) plans everything once."""
    return ",".join(f"{st.id}/{st.quiet_days or 0}" for st in stages)


def window(s: Session, marks: Marks, mark_name: str, now: datetime,
           default_tz: str) -> Window:
    """This sweep's window from the planner's mark: with one recent enough, the ids of
    every row that became due or was written since, found by `_probe`."""
    last = marks.marks.get(mark_name)
    if last is None or last > now or now - last > FOLLOW_UP_LOOKBACK:
        return Window(now, None)
    since = last - MARGIN
    found = _probe(s, since, now, marks.stages, default_tz)
    users: frozenset[int] = found.pop("u", frozenset())
    if len(users) > MAX_CHANGED_USERS:
        return Window(now, None)
    if users:
        for kind, ids in _probe_users(s, users).items():
            found[kind] = found.get(kind, frozenset()) | ids
    return Window(now, since, tuple(sorted(users)), found)


def _arm(tag: str, id_column: Any, *where: ColumnElement[bool]) -> Any:
    return select(literal_column(f"'{tag}'"), id_column).where(*where)


@lru_cache(maxsize=16)
def _probe_statement(stage_spans: tuple[int, ...], quiet_spans: int, zones: bool,
                     no_zone: bool) -> Any:
    """The windows of every kind as one `UNION ALL`, each arm a select of its own on its
    own table (one index range each; joined, or OR-ed together, SQLite's planner may walk
    the table by a join index instead): one round trip finds every row that can have
    become due since the last sweep. Built once per shape (which of the different quiet
    days each open stage with quiet days has, how many there are, whether zones turned
    their day); a spell's bounds are bound once per number of days (`qs…`, `qe…`), each
    shared by the stages of those days and by the last-activity range."""
    b = bindparam
    arms = [
        # follow-ups that entered the day-ahead horizon since: bounded on both sides, else
        # every later follow-up (weeks of them) is read to be thrown away
        _arm("f", Activity.id, Activity.follow_up_at > b("since_ahead"),
             Activity.follow_up_at <= b("now_ahead")),
        _arm("f", Activity.id, Activity.updated_at >= b("since")),
        # renewal marks passed since: end_date - n fell in [since_day, today]
        *(_arm("c", Contract.id, Contract.end_date >= b(f"cs{n}"),
               Contract.end_date <= b(f"ce{n}")) for n in RENEWAL_MARKS),
        _arm("c", Contract.id, Contract.updated_at >= b("since")),
        # close dates that passed since
        _arm("o", Opportunity.id, Opportunity.close_date >= b("since_day"),
             Opportunity.close_date < b("today")),
        _arm("o", Opportunity.id, Opportunity.updated_at >= b("since")),
        # spells that ran out since (spell + days in (since, now]), per stage
        *(_arm("o", Opportunity.id, Opportunity.stage_id == b(f"st{i}"),
               Opportunity.stage_changed_at > b(f"qs{span}"),
               Opportunity.stage_changed_at <= b(f"qe{span}"))
          for i, span in enumerate(stage_spans)),
        # by last activity, whatever the stage (with the stage as well, SQLite would walk
        # the stage's deals by its index rather than this range)
        *(_arm("o", Opportunity.id, Opportunity.last_activity_at > b(f"qs{i}"),
               Opportunity.last_activity_at <= b(f"qe{i}")) for i in range(quiet_spans)),
        # every active subscription: a report's slot is worked out from its row
        _arm("r", ReportSubscription.id, ReportSubscription.active.is_(True)),
        # users written since (more than MAX_CHANGED_USERS: plan everything)
        select(literal_column("'u'"), literal_column("id")).select_from(
            select(User.id).where(User.updated_at >= b("since"))
            .limit(MAX_CHANGED_USERS + 1).subquery()),
    ]
    if zones:  # digests: users whose local day turned since
        arms.append(_arm("g", User.id, User.timezone.in_(b("zones", expanding=True))))
    if no_zone:
        arms.append(_arm("g", User.id, User.timezone.is_(None)))
    return union_all(*arms)


def _probe(s: Session, since: datetime, now: datetime, stages: Sequence[OpenStage],
           default_tz: str) -> dict[str, frozenset[int]]:
    quiet = [st for st in stages if st.quiet_days]
    spans = sorted({st.quiet_days for st in quiet if st.quiet_days})
    zones = turned_zones(since, now)
    no_zone = default_tz in zones or bool(turned_day([ZoneInfo(default_tz)], since, now))
    today = now.date()
    params: dict[str, Any] = {
        "since": since, "since_ahead": since + FOLLOW_UP_AHEAD, "now_ahead": now + FOLLOW_UP_AHEAD,
        "since_day": since.date(), "today": today}
    for n in RENEWAL_MARKS:
        params[f"cs{n}"] = since.date() + timedelta(days=n)
        params[f"ce{n}"] = today + timedelta(days=n)
    for i, st in enumerate(quiet):
        params[f"st{i}"] = st.id
    for i, days in enumerate(spans):
        params |= {f"qs{i}": since - timedelta(days=days), f"qe{i}": now - timedelta(days=days)}
    if zones:
        params["zones"] = zones
    statement = _probe_statement(tuple(spans.index(st.quiet_days or 0) for st in quiet),
                                 len(spans), bool(zones), no_zone)
    found: dict[str, set[int]] = {}
    for tag, row_id in s.connection().execute(statement, params):
        found.setdefault(tag, set()).add(row_id)
    return {tag: frozenset(ids) for tag, ids in found.items()}


@lru_cache(maxsize=1)
def _users_statement() -> Any:
    """The rows of users written since: their follow-ups, contracts (theirs and their reports'),
    deals, digests and subscriptions (a user reactivated, a manager changed)."""
    users: Any = bindparam("users", expanding=True)
    return union_all(
        _arm("f", Activity.id, Activity.owner_id.in_(users)),
        _arm("c", Contract.id, Contract.owner_id.in_(users)),
        _arm("c", Contract.id, Contract.owner_id.in_(
            select(User.id).where(User.manager_id.in_(users)))),
        _arm("o", Opportunity.id, Opportunity.owner_id.in_(users)),
        _arm("g", User.id, User.id.in_(users)),
        _arm("r", ReportSubscription.id, ReportSubscription.created_by_id.in_(users)))


def _probe_users(s: Session, users: frozenset[int]) -> dict[str, frozenset[int]]:
    found: dict[str, set[int]] = {}
    for tag, row_id in s.connection().execute(_users_statement(), {"users": sorted(users)}):
        found.setdefault(tag, set()).add(row_id)
    return {tag: frozenset(ids) for tag, ids in found.items()}
