"""Knowledge-base index build: `KnowledgeBase.rebuild()` on each engine (whoosh, FTS5) vs
a bare SQLite FTS5 table.

The generated real-size corpus of benchmarks/kb_search.py (a handbook's page lengths) is
written to a temporary SQLite store. salesbot reads every live article from the store and
indexes it into a new generation (one writer, one commit); the floor reads the same rows
with one SELECT and inserts the same plain text into an FTS5 table (porter stemming) in one
transaction. Both are checked to hold every article. Medians over `KB_BUILD_REPEAT` runs
(default 3; one at 100,000).

    python -m benchmarks kb_build                           # 1k and 10k pages
    KB_BUILD_ENGINES=fts5 python -m benchmarks kb_build     # one engine (default: both)
    KB_BUILD_SIZES=100000 KB_BUILD_REPEAT=1 python -m benchmarks kb_build
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.kb_search import START, _fill_store
from knowledge import KnowledgeBase
from knowledge.text import plain_text
from store.clock import ManualClock
from store.db import Store
from store.migrate import upgrade

SIZES = (1_000, 10_000)


def _fts_build(store_path: Path, fts_path: Path) -> tuple[float, int]:
    """The floor: the live rows read with one statement, their plain text into FTS5."""
    fts_path.unlink(missing_ok=True)
    began = time.perf_counter()
    source = sqlite3.connect(store_path)
    db = sqlite3.connect(fts_path)
    db.execute("CREATE VIRTUAL TABLE kb USING fts5(title, tags, product, body, "
               "tokenize='porter unicode61')")
    rows = source.execute("SELECT id, title, tags, product, body FROM kb_articles "
                          "WHERE deleted_at IS NULL")
    db.executemany("INSERT INTO kb(rowid, title, tags, product, body) VALUES (?, ?, ?, ?, ?)",
                   ((i, t, tags.replace(",", " "), (p or "").lower(), plain_text(b))
                    for i, t, tags, p, b in rows))
    db.commit()
    elapsed = time.perf_counter() - began
    count = db.execute("SELECT count(*) FROM kb").fetchone()[0]
    db.close()
    source.close()
    return elapsed, count


def _one_size(n: int, repeat: int, folder: Path, engine: str) -> str:
    store = Store(f"sqlite:///{folder / 'store.db'}", ManualClock(START))
    upgrade(store.engine)
    _fill_store(store, n)
    kb = KnowledgeBase(store, folder / "index", sync_interval=3600, engine=engine)
    ours: list[float] = []
    floor: list[float] = []
    for _ in range(repeat):
        began = time.perf_counter()
        built = kb.rebuild()
        ours.append(time.perf_counter() - began)
        seconds, indexed = _fts_build(folder / "store.db", folder / "fts.db")
        floor.append(seconds)
        if built != n or indexed != n:
            raise SystemExit(f"index holds {built} articles, FTS5 {indexed}; expected {n}")
    kb.close()
    store.dispose()
    a, b = statistics.median(ours), statistics.median(floor)
    return (f"{engine:>7} {n:>9,}   {a:9.2f} {b:9.2f} {a / max(b, 1e-9):7.1f}×   "
            f"({repeat} run{'s' if repeat > 1 else ''}, {n / a:,.0f} articles/s)")


def run() -> None:
    sizes = tuple(int(s) for s in os.environ.get("KB_BUILD_SIZES", "").split(",") if s) or SIZES
    engines = os.environ.get("KB_BUILD_ENGINES", "whoosh,fts5").split(",")
    print(f"{'engine':>7} {'articles':>9}   {'salesbot':>9} {'FTS5':>9} {'ratio':>8}")
    print(f"{'':>7} {'':>9}   {'s':>9} {'s':>9}")
    for n in sizes:
        repeat = int(os.environ.get("KB_BUILD_REPEAT", "3" if n < 100_000 else "1"))
        for engine in engines:
            with tempfile.TemporaryDirectory(prefix="salesbot-kb-build-") as tmp:
                print(_one_size(n, repeat, Path(tmp), engine), flush=True)
