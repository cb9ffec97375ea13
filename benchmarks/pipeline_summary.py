"""Pipeline summary time at 10,000, 100,000 and 1,000,000 opportunities, against the same
by-stage aggregate written as one raw SQL query on the same database.

    python -m benchmarks pipeline_summary
    (PIPELINE_BENCH_TARGET=postgresql://… for PostgreSQL; PIPELINE_BENCH_SIZES=10000,100000,1000000)

Each size gets a fresh database: 60 owners in 6 teams, open/won/lost deals in 3
currencies with close dates over two years, and 1.5 history rows per deal (creation plus
moves, some in the last week). Timings are the best of 3 runs after one warm-up.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from store.clock import ManualClock
from store.db import Store, make_engine, normalize_url
from store.migrate import upgrade
from store.models import Opportunity, OpportunityHistory, Team, User
from store.periods import quarter
from store.services.pipeline.figures import ReportScope, Scope
from store.services.pipeline.summary import (
    PipelineService,
    open_by_month,
    open_by_owner,
    open_by_stage,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
RAW = """
SELECT o.stage_id, o.owner_id, {year}, {month}, o.currency,
       COUNT(o.id), SUM(o.amount_minor), SUM(o.amount_minor * o.probability)
FROM opportunities o JOIN stages s ON s.id = o.stage_id
WHERE s.kind = 'open' AND o.archived_at IS NULL
GROUP BY o.stage_id, o.owner_id, {year}, {month}, o.currency
"""
PARTS = {"sqlite": ("CAST(strftime('%Y', o.close_date) AS INTEGER)",
                    "CAST(strftime('%m', o.close_date) AS INTEGER)"),
         "postgresql": ("EXTRACT(year FROM o.close_date)", "EXTRACT(month FROM o.close_date)")}


def _database(target: str) -> tuple[str, object]:
    if target == "sqlite":
        folder = tempfile.mkdtemp()
        return f"sqlite:///{Path(folder) / 'bench.db'}", None
    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(target)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(normalize_url(target)).set(database=name).render_as_string(
        hide_password=False), (admin, name)


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
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def _best(fn, runs: int = 3) -> float:
    fn()
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def measure(target: str, sizes: list[int]) -> None:
    print(f"{'deals':>10} {'fill s':>8} {'summary ms':>11} {'summary Q4 ms':>14} "
          f"{'team summary ms':>16} "
          f"{'open breakdown (service) ms':>28} {'same, raw SQL ms':>17}")
    for size in sizes:
        _measure_one(target, size)


def _measure_one(target: str, size: int) -> None:
    url, cleanup = _database(target)
    store = Store(url, ManualClock(NOW))
    upgrade(store.engine)
    began = time.perf_counter()
    _fill(store, size)
    filled = time.perf_counter() - began
    service = PipelineService(store)
    with store.transaction() as s:
        manager = User(slack_user_id="UMGR", name="Mgr", role="manager", is_active=True)
        s.add(manager)
        s.flush()
        s.execute(text("UPDATE teams SET manager_id = :m WHERE name = 'Team 0'"),
                  {"m": manager.id})
        manager_id = manager.id
    everyone = ReportScope(None, "Everyone", "visible")

    raw_sql = RAW.format(year=PARTS[store.dialect][0], month=PARTS[store.dialect][1])

    def breakdown() -> None:
        with store.transaction() as s:
            open_by_stage(s, everyone, None)
            open_by_owner(s, everyone, None)
            open_by_month(s, everyone, None)

    def raw() -> None:
        with store.engine.connect() as conn:
            conn.execute(text(raw_sql)).all()

    with store.engine.connect() as conn:  # the same figures, both ways
        by_stage: dict = {}
        for stage_id, _o, _y, _m, currency, count, amount, weighted in conn.execute(
                text(raw_sql)):
            cell = by_stage.setdefault((stage_id, currency), [0, 0, 0])
            for n, value in enumerate((count, amount, weighted)):
                cell[n] += int(value)
    with store.transaction() as s:
        rows = open_by_stage(s, everyone, None)
    mine = {(row.stage_id, f.currency): [f.count, f.amount_minor, f.weighted_centi]
            for row in rows for f in row.figures}
    assert mine == by_stage, "the service and the raw query disagree"
    q4 = quarter(2026, 4)
    print(f"{size:>10,} {filled:>8.1f} "
          f"{_best(lambda: service.company_summary()) * 1000:>11.1f} "
          f"{_best(lambda: service.company_summary(q4)) * 1000:>14.1f} "
          f"{_best(lambda: service.summary(manager_id, Scope('team'))) * 1000:>16.1f} "
          f"{_best(breakdown) * 1000:>28.1f} {_best(raw) * 1000:>17.1f}", flush=True)
    store.dispose()
    if cleanup is not None:
        admin, name = cleanup
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run() -> None:
    target = os.environ.get("PIPELINE_BENCH_TARGET", "sqlite")
    sizes = [int(x) for x in os.environ.get("PIPELINE_BENCH_SIZES", "10000,100000").split(",")]
    measure(target, sizes)
