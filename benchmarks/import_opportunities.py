"""Import 100,000 opportunities with `salesbot import` and report its time and memory.

A team moving from another CRM brings its whole pipeline at once; the import has to
finish in well under a minute and keep its memory flat however long the file is. The
command runs as a subprocess against a temporary SQLite database, exactly as a user
would run it; the users and accounts it names are imported first.

    cd /work/main && python -m benchmarks import_opportunities
"""

from __future__ import annotations

import csv
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROWS = 100_000
ACCOUNTS = 5_000
USERS = 50
STAGES = ("Prospecting", "Needs Analysis", "Value Proposition", "Proposal/Price Review",
          "Negotiation/Review", "Closed Won", "Closed Lost")
CHECKOUT = Path(__file__).resolve().parents[1]


def _write(path: Path, header: list[str], rows: object) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)  # type: ignore[arg-type]


def _write_files(folder: Path) -> tuple[Path, Path, Path]:
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
            for n in range(ROWS)))
    return users, accounts, deals


def _salesbot(args: list[str], env: dict[str, str]) -> float:
    """Run `salesbot ARGS` as a subprocess; returns its wall time in seconds."""
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=CHECKOUT, env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"salesbot {' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stderr[-2000:]}")
    print(f"   {done.stdout.strip()}")
    return elapsed


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="salesbot-bench-") as tmp:
        folder = Path(tmp)
        database = folder / "bench.db"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
               "SALESBOT_CURRENCY": "USD", "SALESBOT_TIMEZONE": "UTC"}
        users, accounts, deals = _write_files(folder)
        size_mib = deals.stat().st_size / 2**20
        print(f"generated {ROWS:,} opportunities ({size_mib:.1f} MiB), {ACCOUNTS:,} accounts, "
              f"{USERS} users")
        _salesbot(["import", "users", str(users)], env)
        _salesbot(["import", "accounts", str(accounts)], env)
        seconds = _salesbot(["import", "opportunities", str(deals)], env)
        # the largest of the children, all of which are smaller than this last import
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        with sqlite3.connect(database) as connection:
            deals_in_store = connection.execute("SELECT count(*) FROM opportunities").fetchone()[0]
            history = connection.execute("SELECT count(*) FROM opportunity_history").fetchone()[0]
        print(f"rows: {deals_in_store:,} opportunities, {history:,} history rows")
        print(f"wall time: {seconds:.1f} s ({deals_in_store / seconds:,.0f} rows/s)")
        print(f"peak RSS: {peak_kib / 1024:.0f} MiB")
