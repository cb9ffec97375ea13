"""`FtsEngine`: search over one generation's SQLite FTS5 file (knowledge/fts/store.py).

A search is one statement: each part of the query (knowledge/fts/query.py) a MATCH whose
bm25 (computed by FTS5, in C) is weighted and summed per article, the filters applied
and the total counted in the same pass. Each thread keeps its own connection per
generation; what it reads once (synonym articles, slices of the vocabulary) is kept
until another connection commits (`PRAGMA data_version`).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from knowledge.engine import (
    CLEARLY_BETTER,
    COLLAPSE_LOOKAHEAD,
    Reading,
    Stored,
    collapse_duplicates,
)
from knowledge.fts import query as query_module
from knowledge.fts import store
from knowledge.fts.names import Names, concepts
from knowledge.fts.query import FtsQuery, Part, parse
from knowledge.fts.store import busy
from knowledge.fts.vocabulary import Vocabulary
from knowledge.results import Hit, SearchResults
from knowledge.snippets import snippet
from knowledge.spelling import Corrections, corrections, neighbours
from knowledge.storage import IndexBusy
from knowledge.synonyms import DEFAULT, SYNONYMS_TAG, Synonyms
from knowledge.text import STOP, stem_word

_NAME_WORD = re.compile(r"[a-z0-9]+")

if TYPE_CHECKING:
    from store.services.knowledge.articles import ArticleView

# Names: a page's title and its slug (folder and file name) say what it is about, in
# the words a rep asking for that page uses ("sales hiring", "reporting vulnerabilities").
# FTS5's bm25 cannot favour them: it divides a title match by the whole page's length,
# so a long page named for the query loses to a short page that mentions it, and need not
# be among the top CANDIDATES by bm25 at all. So the names are scored on their own
# (knowledge/fts/names.py): each concept of the query (a word, or a synonym group counted
# once) the title holds adds TITLE_WEIGHT, the slug SLUG_WEIGHT, divided by the square
# root of how many words the title or slug has; the NAMED best-named matching articles
# join the candidates. The weights were tuned on the even-numbered judged queries of
# benchmarks/kb_relevance.py (MRR@10 even/odd .888/.853 without names, .918/.908 with
# each word counted, .926/.915 with concepts and the named candidates).
TITLE_WEIGHT = 4.0
SLUG_WEIGHT = 1.0
CANDIDATES = 60
NAMED = 20


def _bm25() -> str:
    """FTS5's bm25 with the column weights of query.py (read each time, so a tuning run
    can vary them)."""
    return "bm25(docs, " + ", ".join(str(w) for w in query_module.COLUMN_WEIGHTS) + ")"


@dataclass
class _Reading:
    generation: Path
    db: sqlite3.Connection
    version: int = -1
    synonyms: Synonyms | None = None
    vocabulary: Vocabulary = field(init=False)
    _names: dict[int, tuple[frozenset[str], frozenset[str]]] | None = None
    _name_fields: Names | None = None
    _count: int | None = None

    def __post_init__(self) -> None:
        self.vocabulary = Vocabulary(self.db)

    def fresh(self) -> _Reading:
        """Forget what was read before another connection's commit."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if version != self.version:
            self.version, self.synonyms, self._count = version, None, None
            self._names = None
            self._name_fields = None
            self.vocabulary = Vocabulary(self.db)
        return self

    def names(self) -> dict[int, tuple[frozenset[str], frozenset[str]]]:
        """Each article's title and slug word stems, read once per commit."""
        if self._names is None:
            self._names = {
                i: (frozenset(stem_word(w) for w in _NAME_WORD.findall(title.lower())
                              if w not in STOP),
                    frozenset(stem_word(w) for w in _NAME_WORD.findall(slug.lower())))
                for i, slug, title in self.db.execute("SELECT id, slug, title FROM articles")}
        return self._names

    def name_fields(self) -> Names:
        """The titles and slugs as fields scored on their own, built once per commit."""
        if self._name_fields is None:
            self._name_fields = Names(self.names())
        return self._name_fields

    def document(self, article_id: int) -> Stored | None:
        row = self.db.execute("SELECT updated, read_at, fingerprint FROM articles WHERE id = ?",
                              (article_id,)).fetchone()
        return Stored(*row) if row else None

    def doc_count(self) -> int:
        """Counted once per commit: every sync asks, and counting walks the whole table."""
        if self._count is None:
            self._count = int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])
        return self._count

    def fingerprints(self) -> dict[int, str | None]:
        return dict(self.db.execute("SELECT id, fingerprint FROM articles"))

    def close(self) -> None:
        self.db.close()


