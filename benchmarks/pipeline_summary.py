"""Pipeline summaries against the floor: the same figures from hand-written SQL.

    python -m benchmarks pipeline_summary
    PIPELINE_BENCH_SIZES=10000,100000,1000000   deals per database (default 10000,100000)
    PIPELINE_BENCH_RUNS=5                        timed runs per case (median reported)
    DATABASE_URL=postgresql://…                  on SQLite, then on PostgreSQL too
    PIPELINE_BENCH_TARGET=sqlite|postgresql://…  on that database only

Each size gets a fresh database (SQLite in a temporary folder, PostgreSQL a temporary
database next to the one named), removed afterwards: 60 owners in 6 teams, open, won and
lost deals in 3 currencies with close dates over two years, 1.5 history rows per deal
(creation, and for half of them a move, some in the last week). The planner's statistics
are then what production has after an import of that size (`after_bulk_write`, the
importer's own step): no VACUUM or full ANALYZE production would not run.

Cases: the company summary of all open deals, the same for one quarter, one manager's
team, open amounts by stage and owner (the chart), stuck deals, and what moved since a
date. Stuck deals are a part of every summary and are measured as a part: salesbot's
function on a session over a connection held open, as the floor's statement runs on one
(each run its own transaction on both sides); "stuck deals, own read" adds the opening
and closing of a `Store.read` session to every run, which the summaries pay once. Both
take a tenth of a millisecond, so their medians are of at least `STUCK_RUNS` runs.

The floor does each job by the fastest plain means: hand-written SQL, one statement per
set of figures, where several plans could win (a full scan, an index, GROUPING SETS on
PostgreSQL, LAG or a look-up of the previous history row) each is run and the fastest
counts. Every floor's figures are checked to agree with salesbot's before anything is
timed. Runs alternate salesbot and floor so both see the same machine load; each time is
the median of the runs after one warm-up.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, Engine, bindparam, insert, text
from sqlalchemy.orm import Session

from benchmarks._scratch import scratch_database
from store.clock import ManualClock
from store.db import READ_ONLY, Store
from store.migrate import upgrade
from store.models import Opportunity, OpportunityHistory, Team, User
from store.models.base import UTCDateTime
from store.money import to_minor
from store.periods import Period, quarter
from store.services.pipeline.changes import changes
from store.services.pipeline.figures import ReportScope, Scope, Summary
from store.services.pipeline.summary import CHANGE_WINDOW, PipelineService, stuck_deals
from store.services.system.statistics import after_bulk_write

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
STUCK_RUNS = 201  # stuck deals take a tenth of a millisecond: their medians need more runs
Q4 = quarter(2026, 4)
Figures = dict[Any, tuple[int, ...]]


# -- the data set --------------------------------------------------------------------------

def _fill(store: Store, size: int) -> None:
    rng = random.Random(size)
    with store.transaction() as s:
        stages = {r.name: (r.id, r.probability, r.kind)
                  for r in s.execute(text("SELECT name, id, probability, kind FROM stages"))}
        users = []
        for t in range(6):
            team = Team(name=f"Team {t}", created_at=NOW, updated_at=NOW)
            s.add(team)
            s.flush()
            for u in range(10):
                user = User(slack_user_id=f"U{t}{u:03d}", name=f"Rep {t}-{u}", role="rep",
                            team_id=team.id, is_active=True, created_at=NOW, updated_at=NOW)
                s.add(user)
                users.append(user)
        s.flush()
        user_ids = [u.id for u in users]
    names = list(stages)
    weights = [25, 15, 12, 10, 8, 15, 15]
    batch = 20_000
    next_id = 1
    for start in range(0, size, batch):
        opps, history = [], []
        for _ in range(min(batch, size - start)):
            stage_id, probability, kind = stages[rng.choices(names, weights)[0]]
            currency = rng.choice(("USD", "USD", "EUR", "JPY"))
            created = NOW - timedelta(days=rng.randint(1, 400), seconds=rng.randint(0, 86399))
            changed = created + timedelta(days=rng.randint(0, 60))
            changed = min(changed, NOW - timedelta(minutes=5))
            close = date(2026, 1, 1) + timedelta(days=rng.randint(0, 720))
            amount = rng.randint(100, 50_000_000)
            opps.append({"id": next_id, "name": f"Deal {next_id}", "owner_id":
                         rng.choice(user_ids), "stage_id": stage_id, "amount_minor": amount,
                         "currency": currency, "close_date": close, "probability": probability,
                         "probability_overridden": False, "stage_changed_at": changed,
                         "closed_at": changed if kind != "open" else None,
                         "created_at": created, "updated_at": changed})
            history.append({"opportunity_id": next_id, "changed_at": created,
                            "from_stage_id": None, "to_stage_id": stage_id,
                            "amount_minor": amount, "currency": currency,
                            "probability": probability, "close_date": close,
                            "owner_id": opps[-1]["owner_id"], "source": "import"})
            if rng.random() < 0.5:
                history.append({**history[-1], "changed_at": changed,
                                "from_stage_id": stages["Prospecting"][0],
                                "close_date": close + timedelta(days=rng.randint(0, 30))})
            next_id += 1
        with store.engine.begin() as conn:
            conn.execute(insert(Opportunity.__table__), opps)
            conn.execute(insert(OpportunityHistory.__table__), history)
    after_bulk_write(store, size)  # what `salesbot import` does after writing this much


def _people(store: Store) -> tuple[int, int, frozenset[int]]:
    """An admin, and a manager of Team 0: (admin id, manager id, the team's owners)."""
    with store.transaction() as s:
        admin = User(slack_user_id="UADM", name="Adm", role="admin", is_active=True)
        manager = User(slack_user_id="UMGR", name="Mgr", role="manager", is_active=True)
        s.add_all([admin, manager])
        s.flush()
        s.execute(text("UPDATE teams SET manager_id = :m WHERE name = 'Team 0'"),
                  {"m": manager.id})
        team = frozenset(s.scalars(text(
            "SELECT u.id FROM users u JOIN teams t ON t.id = u.team_id "
            "WHERE t.name = 'Team 0'"))) | {manager.id}
        return admin.id, manager.id, team


# -- the floor: hand-written SQL ----------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """One hand-written statement: `where` is filled with the period and owner filters."""

    sql: str
    owner: str = "o.owner_id"  # "+o.owner_id" keeps SQLite off the owner index

    def run(self, conn: Any, period: Period | None, owners: frozenset[int] | None,
            **params: Any) -> list[Any]:
        where = ""
        if period is not None:
            where += " AND o.close_date >= :start AND o.close_date < :end"
            params |= {"start": period.start, "end": period.end}
        if owners is not None:
            where += f" AND {self.owner} IN ({', '.join(str(i) for i in sorted(owners))})"
        statement = text(self.sql.replace("{where}", where))
        binds = [bindparam(k, type_=Date() if isinstance(v, date) and not isinstance(
            v, datetime) else UTCDateTime()) for k, v in params.items()
            if isinstance(v, date)]
        return list(conn.execute(statement.bindparams(*binds), params))


OPEN_COLUMNS = ("count(*), sum(o.amount_minor), sum(o.amount_minor * o.probability)")
OPEN_GRID = {
    "sqlite": "SELECT o.stage_id, o.owner_id, substr(o.close_date, 1, 7), o.currency, "
              f"{OPEN_COLUMNS} FROM opportunities o {{hint}} JOIN stages s ON s.id = o.stage_id "
              "WHERE s.kind = 'open' AND o.archived_at IS NULL{where} GROUP BY 1, 2, 3, 4",
    "postgresql": "SELECT o.stage_id, o.owner_id, to_char(o.close_date, 'YYYY-MM'), "
                  f"o.currency, {OPEN_COLUMNS} FROM opportunities o "
                  "JOIN stages s ON s.id = o.stage_id "
                  "WHERE s.kind = 'open' AND o.archived_at IS NULL{where} GROUP BY 1, 2, 3, 4",
}
OPEN_SETS = (  # PostgreSQL: the three breakdowns in one pass
    "SELECT o.stage_id, o.owner_id, to_char(o.close_date, 'YYYY-MM'), o.currency, "
    f"{OPEN_COLUMNS} FROM opportunities o JOIN stages s ON s.id = o.stage_id "
    "WHERE s.kind = 'open' AND o.archived_at IS NULL{where} GROUP BY GROUPING SETS "
    "((o.stage_id, o.currency), (o.owner_id, o.currency), "
    "(to_char(o.close_date, 'YYYY-MM'), o.currency))")
NAMES = ("SELECT 'user', id, name, slack_user_id FROM users UNION ALL "
         "SELECT 'stage', id, name, kind FROM stages WHERE kind = 'open'")  # names, stages
DAYS = {"sqlite": "julianday(o.closed_at) - julianday({first})",
        "postgresql": "EXTRACT(epoch FROM o.closed_at - {first}) / 86400.0"}
CLOSED = (
    "WITH c AS MATERIALIZED (SELECT s.kind, o.currency, o.amount_minor, "
    "CASE WHEN s.kind = 'won' AND o.closed_at IS NOT NULL THEN {days} END AS days "
    "FROM opportunities o JOIN stages s ON s.id = o.stage_id "
    "WHERE s.kind IN ('won', 'lost') AND o.archived_at IS NULL{where}) "
    "SELECT kind, currency, count(*), sum(amount_minor), sum(days), count(days) FROM c "
    "GROUP BY kind, currency")
FIRST_ROW = ("(SELECT min(h.changed_at) FROM opportunity_history h "
             "WHERE h.opportunity_id = o.id)")
KIND = ("CASE WHEN t.from_stage_id IS NULL THEN 'new' "
        "WHEN t.from_stage_id = t.to_stage_id THEN NULL "
        "WHEN ts.kind = 'won' THEN 'won' WHEN ts.kind = 'lost' THEN 'lost' "
        "WHEN ts.position > fs.position THEN 'forward' "
        "WHEN ts.position < fs.position THEN 'back' END")
MOVES_TAIL = (
    "JOIN opportunities o ON o.id = t.opportunity_id JOIN stages ts ON ts.id = t.to_stage_id "
    "LEFT JOIN stages fs ON fs.id = t.from_stage_id "
    "WHERE t.changed_at > :since AND t.changed_at <= :until AND o.archived_at IS NULL{where} "
    "GROUP BY 1, 2, 3")
MOVES_LAG = (
    "WITH t AS (SELECT h.opportunity_id, h.changed_at, h.close_date, h.from_stage_id, "
    "h.to_stage_id, h.currency, h.amount_minor, LAG(h.close_date) OVER "
    "(PARTITION BY h.opportunity_id ORDER BY h.changed_at, h.id) AS previous_close "
    "FROM opportunity_history h WHERE h.opportunity_id IN (SELECT opportunity_id FROM "
    "opportunity_history WHERE changed_at > :since AND changed_at <= :until) "
    "AND h.changed_at <= :until) "
    f"SELECT {KIND}, CASE WHEN ts.kind = 'open' AND t.close_date > t.previous_close "
    "THEN 1 ELSE 0 END, t.currency, count(*), sum(t.amount_minor) FROM t " + MOVES_TAIL)
MOVES_LOOKUP = (  # the previous row looked up by index for each row of the window
    f"SELECT {KIND}, CASE WHEN ts.kind = 'open' AND t.close_date > (SELECT p.close_date "
    "FROM opportunity_history p WHERE p.opportunity_id = t.opportunity_id AND "
    "(p.changed_at < t.changed_at OR (p.changed_at = t.changed_at AND p.id < t.id)) "
    "ORDER BY p.changed_at DESC, p.id DESC LIMIT 1) THEN 1 ELSE 0 END, t.currency, "
    "count(*), sum(t.amount_minor) FROM opportunity_history t " + MOVES_TAIL)
STUCK = (
    "SELECT o.id, o.name, a.name, u.name, s.name, o.stage_changed_at, o.amount_minor, "
    "o.currency FROM opportunities o JOIN stages s ON s.id = {stage} "
    "JOIN users u ON u.id = o.owner_id LEFT JOIN accounts a ON a.id = o.account_id "
    "WHERE s.kind = 'open' AND o.archived_at IS NULL{where} "
    "ORDER BY o.stage_changed_at, o.id LIMIT 5")
STAGE_OWNER = (
    "SELECT s.name, u.name, o.currency, sum(o.amount_minor) FROM opportunities o {hint} "
    "JOIN stages s ON s.id = o.stage_id JOIN users u ON u.id = o.owner_id "
    "WHERE s.kind = 'open' AND o.archived_at IS NULL{where} "
    "GROUP BY s.name, s.position, u.id, u.name, o.currency "
    "ORDER BY s.position, u.name, o.currency")


def _stuck_candidates(dialect: str) -> dict[str, Query]:
    """By the planner's choice, and (SQLite) with the stage join, and the owners too, kept
    off their indexes, so the index on stage_changed_at leads."""
    found = {"planner": Query(STUCK.replace("{stage}", "o.stage_id"))}
    if dialect == "sqlite":
        found["time in stage"] = Query(STUCK.replace("{stage}", "+o.stage_id"))
        found["time in stage, any owner"] = Query(STUCK.replace("{stage}", "+o.stage_id"),
                                                  owner="+o.owner_id")
    return found


def _open_candidates(dialect: str) -> dict[str, Query]:
    if dialect == "sqlite":
        return {"scan": Query(OPEN_GRID["sqlite"].replace("{hint}", "NOT INDEXED")),
                "index": Query(OPEN_GRID["sqlite"].replace("{hint}", ""))}
    return {"grouping sets": Query(OPEN_SETS), "grid": Query(OPEN_GRID["postgresql"])}


def _fold_open(rows: list[Any]) -> dict[str, Figures]:
    """Grid rows (or GROUPING SETS rows) → per stage, owner and month, by currency."""
    out: dict[str, dict[Any, list[int]]] = {"stages": {}, "owners": {}, "months": {}}
    for stage_id, owner_id, month, currency, count, amount, weighted in rows:
        values = (int(count), int(amount), int(weighted))
        for part, key in (("stages", stage_id), ("owners", owner_id), ("months", month)):
            if key is None:
                continue
            if part == "months":
                key = (int(month[:4]), int(month[5:7]))
            cell = out[part].setdefault((key, currency), [0, 0, 0])
            for n, value in enumerate(values):
                cell[n] += value
    return {part: {k: tuple(v) for k, v in cells.items()} for part, cells in out.items()}


def _fold_closed(rows: list[Any]) -> dict[str, Any]:
    won: dict[str, tuple[int, int]] = {}
    counts = {"won": 0, "lost": 0}
    days, timed = 0.0, 0
    for kind, currency, count, amount, total_days, cycles in rows:
        counts[kind] += int(count)
        if kind == "won":
            won[currency] = (int(count), int(amount))
        days += float(total_days or 0)
        timed += int(cycles)
    return {"won figures": won, **counts, "cycle": round(days / timed, 6) if timed else None}


def _fold_moves(rows: list[Any]) -> Figures:
    out: dict[tuple[str, str], list[int]] = {}
    for kind, slipped, currency, count, amount in rows:
        for name in ([kind] if kind else []) + (["slipped"] if slipped else []):
            cell = out.setdefault((name, currency), [0, 0])
            cell[0] += int(count)
            cell[1] += int(amount)
    return {k: tuple(v) for k, v in out.items()}


# -- salesbot's figures in the floor's shape -----------------------------------------------

def _open_of(summary: Summary) -> dict[str, Figures]:
    def cells(rows: Any, key: Callable[[Any], Any]) -> Figures:
        return {(key(r), f.currency): (f.count, f.amount_minor, f.weighted_centi)
                for r in rows for f in r.figures}
    return {"stages": cells(summary.stages, lambda r: r.stage_id),
            "owners": cells(summary.owners, lambda r: r.owner_id),
            "months": cells(summary.months, lambda r: (r.year, r.month))}


def _closed_of(summary: Summary) -> dict[str, Any]:
    c = summary.closed
    cycle = None if c.average_cycle_days is None else round(c.average_cycle_days, 6)
    return {"won figures": {f.currency: (f.count, f.amount_minor) for f in c.won},
            "won": c.won_count, "lost": c.lost_count, "cycle": cycle}


def _moves_of(rows: Any) -> Figures:
    return {(r.kind, f.currency): (f.count, f.amount_minor) for r in rows for f in r.figures}


# -- measuring -----------------------------------------------------------------------------

def _reader(engine: Engine) -> Any:
    """A connection for the floor's reads (on SQLite a plain BEGIN, no write lock)."""
    return engine.connect().execution_options(**{READ_ONLY: True})


def _runner(query: Query, period: Period | None, owners: frozenset[int] | None,
            fold: Callable[[list[Any]], object] = list, **params: Any
            ) -> Callable[[Any], object]:
    """Run `query` on a connection (and fold its rows, as the figures need)."""
    return lambda conn: fold(query.run(conn, period, owners, **params))


def _median(fn: Callable[[], object], runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _fastest(engine: Engine, candidates: dict[str, Callable[[Any], object]], runs: int
             ) -> tuple[str, Callable[[Any], object]]:
    """The candidate with the lowest median (each gets `runs` runs)."""
    def timed(fn: Callable[[Any], object]) -> float:
        with _reader(engine) as conn:
            return _median(lambda: fn(conn), runs)
    name = min(candidates, key=lambda n: timed(candidates[n]))
    return name, candidates[name]


def _side_by_side(engine: Engine, ours: Callable[[], object],
                  floor: Callable[[Any], object], runs: int) -> tuple[float, float]:
    """Medians of alternating runs (after a warm-up of each)."""
    mine: list[float] = []
    theirs: list[float] = []
    with _reader(engine) as conn:
        ours()
        floor(conn)
        conn.rollback()
        for _ in range(runs):
            began = time.perf_counter()
            ours()
            mine.append(time.perf_counter() - began)
            began = time.perf_counter()
            floor(conn)
            conn.rollback()
            theirs.append(time.perf_counter() - began)
    return statistics.median(mine), statistics.median(theirs)


def _summary_floor(engine: Engine, dialect: str, period: Period | None,
                   owners: frozenset[int] | None, expected: Summary, runs: int
                   ) -> tuple[str, Callable[[Any], object]]:
    """The whole summary by hand: open figures, closed deals, movement, stuck deals, each
    by its fastest statement, all checked against `expected`."""
    closed_period = period or Q4
    since, until = NOW - CHANGE_WINDOW, NOW
    closed = Query(CLOSED.replace("{days}", DAYS[dialect].replace("{first}", FIRST_ROW)))
    with _reader(engine) as conn:
        for name, q in _open_candidates(dialect).items():
            got = _fold_open(q.run(conn, period, owners))
            assert got == _open_of(expected), f"open figures ({name}) disagree"
        assert _fold_closed(closed.run(conn, closed_period, owners)) == _closed_of(expected), \
            "closed deals disagree"
        for name, q in (("lag", Query(MOVES_LAG)), ("look-up", Query(MOVES_LOOKUP))):
            got_moves = _fold_moves(q.run(conn, None, owners, since=since, until=until))
            assert got_moves == _moves_of(expected.changes), f"movement ({name}) disagrees"
        for name, q in _stuck_candidates(dialect).items():
            assert [r[0] for r in q.run(conn, period, owners)] == [
                d.opportunity_id for d in expected.stuck], f"stuck deals ({name}) disagree"
    open_name, open_fn = _fastest(engine, {
        n: _runner(q, period, owners, fold=_fold_open)
        for n, q in _open_candidates(dialect).items()}, max(1, runs // 2))
    moves_name, moves_fn = _fastest(engine, {
        n: _runner(q, None, owners, since=since, until=until)
        for n, q in (("lag", Query(MOVES_LAG)), ("look-up", Query(MOVES_LOOKUP)))},
        max(1, runs // 2))
    stuck_name, stuck_fn = _fastest(engine, {
        n: _runner(q, period, owners) for n, q in _stuck_candidates(dialect).items()},
        max(1, runs // 2))

    def floor(conn: Any) -> None:
        open_fn(conn)
        conn.execute(text(NAMES)).all()
        closed.run(conn, closed_period, owners)
        moves_fn(conn)
        stuck_fn(conn)
    return f"open: {open_name}, movement: {moves_name}, stuck: {stuck_name}", floor


def _measure_one(target: str, size: int, runs: int) -> list[tuple[str, float, float, str]]:
    with scratch_database(None if target == "sqlite" else target, "pipeline") as url:
        store = Store(url, ManualClock(NOW))
        upgrade(store.engine)
        began = time.perf_counter()
        _fill(store, size)
        filled = time.perf_counter() - began
        admin_id, manager_id, team = _people(store)
        print(f"-- {store.dialect}, {size:,} deals (filled in {filled:.0f} s), "
              f"median of {runs} runs", flush=True)
        results = _cases(store, admin_id, manager_id, team, runs)
        store.dispose()
        return results


def _cases(store: Store, admin_id: int, manager_id: int, team: frozenset[int], runs: int
           ) -> list[tuple[str, float, float, str]]:
    service = PipelineService(store)
    engine, dialect = store.engine, store.dialect
    everyone = ReportScope(None, "Everyone", "visible")
    results = []
    summaries: list[tuple[str, Callable[[], Summary], Period | None, frozenset[int] | None]] = [
        ("all open", lambda: service.company_summary(), None, None),
        ("one quarter", lambda: service.company_summary(Q4), Q4, None),
        ("one team, all open", lambda: service.summary(manager_id, Scope("team")), None,
         team)]
    for name, ours, period, owners in summaries:
        plan, floor = _summary_floor(engine, dialect, period, owners, ours(), runs)
        results.append((name, *_side_by_side(engine, ours, floor, runs), plan))
        _show(results[-1])

    chart = {"sqlite": {"scan": STAGE_OWNER.replace("{hint}", "NOT INDEXED"),
                        "index": STAGE_OWNER.replace("{hint}", "")},
             "postgresql": {"plain": STAGE_OWNER.replace("{hint}", "")}}[dialect]
    mine_chart = [(a.stage, a.owner, a.currency, a.amount)
                  for a in service.by_stage_and_owner(admin_id)]
    with _reader(engine) as conn:
        for plan_name, sql in chart.items():
            got = Query(sql).run(conn, None, None)
            assert [(s, o, c, int(a)) for s, o, c, a in got] == [  # in the same order
                (s, o, c, to_minor(a, c)) for s, o, c, a in mine_chart], \
                f"stage and owner amounts ({plan_name}) disagree"
    plan_name, chart_fn = _fastest(engine, {
        n: _runner(Query(sql), None, None) for n, sql in chart.items()}, max(1, runs // 2))
    results.append(("by stage & owner", *_side_by_side(
        engine, lambda: service.by_stage_and_owner(admin_id), chart_fn, runs), plan_name))
    _show(results[-1])

    def ours_stuck_read() -> object:
        with store.read() as s:
            return stuck_deals(s, everyone, None, NOW)
    # a part of every summary, measured as a part: on a session over a connection held
    # open, each run its own transaction, as the floor's statement runs on its connection
    part_conn = _reader(engine)
    part = Session(bind=part_conn)

    def ours_stuck() -> object:
        try:
            return stuck_deals(part, everyone, None, NOW)
        finally:
            part.rollback()
    expected = [d.opportunity_id for d in ours_stuck()]  # type: ignore[attr-defined]
    assert [d.opportunity_id for d in ours_stuck_read()] == expected  # type: ignore[attr-defined]
    with _reader(engine) as conn:
        for plan_name, q in _stuck_candidates(dialect).items():
            assert [r[0] for r in q.run(conn, None, None)] == expected, \
                f"stuck deals ({plan_name}) disagree"
    plan_name, stuck_fn = _fastest(engine, {
        n: _runner(q, None, None) for n, q in _stuck_candidates(dialect).items()},
        max(1, runs // 2))
    tiny = max(runs, STUCK_RUNS)  # a tenth of a millisecond: five runs are mostly noise
    results.append(("stuck deals", *_side_by_side(engine, ours_stuck, stuck_fn, tiny),
                    plan_name))
    _show(results[-1])
    results.append(("stuck deals, own read", *_side_by_side(
        engine, ours_stuck_read, stuck_fn, tiny), plan_name + " (salesbot: Store.read each)"))
    _show(results[-1])
    part.close()
    part_conn.close()

    since = NOW - timedelta(days=30)

    def ours_moves() -> object:
        with store.read() as s:
            return changes(s, everyone, since, NOW)
    candidates = {"lag": Query(MOVES_LAG), "look-up": Query(MOVES_LOOKUP)}
    with _reader(engine) as conn:
        for plan_name, q in candidates.items():
            assert _fold_moves(q.run(conn, None, None, since=since, until=NOW)) == \
                _moves_of(ours_moves()), f"movement ({plan_name}) disagrees"
    plan_name, moves_fn = _fastest(engine, {
        n: _runner(q, None, None, since=since, until=NOW) for n, q in candidates.items()},
        max(1, runs // 2))
    results.append(("movement, last 30 days", *_side_by_side(
        engine, ours_moves, moves_fn, runs), plan_name))
    _show(results[-1])
    return results


def _show(row: tuple[str, float, float, str]) -> None:
    name, ours, floor, plan = row
    digits = 3 if floor < 0.001 else 1  # stuck deals take a tenth of a millisecond
    print(f"{name:<24} {ours * 1000:>12.{digits}f} {floor * 1000:>10.{digits}f} "
          f"{ours / floor:>7.2f} ×   floor: {plan}", flush=True)


def run() -> None:
    sizes = [int(x) for x in os.environ.get("PIPELINE_BENCH_SIZES", "10000,100000").split(",")
             if x.strip()]
    runs = int(os.environ.get("PIPELINE_BENCH_RUNS", "5"))
    only = os.environ.get("PIPELINE_BENCH_TARGET")
    server = os.environ.get("DATABASE_URL") or ""
    targets = [only] if only else ["sqlite"] + ([server] if server.startswith("postgres")
                                                else [])
    print(f"{'case':<24} {'salesbot ms':>12} {'floor ms':>10} {'ratio':>9}")
    for target in targets:
        for size in sizes:
            _measure_one(target, size, runs)
