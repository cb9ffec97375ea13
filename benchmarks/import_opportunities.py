"""`salesbot import opportunities` side by side with the floor: the same rows written into
the same tables by the database's bare bulk means, in the same run.

    python -m benchmarks import_opportunities
    IMPORT_BENCH_SIZES=10000,100000,1000000   rows per file (default 10000,100000)
    IMPORT_BENCH_RUNS=3                       runs per size; the medians are printed
    DATABASE_URL=postgresql://…/NAME          PostgreSQL too (databases NAME_bench_…,
                                              dropped after each run)
    IMPORT_BENCH_TARGETS=postgresql           only these (sqlite, postgresql; default both)

A team moving from another CRM brings its whole pipeline at once. Each run starts from a
fresh migrated database holding 50 users and 5,000 accounts (imported with salesbot,
untimed), then times:

- salesbot: `python -m bot import opportunities FILE`, a subprocess as a user runs it (its
  start-up included), wall time and that process's peak RSS (`os.wait4`);
- the floor, in this process: the file read with `csv`, owners, accounts and stages resolved
  with dicts, the deals and their first history rows written in one transaction with a bare
  `executemany` (sqlite3, the store's PRAGMAs) or `COPY` (psycopg), checking nothing.

After both, the two stores must hold the same deals and history rows (every column but
ids and times), or the benchmark stops.
"""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ACCOUNTS = 5_000
USERS = 50
STAGES = ("Prospecting", "Needs Analysis", "Value Proposition", "Proposal/Price Review",
          "Negotiation/Review", "Closed Won", "Closed Lost")
CHECKOUT = Path(__file__).resolve().parents[1]
CHUNK = 50_000  # rows per executemany / COPY of the floor
DEAL_COLUMNS = ("id", "name", "account_id", "owner_id", "stage_id", "amount_minor", "currency",
                "close_date", "probability", "probability_overridden", "next_step",
                "lost_reason", "last_open_stage_id", "stage_changed_at", "closed_at",
                "last_activity_at", "archived_at", "created_at", "updated_at")
HISTORY_COLUMNS = ("opportunity_id", "changed_at", "changed_by_id", "from_stage_id",
                   "to_stage_id", "amount_minor", "currency", "probability", "close_date",
                   "owner_id", "source", "note")
CONTENT = ("""
SELECT o.name, a.name, u.slack_user_id, s.name, o.amount_minor, o.currency, o.close_date,
       o.probability, o.probability_overridden, o.next_step, o.lost_reason,
       o.closed_at IS NULL, o.archived_at IS NULL
FROM opportunities o JOIN accounts a ON a.id = o.account_id JOIN users u ON u.id = o.owner_id
JOIN stages s ON s.id = o.stage_id ORDER BY o.id
""", """
SELECT o.name, h.from_stage_id IS NULL, s.name, h.amount_minor, h.currency, h.probability,
       h.close_date, u.slack_user_id, h.changed_by_id IS NULL, h.source, h.note
FROM opportunity_history h JOIN opportunities o ON o.id = h.opportunity_id
JOIN stages s ON s.id = h.to_stage_id JOIN users u ON u.id = h.owner_id ORDER BY h.id
""")


def _write(path: Path, header: list[str], rows: object) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)  # type: ignore[arg-type]


def _write_files(folder: Path, size: int) -> tuple[Path, Path, Path]:
    users, accounts, deals = folder / "users.csv", folder / "accounts.csv", folder / "deals.csv"
    _write(users, ["slack_id", "name", "email", "role"],
           ([f"U{n:05d}", f"Rep {n}", f"rep{n}@example.com", "rep"] for n in range(USERS)))
    _write(accounts, ["name", "domain", "owner"],
           ([f"Account {n}", f"account{n}.example", f"U{n % USERS:05d}"]
            for n in range(ACCOUNTS)))
    start = date(2026, 12, 1)
    _write(deals, ["name", "account", "owner", "stage", "amount", "currency", "close_date",
                   "next_step", "probability", "lost_reason"],
           ([f"Deal {n}", f"Account {n % ACCOUNTS}",
             f"rep{n % USERS}@example.com" if n % 3 else f"U{n % USERS:05d}",
             STAGES[n % len(STAGES)], f"{(n * 37) % 250_000}.{n % 100:02d}",
             "EUR" if n % 10 == 0 else "", (start + timedelta(days=n % 365)).isoformat(),
             f"follow up, step {n}" if n % 4 == 0 else "", "", ""]
            for n in range(size)))
    return users, accounts, deals


