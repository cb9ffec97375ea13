"""Knowledge-base search at 1,000, 10,000 and 100,000 articles: whoosh vs SQLite FTS5.

A generated corpus (articles drawn from a sales vocabulary with a long tail of rare words)
is written to a temporary SQLite store and indexed by `KnowledgeBase.rebuild()`; the same
plain text goes into an FTS5 table (porter stemming, bm25 with the same field weights).
Articles are real-size by default: lengths drawn like a company handbook's pages (median
about 4,000 characters, a long tail to 200,000; `KB_BENCH_PAGES=short` for the old
600-character articles). salesbot answers each query for the top five hits *with* their
snippets and the total count; FTS5 for the top five and the count *without* snippets, the
floor. Reported: build time, query latency (median, p95, and salesbot / FTS5), and the cost
of a sync when nothing changed (what every search pays at most every `sync_interval`).

    python -m benchmarks kb_search                            # 1k and 10k pages
    KB_BENCH_SIZES=1000,10000,100000 python -m benchmarks kb_search
"""

from __future__ import annotations

import itertools
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from knowledge import KnowledgeBase
from knowledge.schema import plain_text
from store.clock import ManualClock
from store.db import Store
from store.migrate import upgrade
from store.models import KnowledgeArticle

SIZES = (1_000, 10_000)
START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

_COMMON_WORDS = """
pricing objection discount approval quote renewal contract stage pipeline forecast
prospecting discovery qualification budget authority timeline champion buyer demo proposal
negotiation legal procurement security compliance onboarding support analytics platform
expansion upsell churn risk competitor value business case customer account deal manager
finance admin seats term payment prepayment invoice signature order form review criteria
exit probability close won lost reason reminder follow activity call meeting note email
plan action mutual success metric report dashboard integration sso audit logs training
question answer handle objection cost time team process tool workflow data export import
"""
COMMON = _COMMON_WORDS.split()
TAGS = ["pricing", "objections", "renewals", "discovery", "security", "competitors",
        "pipeline", "quotes", "onboarding", "analytics", "forecast", "bot"]
PRODUCTS = [None, "Platform", "Analytics", "Security", "Onboarding", "Premium Support"]

# (what a rep types into whoosh, the nearest FTS5 MATCH expression)
QUERIES = [
    ("pricing objection", "pricing OR objection"),
    ("how do I handle a pricing objection?", "handle OR pricing OR objection"),
    ("renewal reminders", "renewal OR reminders"),
    ('"exit criteria"', '"exit criteria"'),
    ("disc*", "disc*"),
    ("tag:security sso", "tags:security AND sso"),
    ("product:analytics dashboard", "product:analytics AND dashboard"),
    ("who approves a large discount", "approves OR large OR discount"),
    ("zorbulax", "zorbulax"),  # a rare word
    ("renwal", "renwal"),  # a typo: whoosh corrects it, FTS5 finds nothing
]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < size:
        syllables = rng.randint(2, 4)
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(words)


def _articles(n: int, seed: int = 7) -> Iterator[dict[str, object]]:
    """Short articles: one word in six from the sales vocabulary (each such word is in about
    one article in ten), the rest from 20,000 invented words with a Zipf distribution, as
    in real text."""
    rng = random.Random(seed)
    vocabulary = [*_vocabulary(rng, 20_000), "zorbulax"]
    rng.shuffle(vocabulary)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))

    def words(count: int) -> list[str]:
        picked = rng.choices(vocabulary, cum_weights=cumulative, k=count)
        return [rng.choice(COMMON) if rng.random() < 1 / 6 else w for w in picked]

    real_size = os.environ.get("KB_BENCH_PAGES", "real") != "short"
    for i in range(n):
        title = " ".join([rng.choice(COMMON), *words(rng.randint(2, 5))]).capitalize()
        # a handbook page: lognormal paragraph count, median ~30 paragraphs of ~130
        # characters (about 4,000 characters), capped near 200,000
        paragraphs = (min(1500, max(1, round(rng.lognormvariate(3.4, 1.0)))) if real_size
                      else rng.randint(2, 4))
        body = "\n\n".join(" ".join(words(rng.randint(12, 25))) + "."
                            for _ in range(paragraphs))
        yield {"slug": f"article-{i}", "title": title, "body": body,
               "tags": ",".join(rng.sample(TAGS, rng.randint(1, 3))),
               "product": rng.choice(PRODUCTS), "author_id": None, "deleted_at": None,
               "created_at": START, "updated_at": START}


def _fill_store(store: Store, n: int) -> None:
    table = KnowledgeArticle.__table__
    batch: list[dict[str, object]] = []
    with store.engine.begin() as conn:
        for row in _articles(n):
            batch.append(row)
            if len(batch) == 5_000:
                conn.execute(table.insert(), batch)
                batch = []
        if batch:
            conn.execute(table.insert(), batch)