class FtsEngine:
    name = "fts5"

    def __init__(self) -> None:
        self._local = threading.local()

    def open(self, generation: Path) -> Reading:
        return _Reading(generation, store.connect(generation))

    def release(self, reading: Reading) -> None:
        cast(_Reading, reading).close()

    def reader(self, generation: Path) -> Reading:
        reading: _Reading | None = getattr(self._local, "reading", None)
        if reading is not None and reading.generation != generation:
            self.close()
            reading = None
        if reading is None:
            reading = self._local.reading = _Reading(generation, store.connect(generation))
        return reading.fresh()

    def close(self) -> None:
        reading: _Reading | None = getattr(self._local, "reading", None)
        if reading is not None:
            self._local.reading = None
            reading.close()

    def create(self, generation: Path, batches: Iterable[Sequence[ArticleView]],
               read_at: datetime) -> tuple[int, int]:
        return store.create(generation, batches, read_at)

    def write(self, generation: Path, upserts: Sequence[ArticleView], deletes: Sequence[int],
              read_at: datetime) -> int:
        return store.write(generation, upserts, deletes, read_at)

    def search(self, reading: Reading, text: str, limit: int, page: int) -> SearchResults:
        try:
            return _search(cast(_Reading, reading), text, limit, page)
        except sqlite3.OperationalError as exc:
            if "fts5: syntax error" in str(exc):  # a guard: every word is quoted
                return SearchResults(query=text, page=page, limit=limit)
            if busy(exc):
                raise IndexBusy(f"the index is busy: {exc}") from exc
            raise  # KnowledgeBase.search rebuilds when the file no longer reads cleanly


def _search(reading: _Reading, text: str, limit: int, page: int) -> SearchResults:
    synonyms = _synonyms(reading)
    query = _parse(reading, text, synonyms)
    if query.is_empty:
        return SearchResults(query=text, page=page, limit=limit)
    wanted = page * limit + COLLAPSE_LOOKAHEAD
    ranked, total = _ranked(reading, query, wanted)
    fixes = corrections(reading.vocabulary, query.words)
    suggestion = fixes.suggestion_for(query.text, query.filter_text())
    corrected = typed_matched = False
    # The "did you mean" reading, when it scores clearly better than the words as typed
    # (always, when nothing matched as typed); else, with no match, every word fuzzily.
    if suggestion and query.words:
        alternative = _parse(reading, suggestion, synonyms)
        found, count = _ranked(reading, alternative, wanted)
        if found and (not total or found[0][1] >= CLEARLY_BETTER * ranked[0][1]):
            typed_matched = total > 0
            ranked, total, query, corrected = found, count, alternative, True
    if total == 0 and query.words and not corrected:
        fuzzy = _fuzzy(query, fixes)
        found, count = _ranked(reading, fuzzy, wanted)
        if found:
            ranked, total, query, corrected = found, count, fuzzy, True
    hits, collapsed = _hits(reading, query, ranked, limit, page)
    return SearchResults(query=text, hits=hits, total=max(len(hits), total - collapsed),
                         page=page, limit=limit, suggestion=suggestion, corrected=corrected,
                         typed_matched=typed_matched)


def _parse(reading: _Reading, text: str, synonyms: Synonyms) -> FtsQuery:
    query = parse(text, synonyms)
    if query.fuzzy:  # `word~`: the word or its neighbours in the vocabulary
        near = {w: neighbours(reading.vocabulary, w) or [] for w in query.fuzzy}
        query = parse(text, synonyms, fuzzy=near)
    return query


def _fuzzy(query: FtsQuery, fixes: Corrections) -> FtsQuery:
    """The last resort: every word on its own, unknown words replaced by all their near
    neighbours in the vocabulary."""
    words: list[str] = []
    for word in query.words:
        words.extend(fixes.near.get(word) or [word])
    words = list(dict.fromkeys(words))
    parts = [Part("(" + " OR ".join(f'"{w}"' for w in words) + ")")] if words else []
    return FtsQuery(text=" ".join(words), filters=query.filters, parts=parts,
                    words=words, highlight=set(parse(" ".join(words), DEFAULT).highlight))