# -- databases ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    name: str  # "SQLite" or "PostgreSQL"
    admin_url: str | None  # PostgreSQL: where to create and drop the run's databases


@contextmanager
def _database(target: Target, folder: Path) -> Iterator[str]:
    """A fresh empty database for one run, removed afterwards."""
    if target.admin_url is None:
        path = folder / f"run-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, _, admin_db = target.admin_url.rpartition("/")
    name = f"{admin_db}_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(target.admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(target.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _environment(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "SALESBOT_CURRENCY": "USD",
            "SALESBOT_TIMEZONE": "UTC"}


def _salesbot(args: list[str], url: str) -> tuple[float, int, str]:
    """Run `salesbot ARGS`; its wall seconds, peak RSS in KiB and what it printed."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        began = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=CHECKOUT,
                                 env=_environment(url), stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS
        elapsed = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        printed, complaint = out.read(), err.read()
    if child.returncode != 0:
        raise SystemExit(f"salesbot {' '.join(args)} failed ({child.returncode}):\n"
                         f"{complaint[-2000:]}")
    return elapsed, usage.ru_maxrss, printed.strip()


def _prepared(url: str, users: Path, accounts: Path) -> None:
    _salesbot(["db", "upgrade"], url)
    _salesbot(["import", "users", str(users)], url)
    _salesbot(["import", "accounts", str(accounts)], url)


def _connect(url: str) -> Any:
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
            connection.execute(f"PRAGMA {pragma}")
        return connection
    import psycopg

    return psycopg.connect(url)


def _content(url: str) -> tuple[int, int, str]:
    """How many deals and history rows there are, and a digest of what they hold."""
    connection = _connect(url)
    try:
        digest, counts = hashlib.sha256(), []
        for query in CONTENT:
            cursor, rows = connection.execute(query), 0
            while chunk := cursor.fetchmany(10_000):
                for row in chunk:
                    digest.update(repr(tuple(
                        value.isoformat() if isinstance(value, date) else
                        int(value) if isinstance(value, bool) else value for value in row
                    )).encode())
                rows += len(chunk)
            counts.append(rows)
        return counts[0], counts[1], digest.hexdigest()
    finally:
        connection.close()


# -- the floor ------------------------------------------------------------------------------

def _floor_rows(connection: Any, deals: Path, now: Any) -> Iterator[list[tuple[Any, ...]]]:
    """The deals of the file as rows of `opportunities`, CHUNK at a time."""
    stages = {name: (id_, probability, kind) for id_, name, probability, kind in
              connection.execute("SELECT id, name, probability, kind FROM stages").fetchall()}
    owners: dict[str, int] = {}
    for id_, slack, email in connection.execute(
            "SELECT id, slack_user_id, email FROM users").fetchall():
        owners[slack] = owners[email] = id_
    accounts = dict(connection.execute("SELECT name, id FROM accounts").fetchall())
    with deals.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        chunk: list[tuple[Any, ...]] = []
        for id_, (name, account, owner, stage, amount, currency, close_date, next_step,
                  _probability, _lost) in enumerate(reader, 1):
            stage_id, probability, kind = stages[stage]
            whole, _, cents = amount.partition(".")
            chunk.append((
                id_, name, accounts[account], owners[owner], stage_id,
                int(whole) * 100 + int(cents or 0), currency or "USD", close_date, probability,
                False, next_step or None, None, None, now, None if kind == "open" else now,
                None, None, now, now,
            ))
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def _history(chunk: list[tuple[Any, ...]], now: Any) -> list[tuple[Any, ...]]:
    return [(deal[0], now, None, None, deal[4], deal[5], deal[6], deal[8], deal[7], deal[3],
             "import", None) for deal in chunk]


def _floor(url: str, deals: Path) -> float:
    connection = _connect(url)
    began = time.perf_counter()
    try:
        if isinstance(connection, sqlite3.Connection):
            now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # the store's encoding
            insert_deal = (f"INSERT INTO opportunities ({', '.join(DEAL_COLUMNS)}) "
                           f"VALUES ({', '.join('?' * len(DEAL_COLUMNS))})")
            insert_history = (f"INSERT INTO opportunity_history ({', '.join(HISTORY_COLUMNS)}) "
                              f"VALUES ({', '.join('?' * len(HISTORY_COLUMNS))})")
            connection.execute("BEGIN IMMEDIATE")
            for chunk in _floor_rows(connection, deals, now):
                connection.executemany(insert_deal, chunk)
                connection.executemany(insert_history, _history(chunk, now))
            connection.execute("COMMIT")
        else:
            moment = datetime.now(UTC)
            with connection.cursor() as cursor:
                for chunk in _floor_rows(connection, deals, moment):
                    with cursor.copy(f"COPY opportunities ({', '.join(DEAL_COLUMNS)}) "
                                     "FROM STDIN") as copy:
                        for row in chunk:
                            copy.write_row(row)
                    with cursor.copy(f"COPY opportunity_history ({', '.join(HISTORY_COLUMNS)}) "
                                     "FROM STDIN") as copy:
                        for row in _history(chunk, moment):
                            copy.write_row(row)
                cursor.execute("SELECT setval(pg_get_serial_sequence('opportunities', 'id'), "
                               "(SELECT max(id) FROM opportunities))")
            connection.commit()
        return time.perf_counter() - began
    finally:
        connection.close()


# -- the runs -------------------------------------------------------------------------------

@dataclass
class Figures:
    salesbot: list[float]
    floor: list[float]
    peak_kib: list[int]


def _measure(target: Target, folder: Path, files: tuple[Path, Path, Path], size: int,
             runs: int) -> Figures:
    users, accounts, deals = files
    figures = Figures([], [], [])
    for _ in range(runs):
        with _database(target, folder) as ours, _database(target, folder) as floors:
            _prepared(ours, users, accounts)
            _prepared(floors, users, accounts)
            seconds, peak, said = _salesbot(["import", "opportunities", str(deals)], ours)
            expected = f"imported {size} opportunities ({size} new, 0 updated)"
            if said != expected:
                raise SystemExit(f"salesbot said {said!r}, not {expected!r}")
            figures.salesbot.append(seconds)
            figures.peak_kib.append(peak)
            figures.floor.append(_floor(floors, deals))
            held, floor_held = _content(ours), _content(floors)
            if held != floor_held or held[:2] != (size, size):
                raise SystemExit(f"{target.name}, {size:,} rows: salesbot's store holds "
                                 f"{held}, the floor's {floor_held}")
    return figures


def _targets() -> list[Target]:
    targets = [Target("SQLite", None)]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgresql://", "postgres://")):
        targets.append(Target("PostgreSQL", url.replace("postgres://", "postgresql://", 1)))
    wanted = os.environ.get("IMPORT_BENCH_TARGETS", "sqlite,postgresql").lower().split(",")
    return [target for target in targets if target.name.lower() in wanted]


def run() -> None:
    sizes = [int(s) for s in os.environ.get("IMPORT_BENCH_SIZES", "10000,100000").split(",")]
    runs = int(os.environ.get("IMPORT_BENCH_RUNS", "3"))
    print(f"{USERS} users, {ACCOUNTS:,} accounts; medians of {runs} runs; "
          f"the floor checked to leave the same deals and history rows")
    print(f"{'database':<11} {'rows':>10} {'salesbot':>10} {'rows/s':>9} {'floor':>9} "
          f"{'rows/s':>9} {'ratio':>6} {'of floor':>9} {'peak RSS':>9}")
    with tempfile.TemporaryDirectory(prefix="salesbot-bench-") as tmp:
        folder = Path(tmp)
        for size in sizes:
            files = _write_files(folder, size)
            for target in _targets():
                figures = _measure(target, folder, files, size, runs)
                ours, floor = statistics.median(figures.salesbot), statistics.median(figures.floor)
                peak = statistics.median(figures.peak_kib) / 1024
                print(f"{target.name:<11} {size:>10,} {ours:>9.2f}s {size / ours:>9,.0f} "
                      f"{floor:>8.2f}s {size / floor:>9,.0f} {ours / floor:>5.2f}x "
                      f"{floor / ours:>8.0%} {peak:>7.0f} MiB", flush=True)
