"""App Home for a rep with thousands of open deals, and for an admin, in a company of many
deals, against one hand-written SQL statement producing the same deal rows.

    python -m benchmarks app_home
    HOME_BENCH_DEALS=1000000 HOME_BENCH_REP_DEALS=5000 HOME_BENCH_RUNS=5 (defaults 100000,
    5000, 5); DATABASE_URL=postgresql://… runs it on a fresh PostgreSQL database instead of
    a SQLite file (either is removed afterwards).

The company: 200 reps, an admin, accounts of ten deals each, deals spread over the open and
closed stages; the rep owns HOME_BENCH_REP_DEALS of them, the admin 50, and each has 40
follow-ups due and 300 activities. Salesbot is `home_view`, what the Home tab publishes,
timed with its statements counted; the floor is one statement (window functions) giving
each open stage's count, total and first 15 deals with their accounts, the rows Home lists.
Both are checked to agree line by line before anything is timed; medians are printed.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from benchmarks._scratch import scratch_database
from handlers.deps import Deps
from handlers.home.listeners import home_view
from handlers.slack import blocks as ui
from handlers.slack.text import escape, short_money
from store.clock import ManualClock
from store.db import Store
from store.migrate import upgrade
from store.models import Account, Activity, Opportunity, User
from store.money import from_minor
from store.schemas import OpportunityView, StageView
from store.services import Services
from store.services.people.directory import Directory
from store.services.system.statistics import refresh_statistics
from store.statement_count import counting

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SHOWN = 15
FLOOR = """
SELECT r.stage_id, s.name, s.position, s.probability, s.kind, s.quiet_days, s.is_active,
       r.n, r.total, r.id, r.name, r.account_id, a.name, r.amount_minor, r.currency,
       r.close_date, r.probability, r.next_step, r.stage_changed_at
FROM (SELECT o.*, ROW_NUMBER() OVER (PARTITION BY o.stage_id ORDER BY o.close_date, o.id) AS rk,
             COUNT(*) OVER (PARTITION BY o.stage_id) AS n,
             SUM(o.amount_minor) OVER (PARTITION BY o.stage_id) AS total
      FROM opportunities o JOIN stages st ON st.id = o.stage_id
      WHERE o.owner_id = :owner AND o.archived_at IS NULL AND st.kind = 'open') r
