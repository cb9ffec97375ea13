"""Knowledge-base relevance on a real company handbook: salesbot (on its whoosh and on
its FTS5 engine) vs plain whoosh vs plain FTS5.

The corpus (benchmarks/kb_corpus.py: Sourcegraph's public handbook at a named commit) is
imported the way an admin would (`kb import content --skip-bad`) into a temporary SQLite
store and indexed by `KnowledgeBase.rebuild()`, once per engine. The same article texts
(title, and the body as the index reads it) go into
- a bare whoosh BM25F index (knowledge/plain.py: title and body, stemmed, OR of the words),
- an SQLite FTS5 table (porter, bm25 with the title weighted 3, OR of the words).
Each answers the judged queries of benchmarks/kb_queries.yaml (written from the pages
before any engine ran on them) for its top ten. Printed per query kind: top-1 (the first
hit is a relevant page), top-3, MRR@10, and each engine's median time per query (salesbot
with its snippets, the others without).

    KB_CORPUS=path/to/handbook python -m benchmarks kb_relevance
    KB_RELEVANCE_MISSES=1 …   also lists the queries salesbot (whoosh) misses in its top 3
    KB_RELEVANCE_MISSES=fts5 …  … the queries salesbot on FTS5 misses
    KB_RELEVANCE_RANKS=known-item …  each query of that kind (or `all`) with its rank
                                    in every engine: where one engine beats another

Also printed: MRR@10 on the even- and the odd-numbered queries (weights are tuned on the
even ones only; the odd ones check that what was tuned holds).
"""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from benchmarks.kb_corpus import QUERIES, missing_note, open_corpus
from knowledge import KnowledgeBase
from knowledge.plain import PlainIndex
from knowledge.text import plain_text
from store.clock import SystemClock
from store.db import Store
from store.migrate import upgrade
from store.services.knowledge.articles import KnowledgeService
from store.services.knowledge.page_slugs import unique_slugs

KINDS = ("known-item", "typo", "keyword", "question", "abbreviation")
DEPTH = 10


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    relevant: frozenset[str]  # slugs


def load_queries(slug_of: dict[str, str]) -> list[Query]:
    data = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    out = []
    for item in data["queries"]:
        missing = [p for p in item["relevant"] if p not in slug_of]
        if missing:
            raise SystemExit(f"{QUERIES.name}: {item['q']!r} names pages not in the corpus: "
                             f"{missing}")
        out.append(Query(item["kind"], item["q"], frozenset(slug_of[p] for p in
                                                            item["relevant"])))
    return out


def _rank(found: list[str], relevant: frozenset[str]) -> int | None:
    for n, slug in enumerate(found[:DEPTH], start=1):
        if slug in relevant:
            return n
    return None


@dataclass
class Scores:
    ranks: dict[str, list[int | None]]
    times: list[float]

    def figures(self, kind: str | None) -> tuple[float, float, float]:
        ranks = [r for k, rs in self.ranks.items() if kind in (None, k) for r in rs]
        n = len(ranks) or 1
        top1 = sum(1 for r in ranks if r == 1) / n
        top3 = sum(1 for r in ranks if r is not None and r <= 3) / n
        mrr = sum(1 / r for r in ranks if r is not None) / n
        return top1, top3, mrr


def score(engine: Callable[[str], list[str]], queries: list[Query]) -> tuple[Scores, list[
        tuple[Query, list[str]]]]:
    scores = Scores(ranks={k: [] for k in KINDS}, times=[])
    answers = []
    for query in queries:
        began = time.perf_counter()
        found = engine(query.text)
        scores.times.append((time.perf_counter() - began) * 1000)
        scores.ranks.setdefault(query.kind, []).append(_rank(found, query.relevant))
        answers.append((query, found))
    return scores, answers


_WORD = re.compile(r"\w+")


def fts_engine(db: sqlite3.Connection) -> Callable[[str], list[str]]:
    def search(text: str) -> list[str]:
        words = [w for w in _WORD.findall(text.lower()) if w not in ("and", "or", "not")]
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = db.execute("SELECT slug FROM kb WHERE kb MATCH ? ORDER BY rank LIMIT ?",
                          (match, DEPTH)).fetchall()
        return [r[0] for r in rows]
    return search