def _filters(query: FtsQuery, column: str = "id",
             among: Sequence[int] = ()) -> tuple[str, list[object]]:
    """The filters as a condition on COLUMN (an article id), and its parameters; AMONG,
    when given, are the only articles let through."""
    clauses: list[str] = [f"{column} IN ({','.join('?' * len(among))})"] if among else []
    params: list[object] = [*among]
    for fieldname, value, negated in query.filters:
        clauses.append(f"{column} {'NOT IN' if negated else 'IN'} "
                       "(SELECT id FROM keywords WHERE kind = ? AND token = ?)")
        params += [fieldname, value]
    return (" AND ".join(clauses) or "1"), params


def _ranked(reading: _Reading, query: FtsQuery, wanted: int
            ) -> tuple[list[tuple[int, float]], int]:
    """The top WANTED (id, score) and how many articles match: bm25 plus what the names
    hold of the query, over the best CANDIDATES by bm25 and the best NAMED by name."""
    ranked, total = _matched(reading.db, query, max(wanted, CANDIDATES))
    if ranked and query.words:
        wanted_names = query.concepts or concepts(
            {stem_word(w) for w in query.words if w not in STOP} | query.highlight)
        named = reading.name_fields().scores(wanted_names, TITLE_WEIGHT, SLUG_WEIGHT)
        seen = {article_id for article_id, _score in ranked}
        extra = [i for i in sorted(named, key=lambda i: (-named[i], i)) if i not in seen]
        if extra[:NAMED] and len(ranked) < total:
            more, _count = _matched(reading.db, query, NAMED, among=extra[:NAMED])
            ranked += more
        ranked = sorted(((i, s + named.get(i, 0.0)) for i, s in ranked),
                        key=lambda pair: (-pair[1], pair[0]))
    return ranked[:wanted], total


def _matched(db: sqlite3.Connection, query: FtsQuery, wanted: int,
             among: Sequence[int] = ()) -> tuple[list[tuple[int, float]], int]:
    """The top WANTED (id, score) by bm25 and how many articles match, in one statement
    (only those AMONG, when given)."""
    if not query.parts:  # filters alone: every article they let through, oldest first
        where, params = _filters(query, among=among)
        sql = (f"SELECT id, 0.0, count(*) OVER () FROM articles WHERE {where} "
               "ORDER BY id LIMIT ?")
        rows = db.execute(sql, [*params, wanted]).fetchall()
        return [(r[0], r[1]) for r in rows], (rows[0][2] if rows else 0)
    if sum(part.matches for part in query.parts) == 1 and query.parts[0].matches:
        return _matched_one(db, query, wanted, among)
    # each part materialised on its own (bm25 is only defined inside its MATCH's scan),
    # filtered as it is scanned (see `_matched_one`); the sum of a hit's parts, counted
    # once materialised (cheaper than a window over them)
    where, params = _filters(query, "+rowid", among)
    parts, match_params = [], []
    for n, part in enumerate(query.parts):
        score = "?" if part.constant else f"-{_bm25()} * ?"
        parts.append(f"p{n} AS MATERIALIZED (SELECT rowid AS id, {score} AS s, "
                     f"{int(part.matches)} AS m FROM docs WHERE docs MATCH ? AND {where})")
        match_params += [part.weight, part.expression, *params]
    union = " UNION ALL ".join(f"SELECT * FROM p{n}" for n in range(len(parts)))
    sql = (f"WITH {', '.join(parts)}, hits AS MATERIALIZED (SELECT id, sum(s) AS score "
           f"FROM ({union}) GROUP BY id HAVING max(m) = 1) SELECT id, score, "
           "(SELECT count(*) FROM hits) FROM hits ORDER BY score DESC, id LIMIT ?")
    rows = db.execute(sql, [*match_params, wanted]).fetchall()
    return [(r[0], r[1]) for r in rows], (rows[0][2] if rows else 0)


