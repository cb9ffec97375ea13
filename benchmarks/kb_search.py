"""Knowledge-base search at 1,000, 10,000 and 100,000 articles: salesbot on each of its
engines (whoosh, FTS5) vs a bare SQLite FTS5 table.

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
    KB_BENCH_ENGINES=fts5 python -m benchmarks kb_search      # one engine only
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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from knowledge import KnowledgeBase, SearchResults
from knowledge.text import plain_text
from store.clock import ManualClock
from store.db import Store
from store.migrate import upgrade
from store.models import KnowledgeArticle

SIZES = (1_000, 10_000)
ENGINES = tuple(os.environ.get("KB_BENCH_ENGINES", "whoosh,fts5").split(","))
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


@dataclass
class _Engine:
    """One salesbot engine at one size: its build, its syncs, its query times."""

    name: str
    kb: KnowledgeBase
    built: float = 0.0
    size: float = 0.0  # MiB on disk
    first_sync: float = 0.0
    window_ms: list[float] = field(default_factory=list)
    sync_ms: list[float] = field(default_factory=list)
    times: dict[str, list[float]] = field(default_factory=dict)
    found: dict[str, SearchResults] = field(default_factory=dict)


def _build(name: str, store: Store, clock: ManualClock, folder: Path) -> _Engine:
    engine = _Engine(name, KnowledgeBase(store, folder / f"index-{name}", sync_interval=3600,
                                         engine=name))
    began = time.perf_counter()
    engine.kb.rebuild()
    engine.built = time.perf_counter() - began
    clock.advance(timedelta(seconds=2))
    began = time.perf_counter()
    engine.kb.sync()  # stamped in the second the rebuild read them: their text is compared once
    engine.first_sync = time.perf_counter() - began
    engine.window_ms = _timed(engine.kb.sync, 5)  # inside the overlap: versions known
    clock.advance(timedelta(minutes=5))
    engine.kb.sync()  # moves the mark past the bulk load
    engine.sync_ms = _timed(engine.kb.sync, 20)
    engine.size = sum(p.stat().st_size for p in (folder / f"index-{name}").rglob("*")
                      if p.is_file()) / 2**20
    return engine


def _one_size(n: int, folder: Path) -> list[str]:
    clock = ManualClock(START)
    store = Store(f"sqlite:///{folder / 'store.db'}", clock)
    upgrade(store.engine)
    began = time.perf_counter()
    _fill_store(store, n)
    filled = time.perf_counter() - began
    engines = [_build(name, store, clock, folder) for name in ENGINES]
    db, fts_built = _fill_fts(folder / "fts.db", n)
    repeat = 30 if n <= 10_000 else 15
    floor: dict[str, list[float]] = {}
    for query, fts_query in QUERIES:
        for engine in engines:  # interleaved, so a busy moment of the machine hits all
            engine.times[query] = _timed(lambda e=engine, q=query: e.kb.search(q), repeat)
            engine.found[query] = engine.kb.search(query)
        floor[query] = _timed(lambda q=fts_query: _fts_search(db, q), repeat)
    totals = {q: _fts_search(db, f)[1] for q, f in QUERIES}
    for engine in engines:
        engine.kb.close()
    db.close()
    store.dispose()
    lines = [f"{n:,} articles: store filled in {filled:.1f} s; FTS5 floor build {fts_built:.1f} s"]
    for e in engines:
        lines.append(
            f"   {e.name}: build {e.built:.1f} s ({e.size:.1f} MiB); sync: first after the "
            f"bulk load {e.first_sync:.1f} s, then {statistics.median(e.window_ms):.0f} ms "
            f"inside the overlap, {statistics.median(e.sync_ms):.1f} ms after")
    lines.append(f"   {'query':<34} " + "  ".join(f"{e.name + ' ms':>15} {'ratio':>6}"
                                                    for e in engines)
                 + f"  {'FTS5 floor ms':>15}   hits: " + " ".join(e.name for e in engines)
                 + " floor")
    lines.append(f"   {'':<34} " + "  ".join(f"{'median':>7} {'p95':>7} {'':>6}" for _ in engines)
                 + f"  {'median':>7} {'p95':>7}   (salesbot with snippets, the floor without)")
    for query, _fts in [*QUERIES, ("all queries", "")]:
        every = query == "all queries"
        f = [t for ts in floor.values() for t in ts] if every else floor[query]
        cells = []
        for e in engines:
            w = [t for ts in e.times.values() for t in ts] if every else e.times[query]
            cells.append(f"{_summary(w)} {_ratio(w, f):>6}")
        hits = "" if every else " ".join(
            f"{e.found[query].total}{'*' if e.found[query].corrected else ''}"
            for e in engines) + f" {totals[query]}"
        lines.append(f"   {query[:34]:<34} " + "  ".join(cells) + f"  {_summary(f)}   {hits}")
    lines.append("   (* corrected: the hits are for the did-you-mean reading)")
    return lines


def run() -> None:
    sizes = tuple(int(s) for s in os.environ.get("KB_BENCH_SIZES", "").split(",") if s) or SIZES
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="salesbot-kb-bench-") as tmp:
            for line in _one_size(n, Path(tmp)):
                print(line, flush=True)
