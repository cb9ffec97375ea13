"""A reminder sweep with nothing due and with 1,000 due, in-process and as the command
`salesbot reminders run-once`, against a floor doing the same job by plain means.

    python -m benchmarks reminder_sweep
    REMINDER_BENCH_SIZES=1000:10000,100000:1000000   (users:deals; default 1000:10000)
    REMINDER_BENCH_TARGET=postgresql://…   (or DATABASE_URL; SQLite always runs)
    REMINDER_BENCH_RUNS=5                  (repeats; medians are printed)
    REMINDER_BENCH_DATABASES=postgresql    (only these: sqlite, postgresql; default both)

Each size gets a fresh database: the users, their open deals (one in ten past its close
date), a follow-up for one deal in ten (one in ten of those due within the look-back), all
already reminded, as after a day of sweeps. Then:

- *nothing due*: the next sweep, a minute later; the floor is one hand-written UNION of
  the index ranges that can hold newly due rows (follow-ups and deals written since, or
  crossing their due moment since, not yet reminded; reminders due for delivery), which
  finds none; salesbot must plan and send none.
- *1,000 due*: 1,000 follow-ups, each its own rep's, logged since the last sweep and due a
  minute ago; the floor finds them with the same statement, posts each to the same Slack
  stand-in with a bare `WebClient`, and records them sent with one `executemany`; salesbot
  must send exactly those. Between repeats the reminders are deleted and the planner's
  mark put back, so every repeat does the same work.

The command runs are wall time of a fresh `salesbot reminders run-once` process (start-up,
migration check and all), the floor a fresh Python running the floor's statement. The
first full sweep (the planner with no mark, as after an upgrade) is timed once. Temporary
databases are removed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine, delete, insert, select, text, update

from benchmarks._scratch import scratch_database
from bot.localslack import LocalSlack
from bot.reminders import ReminderRunner
from store.clock import ManualClock
from store.db import Store, normalize_url
from store.migrate import upgrade
from store.models import Activity, Opportunity, Reminder, Stage, SweepMark, User
from store.services import Services
from store.services.reminders.windows import FOLLOW_UP_AHEAD, FOLLOW_UP_LOOKBACK, MARGIN

HOURS = "00:00-23:59"  # every minute is a working one, so what is due is sent now
DUE = 1000
CHUNK = 20_000

FOLLOW_UP_KEY = {
    "sqlite": "'follow_up:' || a.id || ':' || strftime('%Y%m%dT%H%M', a.follow_up_at)",
    "postgresql": "'follow_up:' || a.id || ':' || "
                  "to_char(a.follow_up_at AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MI')",
}


def floor_sql(dialect: str, quiet: list[tuple[int, int]]) -> str:
    """Every row a sweep must act on, as index ranges: follow-ups written since or newly in
    the day-ahead horizon and not yet reminded; open deals written since, past their close
    date since, or out of their quiet days since (per stage); reminders due for delivery."""
    # each window on its own table (joined, SQLite's planner walks a join index instead);
    # `+column` keeps a filter from being taken for the driving index
    follow_ups = f"""
        SELECT 'f', a.id FROM activities a
        WHERE {{window}} AND a.done = false AND {{due}} <= :ahead
          AND {{due}} >= :back
          AND +a.owner_id IN (SELECT id FROM users WHERE is_active = true)
          AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.key = {FOLLOW_UP_KEY[dialect]})"""
    deals = """
        SELECT 'd', o.id FROM opportunities o
        WHERE {window} AND o.archived_at IS NULL
          AND +o.stage_id IN (SELECT id FROM stages WHERE kind = 'open')
          AND +o.owner_id IN (SELECT id FROM users WHERE is_active = true)"""
    # in the arm driven by updated_at, SQLite keeps the due-time filters off their index
    # (else it walks every follow-up of the look-back fortnight; PostgreSQL has no unary
    # plus for a timestamp, and plans by its statistics)
    off_index = "+a.follow_up_at" if dialect == "sqlite" else "a.follow_up_at"
    parts = [follow_ups.format(window="a.updated_at >= :since", due=off_index),
             follow_ups.format(window="a.follow_up_at > :since_ahead", due="a.follow_up_at"),
             deals.format(window="o.updated_at >= :since"),
             deals.format(window="o.close_date >= :since_day AND o.close_date < :today")]
    for stage_id, _days in quiet:
        parts.append(deals.format(
            window=f"o.stage_id = {stage_id} AND o.stage_changed_at > :qs_{stage_id}"
                   f" AND o.stage_changed_at <= :qe_{stage_id}"))
        parts.append(deals.format(
            window=f"o.last_activity_at > :qs_{stage_id} AND o.last_activity_at <= :qe_{stage_id}"))
    parts.append("SELECT 'r', id FROM reminders WHERE status = 'pending' AND deliver_at <= :now")
    return " UNION ALL ".join(parts)


def floor_params(dialect: str, now: datetime, mark: datetime,
                 quiet: list[tuple[int, int]]) -> dict[str, Any]:
    since = mark - MARGIN
    when: Callable[[datetime], Any] = (lambda d: d) if dialect == "postgresql" else (
        lambda d: d.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"))  # as SQLite holds it
    day: Callable[[Any], Any] = (lambda d: d) if dialect == "postgresql" else (
        lambda d: d.isoformat())
    params = {"now": when(now), "ahead": when(now + FOLLOW_UP_AHEAD),
              "back": when(now - FOLLOW_UP_LOOKBACK), "since": when(since),
              "since_ahead": when(since + FOLLOW_UP_AHEAD), "since_day": day(since.date()),
              "today": day(now.date())}
    for stage_id, days in quiet:
        params[f"qs_{stage_id}"] = when(since - timedelta(days=days))
        params[f"qe_{stage_id}"] = when(now - timedelta(days=days))
    return params


# -- the database --------------------------------------------------------------------
def fill(store: Store, users: int, deals: int, now: datetime) -> None:
    """The book, as after a day of sweeps: every due thing already planned and sent."""
    old = now - timedelta(days=30)
    with store.engine.begin() as conn:
        stages = conn.execute(select(Stage.id).where(Stage.kind == "open")
                              .order_by(Stage.position)).scalars().all()
        conn.execute(insert(User), [
            {"slack_user_id": f"U{i:07d}", "name": f"Rep {i}", "role": "rep",
             "timezone": "UTC", "is_active": True, "weekend_reminders": True,
             "created_at": old, "updated_at": old} for i in range(users)])
        first_user = conn.scalar(select(User.id).order_by(User.id).limit(1)) or 1
        for start in range(0, deals, CHUNK):
            conn.execute(insert(Opportunity), [
                {"name": f"Deal {i}", "owner_id": first_user + i % users,
                 "stage_id": stages[i % len(stages)], "amount_minor": 100_000,
                 "currency": "USD", "probability": 10, "probability_overridden": False,
                 "close_date": (now - timedelta(days=10) if i % 10 == 0
                                else now + timedelta(days=60)).date(),
                 "stage_changed_at": now - timedelta(hours=1),  # quiet days from now
                 "last_activity_at": now - timedelta(hours=1),
                 "created_at": old, "updated_at": old}
                for i in range(start, min(start + CHUNK, deals))])
        first_deal = conn.scalar(select(Opportunity.id).order_by(Opportunity.id).limit(1)) or 1
        for start in range(0, deals // 10, CHUNK):
            conn.execute(insert(Activity), [
                {"kind": "call", "subject": f"call {i}", "occurred_at": old, "done": False,
                 "owner_id": first_user + (i * 10) % users, "opportunity_id": first_deal + i * 10,
                 "follow_up_at": now - timedelta(days=3) if i % 10 == 0
                 else now + timedelta(days=20),
                 "created_at": old, "updated_at": old}
                for i in range(start, min(start + CHUNK, deals // 10))])


def settle(services: Services) -> float:
    """The first sweep's planning (no mark: every row that can be due), then everything
    it planned marked sent, as a day of sweeps would leave it; returns the planning time."""
    started = time.perf_counter()
    services.reminders.plan()
    elapsed = time.perf_counter() - started
    with services.store.transaction() as s:
        s.execute(update(Reminder).values(status="sent", sent_at=services.store.now()))
    return elapsed


def add_due(store: Store, users: int, now: datetime) -> list[int]:
    """1,000 follow-ups, one per rep, logged just now and due a minute ago."""
    with store.engine.begin() as conn:
        first_user = conn.scalar(select(User.id).order_by(User.id).limit(1)) or 1
        first_deal = conn.scalar(select(Opportunity.id).order_by(Opportunity.id).limit(1)) or 1
        rows = [{"kind": "call", "subject": f"due {i}", "occurred_at": now, "done": False,
                 "owner_id": first_user + i % users, "opportunity_id": first_deal + i,
                 "follow_up_at": now - timedelta(minutes=1), "created_at": now,
                 "updated_at": now} for i in range(DUE)]
        return list(conn.execute(insert(Activity).returning(Activity.id), rows).scalars())


def reset_due(store: Store, due: list[int], now: datetime, mark: datetime) -> None:
    """Put the 1,000 back as not yet reminded, logged at `now`, and the mark at `mark`."""
    with store.engine.begin() as conn:
        conn.execute(delete(Reminder).where(Reminder.kind == "follow_up",
                                            Reminder.subject_id.in_(due),
                                            Reminder.created_at >= now - timedelta(days=1)))
        conn.execute(update(Activity).where(Activity.id.in_(due)).values(
            updated_at=now, follow_up_at=now - timedelta(minutes=1)))
        conn.execute(update(SweepMark).values(planned_at=mark))


def floor(engine: Engine, sql: str, params: dict[str, Any], client: WebClient | None,
          now: datetime) -> set[tuple[str, int]]:
    """The floor's job: find what is due; with a client, post each and record it sent."""
    with engine.begin() as conn:
        found = {(kind, row_id) for kind, row_id in conn.execute(text(sql), params)}
        if client is not None and found:
            slack_ids: dict[int, str] = dict(conn.execute(text(
                "SELECT a.id, u.slack_user_id FROM activities a JOIN users u "
                "ON u.id = a.owner_id WHERE a.id IN (" +
                ",".join(str(i) for kind, i in found if kind == "f") + ")")).all())
            sent = []
            for row_id in (i for kind, i in found if kind == "f"):
                posted = client.chat_postMessage(channel=slack_ids[row_id],
                                                 text=f"Follow up on deal {row_id}")
                sent.append({"key": f"floor:{row_id}", "kind": "follow_up",
                             "subject_type": "activity", "subject_id": row_id,
                             "due_at": now, "deliver_at": now, "status": "sent",
                             "attempts": 1, "slack_ts": posted.get("ts"), "created_at": now})
            conn.execute(insert(Reminder), sent)
            conn.execute(delete(Reminder).where(Reminder.key.like("floor:%")))
    return found