def _matched_one(db: sqlite3.Connection, query: FtsQuery, wanted: int,
                 among: Sequence[int] = ()) -> tuple[list[tuple[int, float]], int]:
    """`_matched` when only the first part decides what matches (no synonyms): its scan,
    filtered as it goes (bm25 is worked out only for what the filters let through), is
    the hits, and each other part adds its score to the hits it also finds, in the order
    of the parts (as the sum over them adds up). No grouping of every part's rows, no
    window to count them: a third less time than the general statement on 10,000 pages,
    the same hits and scores."""
    first, *others = query.parts
    # "+rowid": the filters checked on each match, not turned into one FTS5 lookup per id
    # (which took 50 times as long for `product:analytics dashboard` on 10,000 pages)
    where, params = _filters(query, "+rowid", among)
    scans = [f"p0 AS MATERIALIZED (SELECT rowid AS id, "
             f"{'?' if first.constant else f'-{_bm25()} * ?'} AS s FROM docs "
             f"WHERE docs MATCH ? AND {where})"]
    scan_params: list[object] = [first.weight, first.expression, *params]
    score, joins, weights = "p0.s", [], []
    for n, part in enumerate(others, start=1):
        if part.constant:
            scans.append(f"p{n} AS MATERIALIZED (SELECT rowid AS id FROM docs "
                         "WHERE docs MATCH ?)")
            scan_params.append(part.expression)
            score += f" + (CASE WHEN p0.id IN (SELECT id FROM p{n}) THEN ? ELSE 0.0 END)"
            weights.append(part.weight)
        else:
            scans.append(f"p{n} AS MATERIALIZED (SELECT rowid AS id, -{_bm25()} * ? AS s "
                         "FROM docs WHERE docs MATCH ?)")
            scan_params += [part.weight, part.expression]
            score += f" + coalesce(p{n}.s, 0.0)"
            joins.append(f"LEFT JOIN p{n} ON p{n}.id = p0.id")
    sql = (f"WITH {', '.join(scans)} SELECT p0.id, {score} AS score, "
           f"(SELECT count(*) FROM p0) FROM p0 {' '.join(joins)} "
           "ORDER BY score DESC, p0.id LIMIT ?")
    rows = db.execute(sql, [*scan_params, *weights, wanted]).fetchall()
    return [(r[0], r[1]) for r in rows], (rows[0][2] if rows else 0)


def _hits(reading: _Reading, query: FtsQuery, ranked: list[tuple[int, float]], limit: int,
          page: int) -> tuple[list[Hit], int]:
    """The page's hits with their snippets, near-duplicates left out (and how many were)."""
    ids = [article_id for article_id, _score in ranked]
    marks = ",".join("?" * len(ids))
    rows = {r[0]: r for r in reading.db.execute(
        "SELECT id, slug, title, tag_list, product_name, opening "
        f"FROM articles WHERE id IN ({marks})", ids)}
    present = [(i, s) for i, s in ranked if i in rows]
    kept, collapsed = collapse_duplicates(present, ((rows[i][2], rows[i][5]) for i, _ in present))
    shown = kept[(page - 1) * limit: page * limit]
    terms = frozenset(query.highlight | reading.vocabulary.stems_with_prefixes(query.prefixes))
    bodies = dict(reading.db.execute(
        f"SELECT rowid, body FROM docs WHERE rowid IN ({','.join('?' * len(shown))})",
        [article_id for article_id, _score in shown])) if shown else {}
    hits = []
    for article_id, score in shown:
        _id, slug, title, tag_list, product, _opening = rows[article_id]
        body = bodies[article_id]
        hits.append(Hit(article_id=article_id, slug=slug, title=title,
                        tags=[t for t in tag_list.split(",") if t], product=product or None,
                        score=round(score, 4), snippet=snippet(body, terms)))
    return hits, collapsed


def _synonyms(reading: _Reading) -> Synonyms:
    """The built-in groups and those of articles tagged `synonyms`, read once per commit."""
    if reading.synonyms is None:
        bodies = [r[0] for r in reading.db.execute(
            "SELECT d.body FROM keywords k JOIN docs d ON d.rowid = k.id "
            "WHERE k.kind = 'tag' AND k.token = ?", (SYNONYMS_TAG,))]
        reading.synonyms = (Synonyms(DEFAULT.groups + Synonyms.parse(bodies).groups)
                            if bodies else DEFAULT)
    return reading.synonyms