def run() -> None:
    corpus = open_corpus()
    if corpus is None:
        print(missing_note())
        return
    pages = corpus.pages()
    slug_of = {p.as_posix(): s for p, s in unique_slugs(pages).items()}
    queries = load_queries(slug_of)
    with tempfile.TemporaryDirectory(prefix="salesbot-kb-relevance-") as tmp:
        folder = Path(tmp)
        store = Store(f"sqlite:///{folder / 'store.db'}", SystemClock())
        upgrade(store.engine)
        summary = KnowledgeService(store).import_markdown_dir(corpus.pages_dir, skip_bad=True)
        kb = KnowledgeBase(store, folder / "index", sync_interval=3600, engine="whoosh")
        began = time.perf_counter()
        kb.rebuild()
        built = time.perf_counter() - began
        fts_kb = KnowledgeBase(store, folder / "index-fts5", sync_interval=3600, engine="fts5")
        began = time.perf_counter()
        fts_kb.rebuild()
        fts_built = time.perf_counter() - began
        articles = [a for batch in KnowledgeService(store).iter_live() for a in batch]
        texts = [(a.slug, a.title, plain_text(a.body)) for a in articles]
        plain = PlainIndex(folder / "plain", texts)
        db = sqlite3.connect(folder / "fts.db")
        db.execute("CREATE VIRTUAL TABLE kb USING fts5(slug UNINDEXED, title, body, "
                   "tokenize='porter unicode61')")
        db.executemany("INSERT INTO kb(slug, title, body) VALUES (?, ?, ?)", texts)
        db.execute("INSERT INTO kb(kb, rank) VALUES ('rank', 'bm25(0.0, 3.0, 1.0)')")
        db.commit()

        engines: dict[str, Callable[[str], list[str]]] = {
            "salesbot whoosh": lambda q: [h.slug for h in kb.search(q, limit=DEPTH).hits],
            "salesbot FTS5": lambda q: [h.slug for h in fts_kb.search(q, limit=DEPTH).hits],
            "whoosh BM25F": plain.search,
            "SQLite FTS5": fts_engine(db),
        }
        results = {}
        for name, engine in engines.items():
            engine("warm up")
            results[name] = score(engine, queries)
        plain.close()
        kb.close()
        fts_kb.close()
        db.close()
        store.dispose()

    print(f"corpus: {corpus.pages_dir} at {corpus.commit or 'an export'}: {len(pages)} pages, "
          f"{summary.total} imported ({len(summary.skipped)} skipped, {len(summary.drafts)} "
          f"drafts); salesbot index built in {built:.1f} s (whoosh), {fts_built:.1f} s (FTS5); "
          f"{len(queries)} judged queries")
    header = f"{'kind':<13} {'n':>4}  " + "  ".join(f"{n:^20}" for n in engines)
    print(header)
    print(f"{'':<13} {'':>4}  " + "  ".join(f"{'top1  top3  MRR@10':^20}" for _ in engines))
    for kind in (*KINDS, None):
        count = sum(1 for q in queries if kind in (None, q.kind))
        cells = []
        for name in engines:
            top1, top3, mrr = results[name][0].figures(kind)
            cells.append(f"{top1:5.3f} {top3:5.3f} {mrr:6.3f}  ")
        print(f"{kind or 'all':<13} {count:>4}  " + "  ".join(f"{c:^20}" for c in cells))
    for half, name in ((0, "even queries"), (1, "odd queries")):
        picked = [q for n, q in enumerate(queries) if n % 2 == half]
        cells = []
        for engine in engines:
            ranks = [r for n, (q, found) in enumerate(results[engine][1]) if n % 2 == half
                     for r in (_rank(found, q.relevant),)]
            mrr = sum(1 / r for r in ranks if r is not None) / (len(ranks) or 1)
            cells.append(f"{'MRR@10':>11} {mrr:6.3f}  ")
        print(f"{name:<13} {len(picked):>4}  " + "  ".join(f"{c:^20}" for c in cells))
    print(f"{'median ms':<13} {'':>4}  " + "  ".join(
        f"{statistics.median(results[n][0].times):^20.1f}" for n in engines))
    ranks_of = os.environ.get("KB_RELEVANCE_RANKS")
    if ranks_of:
        print(f"ranks ({' / '.join(engines)}; - is below {DEPTH}):")
        for n, (query, _found) in enumerate(results["salesbot FTS5"][1]):
            if ranks_of in ("all", query.kind):
                ranks = [_rank(results[e][1][n][1], query.relevant) for e in engines]
                print(f"  {n:3d} [{query.kind}] " + " / ".join(
                    "-" if r is None else str(r) for r in ranks) + f"  {query.text!r}")
    if os.environ.get("KB_RELEVANCE_MISSES"):
        missed = "salesbot FTS5" if os.environ["KB_RELEVANCE_MISSES"] == "fts5" \
            else "salesbot whoosh"
        for query, found in results[missed][1]:
            rank = _rank(found, query.relevant)
            if rank is None or rank > 3:
                print(f"  miss [{query.kind}] {query.text!r} rank {rank}: got {found[:3]} "
                      f"want {sorted(query.relevant)}")
