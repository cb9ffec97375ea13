"""The whoosh engine (`SALESBOT_KB_ENGINE=whoosh`): BM25F over a whoosh index per
generation, queries from knowledge/query.py, readers from knowledge/reading.py."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from whoosh import index
from whoosh import query as wq
from whoosh.searching import Results, Searcher

from knowledge.engine import (
    CLEARLY_BETTER,
    COLLAPSE_LOOKAHEAD,
    Reading,
    Stored,
    collapse_duplicates,
)
from knowledge.query import ParsedQuery, QueryReader, corrections, highlight_terms
from knowledge.reading import Readers, open_generation, top_hits
from knowledge.results import Hit, SearchResults
from knowledge.schema import build_schema
from knowledge.snippets import snippet
from knowledge.synonyms import DEFAULT, SYNONYMS_TAG, Synonyms
from knowledge.text import document

if TYPE_CHECKING:
    from store.services.knowledge.articles import ArticleView

LIMIT_MB = 256


class _Reading:
    """A whoosh searcher as `KnowledgeBase` reads it."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher

    def document(self, article_id: int) -> Stored | None:
        stored = self.searcher.document(id=str(article_id))
        if stored is None:
            return None
        return Stored(updated=stored.get("updated", ""), read_at=stored["read_at"],
                      fingerprint=stored.get("fingerprint"))

    def doc_count(self) -> int:
        return int(self.searcher.doc_count())

    def fingerprints(self) -> dict[int, str | None]:
        return {int(f["id"]): f.get("fingerprint")
                for _n, f in self.searcher.reader().iter_docs()}


class WhooshEngine:
    name = "whoosh"

    def __init__(self, *, lock_timeout: float) -> None:
        self.lock_timeout = lock_timeout
        self._schema = build_schema()
        self._queries = QueryReader()
        self._readers = Readers()

    def open(self, generation: Path) -> Reading:
        return _Reading(open_generation(generation).searcher())

    def release(self, reading: Reading) -> None:
        cast(_Reading, reading).searcher.close()

    def reader(self, generation: Path) -> Reading:
        return _Reading(self._readers.searcher(generation))

    def close(self) -> None:
        self._readers.close()

    def create(self, generation: Path, batches: Iterable[Sequence[ArticleView]],
               read_at: datetime) -> tuple[int, int]:
        ix = index.create_in(str(generation), self._schema)
        writer = ix.writer(timeout=self.lock_timeout, limitmb=LIMIT_MB)
        count = id_sum = 0
        try:
            for batch in batches:
                for article in batch:
                    writer.add_document(**document(article, read_at))
                    id_sum += article.id
                count += len(batch)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return count, id_sum

    def write(self, generation: Path, upserts: Sequence[ArticleView], deletes: Sequence[int],
              read_at: datetime) -> int:
        """One commit for the whole batch; the writer waits for whoosh's lock, never forever."""
        if not upserts and not deletes:
            return 0
        writer = open_generation(generation).writer(timeout=self.lock_timeout,
                                                    limitmb=LIMIT_MB)
        try:
            for doc_id in deletes:
                writer.delete_by_term("id", str(doc_id))
            for article in upserts:
                writer.update_document(**document(article, read_at))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return len(upserts) + len(deletes)

    def search(self, reading: Reading, text: str, limit: int, page: int) -> SearchResults:
        parsed = self._queries.parse(text)
        if parsed.is_empty:
            return SearchResults(query=text, page=page, limit=limit)
        return self._search(cast(_Reading, reading).searcher, text, parsed, limit, page)

    def _search(self, searcher: Searcher, text: str, parsed: ParsedQuery, limit: int,
                page: int) -> SearchResults:
        synonyms = _synonyms(searcher)
        q = self._queries.ranked(parsed, synonyms) or wq.Every()
        filters = (parsed.filter_query(), parsed.mask_query())
        wanted = page * limit + COLLAPSE_LOOKAHEAD
        results = top_hits(searcher, q, wanted, *filters)
        total = len(results)
        fixes = corrections(searcher, parsed)
        suggestion = fixes.suggestion_for(parsed.text, parsed.filter_text())
        corrected = typed_matched = False
        # The "did you mean" reading, when it scores clearly better than the words as typed
        # (always, when nothing matched as typed); else, with no match, every word fuzzily.
        if suggestion and parsed.words:
            alternative = self._queries.ranked(self._queries.parse(suggestion), synonyms)
            found = top_hits(searcher, alternative, wanted, *filters) if alternative else None
            if found is not None and len(found) and (
                    not total or _top_score(found) >= CLEARLY_BETTER * _top_score(results)):
                typed_matched = total > 0
                results, total, q, corrected = found, len(found), alternative, True
        if total == 0 and parsed.words and not corrected:
            fuzzy = self._queries.parse_fuzzy(parsed, fixes)
            found = top_hits(searcher, fuzzy, wanted, *filters) if fuzzy else None
            if found is not None and len(found):
                results, total, q, corrected = found, len(found), fuzzy, True
        terms = highlight_terms(searcher, q)
        every = list(results)
        fields = [hit.fields() for hit in every]
        kept, collapsed = collapse_duplicates(
            list(zip(every, fields, strict=True)),
            ((f.get("title", ""), f.get("body", "")) for f in fields))
        hits = [Hit(
            article_id=int(f["id"]), slug=f["slug"], title=f["title"],
            tags=[t for t in f.get("tag_list", "").split(",") if t],
            product=f.get("product_name") or None, score=round(hit.score or 0.0, 4),
            snippet=snippet(f.get("body", ""), terms),
        ) for hit, f in kept[(page - 1) * limit: page * limit]]
        return SearchResults(query=text, hits=hits, total=max(len(hits), total - collapsed),
                             page=page, limit=limit, suggestion=suggestion, corrected=corrected,
                             typed_matched=typed_matched)


def _synonyms(searcher: Searcher) -> Synonyms:
    """The built-in groups and those of articles tagged `synonyms`, read once per
    searcher (each thread has its own, and a new one comes with every commit)."""
    cached = searcher.__dict__.get("_salesbot_synonyms")
    if isinstance(cached, Synonyms):
        return cached
    bodies = [searcher.stored_fields(n).get("body", "")
              for n in searcher.document_numbers(tag=SYNONYMS_TAG)]
    synonyms = Synonyms(DEFAULT.groups + Synonyms.parse(bodies).groups) if bodies else DEFAULT
    searcher.__dict__["_salesbot_synonyms"] = synonyms
    return synonyms


def _top_score(results: Results) -> float:
    return float(results[0].score or 0.0) if len(results) else 0.0