# -- measuring -----------------------------------------------------------------------
def median(times: list[float]) -> float:
    return statistics.median(times)


def row(case: str, ours: float, base: float, note: str = "") -> None:
    print(f"  {case:<34} salesbot {ours * 1000:9.1f} ms   floor {base * 1000:9.1f} ms   "
          f"{ours / base if base else float('inf'):6.1f} ×  {note}", flush=True)


def command_env(url: str, slack: LocalSlack) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "SLACK_BOT_TOKEN": "xoxb-bench",
            "SLACK_API_URL": slack.api_url, "SALESBOT_WORKING_HOURS": HOURS,
            "SALESBOT_TIMEZONE": "UTC"}


def run_command(env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", "reminders", "run-once"], env=env,
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout.strip()


def run_floor_command(url: str, sql: str, params: dict[str, Any]) -> tuple[float, int]:
    """A fresh Python that imports SQLAlchemy and runs the floor's statement."""
    code = ("import sys, json, datetime as d\nfrom sqlalchemy import create_engine, text\n"
            "p = json.loads(sys.argv[2])\n"
            "p = {k: (d.date.fromisoformat(v[2:]) if v.startswith('D:') else "
            "d.datetime.fromisoformat(v[2:]) if v.startswith('T:') else v) for k, v in p.items()}\n"
            "e = create_engine(sys.argv[1])\n"
            "with e.connect() as c: print(len(c.execute(text(sys.argv[3]), p).all()))\n")
    import json

    def enc(v: Any) -> str:
        if isinstance(v, datetime):
            return "T:" + v.isoformat()
        if hasattr(v, "isoformat") and not isinstance(v, str):
            return "D:" + v.isoformat()
        return str(v)

    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, normalize_url(url),
                           json.dumps({k: enc(v) for k, v in params.items()}), sql],
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - started, int(done.stdout.strip())