JOIN stages s ON s.id = r.stage_id
LEFT JOIN accounts a ON a.id = r.account_id
WHERE r.rk <= :shown
ORDER BY s.position, r.close_date, r.id
"""


def _fill(store: Store, size: int, rep_deals: int) -> tuple[int, int]:
    """The company; returns the ids of the rep and the admin."""
    stamp = {"created_at": NOW, "updated_at": NOW}
    with store.engine.begin() as conn:
        stages = [(r[0], r[1], r[2]) for r in conn.execute(
            text("SELECT id, probability, kind FROM stages ORDER BY position"))]
        conn.execute(insert(User.__table__), [
            {"id": i, "slack_user_id": f"U{i:05d}", "name": f"Person {i}",
             "role": "admin" if i == 2 else "rep", "is_active": True,
             "weekend_reminders": False, **stamp} for i in range(1, 203)])
    rep, admin = 1, 2
    others = list(range(3, 203))
    batch = 20_000
    accounts = (size + 9) // 10
    for start in range(0, accounts, batch):
        with store.engine.begin() as conn:
            conn.execute(insert(Account.__table__), [
                {"id": i, "name": f"Company {i}", "name_key": f"company {i}",
                 "owner_id": others[i % len(others)], **stamp}
                for i in range(start + 1, min(start + batch, accounts) + 1)])
    weights = [0, 0, 0, 1, 1, 2, 3, 4, 5, 6]  # open stages more often than closed ones
    for start in range(0, size, batch):
        rows = []
        for i in range(start + 1, min(start + batch, size) + 1):
            owner = rep if i <= rep_deals else admin if i <= rep_deals + 50 else \
                others[i % len(others)]
            stage_id, probability, kind = stages[(i * 7 + weights[i % 10]) % len(stages)]
            rows.append({"id": i, "name": f"Deal {i}", "account_id": (i - 1) // 10 + 1,
                         "owner_id": owner, "stage_id": stage_id,
                         "amount_minor": 1_000_00 + (i * 7919) % 5_000_000,
                         "currency": "USD", "close_date": date(2026, 1, 1)
                         + timedelta(days=i % 700), "probability": probability,
                         "probability_overridden": False, "stage_changed_at": NOW,
                         "closed_at": NOW if kind != "open" else None, **stamp})
        with store.engine.begin() as conn:
            conn.execute(insert(Opportunity.__table__), rows)
    with store.engine.begin() as conn:
        conn.execute(insert(Activity.__table__), [
            {"kind": "call", "subject": f"Call {n}", "occurred_at": NOW - timedelta(hours=n),
             "follow_up_at": NOW - timedelta(hours=n) if n < 40 else None, "done": False,
             "owner_id": who, "account_id": (n % 10) + 1, "opportunity_id": None, **stamp}
            for who in (rep, admin) for n in range(300)])
    refresh_statistics(store)  # what `salesbot import` runs after a bulk write; no VACUUM
    return rep, admin


def _floor_text(store: Store, owner: int) -> list[str]:
    """Home's deal section built from the floor's rows, as Home writes it."""
    with store.engine.connect() as conn:
        rows = conn.execute(text(FLOOR), {"owner": owner, "shown": SHOWN}).all()
    sections: list[str] = []
    current: int | None = None
    lines: list[str] = []
    for (stage_id, stage, position, prob, kind, quiet, active, count, total, deal_id, name,
         account_id, account, amount, currency, close, probability, next_step,
         _changed) in rows:
        if stage_id != current:
            if lines:
                sections.append("\n".join(lines))
            current = stage_id
            money = short_money(from_minor(int(total), currency), currency)
            more = int(count) - min(int(count), SHOWN)
            lines = [f"*{escape(stage)}* · {count} · {money}"]
            tail = [f"…and {more} more"] if more > 0 else []
        view = OpportunityView(
            id=deal_id, name=name, account_id=account_id, account_name=account, owner_id=owner,
            owner_name="", owner_slack_id="", stage=StageView(
                id=stage_id, name=stage, position=position, probability=prob, kind=kind,
                quiet_days=quiet, is_active=bool(active)),
            amount=from_minor(int(amount), currency), currency=currency,
            close_date=close if isinstance(close, date) else date.fromisoformat(close),
            probability=probability, next_step=next_step, lost_reason=None,
            last_activity_at=None, stage_changed_at=NOW)
        lines.append(ui.opportunity_line(view))
        if len(lines) == 1 + min(int(count), SHOWN):
            lines.extend(tail)
    if lines:
        sections.append("\n".join(lines))
    return sections


def _deal_sections(view: dict[str, Any]) -> list[str]:
    """The mrkdwn of each stage section Home published (between the first two headers)."""
    sections = []
    for block in view["blocks"][1:]:
        if block["type"] == "header":
            break
        sections.append(block["text"]["text"])
    return sections


def _median(fn: Callable[[], object], runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _statements(store: Store, fn: Callable[[], object]) -> int:
    with counting(store.engine) as seen:
        fn()
    return len(seen)


def run() -> None:
    size = int(os.environ.get("HOME_BENCH_DEALS", "100000"))
    rep_deals = int(os.environ.get("HOME_BENCH_REP_DEALS", "5000"))
    runs = int(os.environ.get("HOME_BENCH_RUNS", "5"))
    with scratch_database(os.environ.get("DATABASE_URL"), "home") as url:
        _measure(url, size, rep_deals, runs)


def _measure(url: str, size: int, rep_deals: int, runs: int) -> None:
    store = Store(url, ManualClock(NOW))
    try:
        upgrade(store.engine)
        began = time.perf_counter()
        rep, admin = _fill(store, size, rep_deals)
        print(f"{store.dialect}: {size:,} deals, the rep owns {rep_deals:,}, the admin 50 "
              f"(filled in {time.perf_counter() - began:.0f} s); medians of {runs}")
        services = Services(store)
        deps = Deps(services=services, directory=Directory(store), clock=store.clock)
        print(f"{'whose Home':<12} {'salesbot ms':>12} {'statements':>11} "
              f"{'raw SQL ms':>11} {'ratio':>7}")
        for label, user_id in (("rep", rep), ("admin", admin)):
            actor = services.users.get(f"U{user_id:05d}")
            view = home_view(deps, actor)
            assert _deal_sections(view) == _floor_text(store, user_id), \
                f"Home and the raw statement disagree for the {label}"
            mine = _median(lambda a=actor: home_view(deps, a), runs)  # type: ignore[misc]
            count = _statements(store, lambda a=actor: home_view(deps, a))  # type: ignore[misc]

            def floor(owner: int = user_id) -> None:
                with store.engine.connect() as conn:
                    conn.execute(text(FLOOR), {"owner": owner, "shown": SHOWN}).all()

            raw = _median(floor, runs)
            print(f"{label:<12} {mine * 1000:>12.1f} {count:>11} {raw * 1000:>11.1f} "
                  f"{mine / raw:>6.1f}×", flush=True)
    finally:
        store.dispose()