def _fill_fts(path: Path, n: int) -> tuple[sqlite3.Connection, float]:
    db = sqlite3.connect(path)
    began = time.perf_counter()
    db.execute("CREATE VIRTUAL TABLE kb USING fts5(title, tags, product, body, "
               "tokenize='porter unicode61')")
    db.executemany("INSERT INTO kb(rowid, title, tags, product, body) VALUES (?, ?, ?, ?, ?)",
                   ((i + 1, a["title"], str(a["tags"]).replace(",", " "),
                     (a["product"] or "").lower(), plain_text(str(a["body"])))
                    for i, a in enumerate(_articles(n))))
    # title 3, tags 2, body 1, as the whoosh schema weighs them
    db.execute("INSERT INTO kb(kb, rank) VALUES ('rank', 'bm25(3.0, 2.0, 0.0, 1.0)')")
    db.commit()
    return db, time.perf_counter() - began


FTS_TOP = """
SELECT rowid, title, rank FROM kb WHERE kb MATCH ? ORDER BY rank LIMIT 5
"""
FTS_COUNT = "SELECT count(*) FROM kb WHERE kb MATCH ?"


def _fts_search(db: sqlite3.Connection, query: str) -> tuple[list[tuple], int]:
    """Top five and the total, without snippets: the floor `KnowledgeBase.search` (which
    makes a snippet for each hit) is measured against."""
    top = db.execute(FTS_TOP, (query,)).fetchall()
    return top, db.execute(FTS_COUNT, (query,)).fetchone()[0]


def _timed(call: Callable[[], object], repeat: int) -> list[float]:
    call()  # warm
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        out.append((time.perf_counter() - began) * 1000)
    return out


def _summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):7.2f} {p95:7.2f}"


def _ratio(ours: list[float], floor: list[float]) -> str:
    return f"{statistics.median(ours) / max(statistics.median(floor), 1e-6):.1f}×"


def _one_size(n: int, folder: Path) -> list[str]:
    clock = ManualClock(START)
    store = Store(f"sqlite:///{folder / 'store.db'}", clock)
    upgrade(store.engine)
    began = time.perf_counter()
    _fill_store(store, n)
    filled = time.perf_counter() - began
    kb = KnowledgeBase(store, folder / "index", sync_interval=3600)
    began = time.perf_counter()
    kb.rebuild()
    built = time.perf_counter() - began
    clock.advance(timedelta(seconds=2))
    began = time.perf_counter()
    kb.sync()  # stamped in the second the rebuild read them: their text is compared once
    first_sync = time.perf_counter() - began
    window_ms = _timed(kb.sync, 5)  # still inside the overlap: versions known, stamps only
    clock.advance(timedelta(minutes=5))
    kb.sync()  # moves the mark past the bulk load
    sync_ms = _timed(kb.sync, 20)
    db, fts_built = _fill_fts(folder / "fts.db", n)

    repeat = 30 if n <= 10_000 else 15
    whoosh_all: list[float] = []
    fts_all: list[float] = []
    rows = []
    for whoosh_query, fts_query in QUERIES:
        w = _timed(lambda q=whoosh_query: kb.search(q), repeat)
        f = _timed(lambda q=fts_query: _fts_search(db, q), repeat)
        whoosh_all += w
        fts_all += f
        found = kb.search(whoosh_query)
        fts_total = _fts_search(db, fts_query)[1]
        rows.append(f"   {whoosh_query[:34]:<34} {_summary(w)}  {_summary(f)}  "
                    f"{_ratio(w, f):>6}   {found.total:>6} {fts_total:>6}"
                    f"{'  (corrected)' if found.corrected else ''}")
    kb.close()
    db.close()
    store.dispose()
    size = sum(p.stat().st_size for p in (folder / "index").rglob("*") if p.is_file())
    return [
        f"{n:,} articles: store filled in {filled:.1f} s; whoosh build {built:.1f} s "
        f"({size / 2**20:.1f} MiB); FTS5 build {fts_built:.1f} s; "
        f"sync: first after the bulk load {first_sync:.1f} s, then "
        f"{statistics.median(window_ms):.0f} ms while inside the overlap, "
        f"{statistics.median(sync_ms):.1f} ms after",
        f"   {'query':<34} {'salesbot ms':>15}  {'FTS5 ms':>15}  {'ratio':>6}   "
        f"{'hits':>6} {'hits':>6}",
        f"   {'':<34} {'median':>7} {'p95':>7}  {'median':>7} {'p95':>7}  {'median':>6}   "
        f"{'ours':>6} {'FTS5':>6}",
        f"   {'':<34} {'(snippets)':>15}  {'(none)':>15}",
        *rows,
        f"   {'all queries':<34} {_summary(whoosh_all)}  {_summary(fts_all)}  "
        f"{_ratio(whoosh_all, fts_all):>6}",
    ]


def run() -> None:
    sizes = tuple(int(s) for s in os.environ.get("KB_BENCH_SIZES", "").split(",") if s) or SIZES
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="salesbot-kb-bench-") as tmp:
            for line in _one_size(n, Path(tmp)):
                print(line, flush=True)