def measure(target: str, users: int, deals: int, runs: int) -> None:
    server = None if target == "sqlite" else target
    with scratch_database(server, "rsweep") as url, LocalSlack() as slack:
        clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
        store = Store(url, clock)
        upgrade(store.engine)
        dialect = store.dialect
        services = Services(store, working_hours=HOURS)
        runner = ReminderRunner(services, WebClient(token="xoxb-bench",
                                                    base_url=slack.api_url), clock, "UTC",
                                worker="bench")
        started = time.perf_counter()
        fill(store, users, deals, clock.now())
        filled = time.perf_counter() - started
        first = settle(services)
        with store.engine.connect() as conn:
            quiet = [(i, q) for i, q in conn.execute(select(Stage.id, Stage.quiet_days).where(
                Stage.kind == "open")) if q]
        sql = floor_sql(dialect, quiet)
        print(f"{dialect}, {users:,} users, {deals:,} deals ({filled:.0f} s to fill); "
              f"first sweep's planning (no mark, every row that can be due): {first:.1f} s",
              flush=True)

        # nothing due, in-process
        ours, base = [], []
        for _ in range(runs):
            clock.advance(timedelta(minutes=1))
            t = time.perf_counter()
            report = runner.run_once()
            ours.append(time.perf_counter() - t)
            assert (report.planned, report.sent) == (0, 0), report
            with store.transaction() as s:
                mark = s.scalars(select(SweepMark.planned_at)).one()
            t = time.perf_counter()
            found = floor(store.engine, sql, floor_params(dialect, clock.now(), mark, quiet), None,
                          clock.now())
            base.append(time.perf_counter() - t)
            assert found == set(), found
        row("nothing due, in-process", median(ours), median(base), "(0 = 0 rows)")

        # nothing due, as a command (wall clock: the data's times move with it)
        env = command_env(url, slack)
        ours, base = [], []
        for _ in range(runs):
            with store.transaction() as s:
                s.execute(update(SweepMark).values(planned_at=datetime.now(UTC)))
            elapsed, out = run_command(env)
            ours.append(elapsed)
            assert out.startswith("planned 0, sent 0"), out
            now = datetime.now(UTC)
            elapsed, count = run_floor_command(url, sql, floor_params(dialect, now, now, quiet))
            base.append(elapsed)
            assert count == 0, count
        row("nothing due, command (wall)", median(ours), median(base), "(0 = 0 rows)")

        # 1,000 due, in-process
        due = add_due(store, users, clock.now())
        floor_client = WebClient(token="xoxb-bench", base_url=slack.api_url)
        ours, base = [], []
        for _ in range(runs):
            clock.advance(timedelta(minutes=1))
            mark = clock.now() - timedelta(seconds=30)
            reset_due(store, due, clock.now(), mark)
            t = time.perf_counter()
            report = runner.run_once()
            ours.append(time.perf_counter() - t)
            with store.transaction() as s:
                sent = set(s.scalars(select(Reminder.subject_id).where(
                    Reminder.kind == "follow_up", Reminder.status == "sent",
                    Reminder.subject_id.in_(due))))
            assert report.sent == DUE and sent == set(due), report
            reset_due(store, due, clock.now(), mark)
            t = time.perf_counter()
            found = floor(store.engine, sql, floor_params(dialect, clock.now(), mark, quiet),
                          floor_client, clock.now())
            base.append(time.perf_counter() - t)
            assert found == {("f", i) for i in due}, len(found)
        row(f"{DUE:,} due, in-process", median(ours), median(base), f"({DUE} = {DUE} sent)")

        # 1,000 due, as a command
        ours = []
        for _ in range(runs):
            now = datetime.now(UTC)
            reset_due(store, due, now, now - timedelta(seconds=30))
            elapsed, out = run_command(env)
            ours.append(elapsed)
            assert out.startswith(f"planned {DUE}, sent {DUE}"), out
        row(f"{DUE:,} due, command (wall)", median(ours), median(base),
            "(floor: in-process, above)")
        store.dispose()


def run() -> None:
    sizes = [tuple(int(x) for x in part.split(":")) for part in
             os.environ.get("REMINDER_BENCH_SIZES", "1000:10000").split(",")]
    runs = int(os.environ.get("REMINDER_BENCH_RUNS", "5"))
    targets = ["sqlite"]
    pg = os.environ.get("REMINDER_BENCH_TARGET") or os.environ.get("DATABASE_URL")
    if pg and pg.startswith("postgres"):
        targets.append(pg)
    wanted = os.environ.get("REMINDER_BENCH_DATABASES", "sqlite,postgresql").split(",")
    targets = [t for t in targets if ("sqlite" if t == "sqlite" else "postgresql") in wanted]
    for target in targets:
        for users, deals in sizes:
            measure(target, users, deals, runs)


if __name__ == "__main__":
    run()
