"""`KnowledgeBase`: one process's search index over the store's articles, kept caught up.

Catching up (`sync`) reads the rows whose `updated_at` is at or after the folder's mark,
re-indexes those whose content changed, drops deleted ones, and moves the mark to "now
minus an overlap". The overlap covers transactions that committed a little after they
stamped their rows, several edits within one clock second, and clocks of different hosts
that disagree by less than it. When the live count and id sum of the store and of the
index differ (a row removed outright, a commit later than the overlap), ids are reconciled.

All writing goes through one path under the folder's write lock; every batch is one
commit. Searchers are opened per thread and replaced after commits, never shared.
A missing, unreadable or outdated index is rebuilt from the store into a new generation.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from whoosh import index
from whoosh import query as wq
from whoosh.searching import Hit as Hit_
from whoosh.searching import Results, Searcher

from knowledge.query import ParsedQuery, QueryReader, corrections, highlight_terms
from knowledge.reading import Readers, open_generation, top_hits
from knowledge.results import Drift, Hit, SearchResults
from knowledge.schema import build_schema, document, fingerprint
from knowledge.snippets import snippet
from knowledge.storage import CURRENT, IndexBusy, IndexFolder, IndexUnusable, State
from knowledge.synonyms import DEFAULT, SYNONYMS_TAG, Synonyms
from store.db import Store
from store.services.knowledge.articles import ArticleStamp, ArticleView, KnowledgeService

log = logging.getLogger(__name__)

BATCH = 2000


@dataclass
class _Plan:
    """What a sync will write: articles to (re)index, ids to drop, the id-sum change, and
    the versions it found the index already holds (id → (updated_at, read at or after))."""

    upserts: list[ArticleView] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    id_delta: int = 0
    confirmed: dict[int, tuple[str, datetime]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.upserts and not self.deletes


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


def _reads_cleanly(generation: Path) -> bool:
    try:
        open_generation(generation)
    except IndexUnusable:
        return False
    return True


class KnowledgeBase:
    def __init__(self, store: Store, index_dir: Path, *, sync_interval: float = 2.0,
                 lock_timeout: float = 120.0, search_lock_timeout: float = 0.5,
                 overlap: timedelta = timedelta(seconds=60)) -> None:
        self.store = store
        self.articles = KnowledgeService(store)
        self.folder = IndexFolder(Path(index_dir))
        self.sync_interval = sync_interval
        self.lock_timeout = lock_timeout
        self.search_lock_timeout = search_lock_timeout
        self.overlap = overlap
        self._schema = build_schema()
        self._queries = QueryReader()
        self._readers = Readers()
        self._confirmed: dict[int, tuple[str, datetime]] = {}
        self._confirmed_generation: Path | None = None
        self._sync_clock = threading.Lock()
        self._last_sync = -math.inf

    # -- reading the index ------------------------------------------------------------------

    def close(self) -> None:
        """Close this thread's searcher (others close with their threads)."""
        self._readers.close()

    # -- catching up ------------------------------------------------------------------------

    def sync(self, *, timeout: float | None = None) -> int:
        """Catch up with the store; returns how many documents were added, changed or removed.

        Cheap when nothing changed: one small query and no lock. A missing or damaged
        index is rebuilt (that returns the number of documents indexed).
        """
        timeout = self.lock_timeout if timeout is None else timeout
        generation: Path | None = None
        try:
            generation = self.folder.current()
            state = self.folder.read_state(generation)
            searcher = self._readers.searcher(generation)
        except IndexUnusable as exc:
            return self._recover(str(exc), damaged=generation)
        now = self.store.now()
        stamps = self.articles.stamps_since(state.mark)
        plan = self._plan(searcher, generation, stamps.stamps, now)
        in_step = (stamps.live_count, stamps.live_id_sum) == (searcher.doc_count(), state.id_sum)
        if plan.empty and in_step:
            self._remember(generation, plan)
            mark = _later(state.mark, now - self.overlap)
            if stamps.stamps and mark != state.mark:
                self._advance_mark(generation, mark)
            return 0
        with self.folder.write_lock(timeout):
            return self._sync_locked()

    def _plan(self, searcher: Searcher, generation: Path, stamps: list[ArticleStamp],
              now: datetime) -> _Plan:
        """Compare versions first and read an article's text only when its version is
        new to the index, or was stamped in the very second it was last read (a second
        edit in that second would carry the same stamp: the text has to be compared)."""
        known = self._confirmed if self._confirmed_generation == generation else {}
        plan = _Plan()
        to_read: dict[int, str | None] = {}  # id → fingerprint in the index (None: absent)
        for stamp in stamps:
            when = stamp.updated_at.isoformat()
            seen = known.get(stamp.id)
            if not stamp.deleted and seen and seen[0] == when and stamp.updated_at < seen[1]:
                plan.confirmed[stamp.id] = seen
                continue
            stored = searcher.document(id=str(stamp.id))
            if stamp.deleted:
                if stored is not None:
                    plan.deletes.append(str(stamp.id))
                    plan.id_delta -= stamp.id
            elif stored is None or stored.get("updated") != when:
                to_read[stamp.id] = stored.get("fingerprint") if stored else None
            elif stamp.updated_at >= datetime.fromisoformat(stored["read_at"]):
                to_read[stamp.id] = stored.get("fingerprint")
            else:
                plan.confirmed[stamp.id] = (when, datetime.fromisoformat(stored["read_at"]))
        for article in self.articles.get_many(to_read):
            if article.is_deleted:
                continue  # deleted since the stamps were read; the next sync drops it
            if fingerprint(article) == to_read[article.id]:
                plan.confirmed[article.id] = (article.updated_at.isoformat(), now)
            else:
                plan.upserts.append(article)
                plan.id_delta += article.id if to_read[article.id] is None else 0
        return plan

    def _remember(self, generation: Path, plan: _Plan) -> None:
        """Keep the versions confirmed in the window, so the next sync need not look again."""
        self._confirmed, self._confirmed_generation = plan.confirmed, generation

    def _advance_mark(self, generation: Path, mark: datetime) -> None:
        """Narrow the window of rows looked over on every sync, if no writer is busy."""
        try:
            with self.folder.write_lock(0):
                if self.folder.current() == generation:
                    current = self.folder.read_state(generation)
                    self.folder.write_state(generation, State(mark=_later(current.mark, mark),
                                                              id_sum=current.id_sum))
        except (IndexBusy, IndexUnusable):
            pass

    def _sync_locked(self) -> int:
        try:
            generation = self.folder.current()
            state = self.folder.read_state(generation)
            ix = open_generation(generation)
        except IndexUnusable as exc:
            log.warning("rebuilding the knowledge index: %s", exc)
            return self._rebuild_locked()
        now = self.store.now()
        stamps = self.articles.stamps_since(state.mark)
        with ix.searcher() as searcher:
            plan = self._plan(searcher, generation, stamps.stamps, now)
        count = self._write(ix, plan.upserts, plan.deletes, read_at=now)
        for article in plan.upserts:
            plan.confirmed[article.id] = (article.updated_at.isoformat(), now)
        id_sum = state.id_sum + plan.id_delta if state.id_sum is not None else None
        with ix.searcher() as searcher:
            indexed = searcher.doc_count()
        if id_sum is None or (indexed, id_sum) != (stamps.live_count, stamps.live_id_sum):
            written, id_sum = self._reconcile(ix, read_at=now)
            count += written
        self.folder.write_state(generation, State(mark=_later(state.mark, now - self.overlap),
                                                  id_sum=id_sum))
        self._remember(generation, plan)
        return count

    def _write(self, ix: index.Index, upserts: list[ArticleView], deletes: Iterable[str],
               *, read_at: datetime) -> int:
        """One commit for the whole batch; the writer waits for whoosh's lock, never forever."""
        deletes = list(deletes)
        if not upserts and not deletes:
            return 0
        writer = ix.writer(timeout=self.lock_timeout, limitmb=256)
        try:
            for doc_id in deletes:
                writer.delete_by_term("id", doc_id)
            for article in upserts:
                writer.update_document(**document(article, read_at))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return len(upserts) + len(deletes)

    def _reconcile(self, ix: index.Index, *, read_at: datetime) -> tuple[int, int]:
        """Compare ids one by one, for rows removed outright or committed very late;
        returns the documents written and the id sum of the index afterwards."""
        live = self.articles.live_ids()
        with ix.searcher() as searcher:
            indexed = {int(fields["id"]) for _n, fields in searcher.reader().iter_docs()}
        missing, extra = live - indexed, indexed - live
        upserts = [a for batch in self.articles.iter_live(ids=missing) for a in batch]
        written = self._write(ix, upserts, (str(i) for i in sorted(extra)), read_at=read_at)
        return written, sum(indexed - extra) + sum(a.id for a in upserts)

    # -- rebuilding -------------------------------------------------------------------------

    def rebuild(self, *, timeout: float | None = None) -> int:
        """Index every live article into a new generation and swap it in; returns the count."""
        with self.folder.write_lock(self.lock_timeout if timeout is None else timeout):
            return self._rebuild_locked()

    def _rebuild_locked(self) -> int:
        started = self.store.now()
        generation = self.folder.new_generation()
        try:
            ix = index.create_in(str(generation), self._schema)
            writer = ix.writer(timeout=self.lock_timeout, limitmb=256)
            count = id_sum = 0
            try:
                for batch in self.articles.iter_live(batch_size=BATCH):
                    for article in batch:
                        writer.add_document(**document(article, started))
                        id_sum += article.id
                    count += len(batch)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            self.folder.write_state(generation, State(mark=started - self.overlap,
                                                      id_sum=id_sum))
            self.folder.swap_in(generation)
        except BaseException:
            self.folder.discard(generation)
            raise
        log.info("knowledge index rebuilt: %d articles in %s", count, generation)
        return count

    def _recover(self, reason: str, *, damaged: Path | None = None) -> int:
        """Rebuild, unless another writer already replaced the bad index while we waited."""
        with self.folder.write_lock(self.lock_timeout):
            try:
                generation = self.folder.current()
                if generation != damaged:
                    self.folder.read_state(generation)
                    open_generation(generation)
                    return self._sync_locked()
            except IndexUnusable:
                pass
            fresh = not (self.folder.root / CURRENT).exists()
            log.log(logging.INFO if fresh else logging.WARNING,
                    "rebuilding the knowledge index: %s", reason)
            return self._rebuild_locked()

    def verify(self) -> Drift:
        """Every live article indexed with its current content, and nothing else."""
        generation = self.folder.current()
        with open_generation(generation).searcher() as searcher:
            indexed = {int(f["id"]): f.get("fingerprint")
                       for _n, f in searcher.reader().iter_docs()}
        missing: list[int] = []
        stale: list[int] = []
        live: set[int] = set()
        for batch in self.articles.iter_live(batch_size=BATCH):
            for article in batch:
                live.add(article.id)
                if article.id not in indexed:
                    missing.append(article.id)
                elif indexed[article.id] != fingerprint(article):
                    stale.append(article.id)
        return Drift(missing=missing, stale=stale, extra=sorted(set(indexed) - live))

    # -- searching --------------------------------------------------------------------------

    def _maybe_sync(self) -> None:
        now = time.monotonic()
        with self._sync_clock:
            due = now - self._last_sync >= self.sync_interval
            if due:
                self._last_sync = now
        if due:
            try:
                self.sync(timeout=self.search_lock_timeout)
            except IndexBusy:
                log.info("knowledge index busy; searching without catching up first")

    def search(self, query: str, *, limit: int = 5, page: int = 1) -> SearchResults:
        limit, page = max(1, min(limit, 50)), max(1, page)
        self._maybe_sync()
        parsed = self._queries.parse(query)
        if parsed.is_empty:
            return SearchResults(query=query, page=page, limit=limit)
        for attempt in (1, 2):
            generation: Path | None = None
            try:
                generation = self.folder.current()
                return self._search(self._readers.searcher(generation), query, parsed, limit, page)
            except IndexUnusable as exc:
                if attempt == 2:
                    raise
                reason = str(exc)
            except Exception as exc:
                # Damage inside segment files can surface only mid-search. Rebuild when the
                # generation no longer reads cleanly; any other failure is not the index's.
                self._readers.close()
                if attempt == 2 or generation is None or _reads_cleanly(generation):
                    raise
                reason = f"search failed: {exc!r}"
            self._readers.close()
            self._recover(reason, damaged=generation)
        raise AssertionError("unreachable")

    def _search(self, searcher: Searcher, text: str, parsed: ParsedQuery, limit: int,
                page: int) -> SearchResults:
        synonyms = self._synonyms(searcher)
        q = self._queries.ranked(parsed, synonyms) or wq.Every()
        filters = (parsed.filter_query(), parsed.mask_query())
        wanted = page * limit + COLLAPSE_LOOKAHEAD
        results = top_hits(searcher, q, wanted, *filters)
        total = len(results)
        fixes = corrections(searcher, parsed)
        suggestion = fixes.suggestion(parsed)
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
        kept, collapsed = _collapse_duplicates(list(results))
        hits = []
        for hit in kept[(page - 1) * limit: page * limit]:
            fields = hit.fields()
            hits.append(Hit(
                article_id=int(fields["id"]), slug=fields["slug"], title=fields["title"],
                tags=[t for t in fields.get("tag_list", "").split(",") if t],
                product=fields.get("product_name") or None, score=round(hit.score or 0.0, 4),
                snippet=snippet(fields.get("body", ""), terms),
            ))
        return SearchResults(query=text, hits=hits, total=max(len(hits), total - collapsed),
                             page=page, limit=limit, suggestion=suggestion, corrected=corrected,
                             typed_matched=typed_matched)

    @staticmethod
    def _synonyms(searcher: Searcher) -> Synonyms:
        """The built-in groups and those of articles tagged `synonyms`, read once per
        searcher (each thread has its own, and a new one comes with every commit)."""
        cached = searcher.__dict__.get("_salesbot_synonyms")
        if isinstance(cached, Synonyms):
            return cached
        bodies = [searcher.stored_fields(n).get("body", "")
                  for n in searcher.document_numbers(tag=SYNONYMS_TAG)]
        synonyms = Synonyms(DEFAULT.groups + Synonyms.parse(bodies).groups) if bodies \
            else DEFAULT
        searcher.__dict__["_salesbot_synonyms"] = synonyms
        return synonyms


# the corrected reading replaces the typed one when its best hit scores this much higher
CLEARLY_BETTER = 1.25
# near-duplicates dropped from a page are made up from this many hits looked at beyond it
COLLAPSE_LOOKAHEAD = 5
_DUPLICATE_PREFIX = 200


def _top_score(results: Results) -> float:
    return float(results[0].score or 0.0) if len(results) else 0.0


def _collapse_duplicates(hits: list[Hit_]) -> tuple[list[Hit_], int]:
    """Hits without near-duplicates of a better one: the same title and the same opening
    (versions of one agreement, one page copied into two folders). Returns the hits kept
    and how many were dropped."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for hit in hits:
        fields = hit.fields()
        key = (" ".join(fields.get("title", "").lower().split()),
               " ".join(fields.get("body", "")[:_DUPLICATE_PREFIX].lower().split()))
        if key in seen:
            continue
        seen.add(key)
        kept.append(hit)
    return kept, len(hits) - len(kept)
