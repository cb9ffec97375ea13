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
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from knowledge.engine import Engine, Reading, engine_name
from knowledge.results import Drift, SearchResults
from knowledge.storage import CURRENT, IndexBusy, IndexFolder, IndexUnusable, State
from knowledge.text import fingerprint
from store.db import Store
from store.services.knowledge.articles import ArticleStamp, ArticleView, KnowledgeService

log = logging.getLogger(__name__)

BATCH = 2000


@dataclass
class _Plan:
    """What a sync will write: articles to (re)index, ids to drop, the id-sum change, and
    the versions it found the index already holds (id → (updated_at, read at or after))."""

    upserts: list[ArticleView] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    id_delta: int = 0
    confirmed: dict[int, tuple[str, datetime]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.upserts and not self.deletes


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


def make_engine(name: str, *, lock_timeout: float) -> Engine:
    """The engine NAME (knowledge/engine.py), imported only when chosen."""
    if name == "whoosh":
        from knowledge.whoosh_engine import WhooshEngine

        return WhooshEngine(lock_timeout=lock_timeout)
    from knowledge.fts.engine import FtsEngine

    return FtsEngine()


class KnowledgeBase:
    def __init__(self, store: Store, index_dir: Path, *, sync_interval: float = 2.0,
                 lock_timeout: float = 120.0, search_lock_timeout: float = 0.5,
                 overlap: timedelta = timedelta(seconds=60), engine: str | None = None) -> None:
        """ENGINE: "fts5" or "whoosh" (default: `SALESBOT_KB_ENGINE`, else `DEFAULT_ENGINE`)."""
        self.store = store
        self.articles = KnowledgeService(store)
        self.folder = IndexFolder(Path(index_dir))
        self.sync_interval = sync_interval
        self.lock_timeout = lock_timeout
        self.search_lock_timeout = search_lock_timeout
        self.overlap = overlap
        self.engine = make_engine(engine_name(engine), lock_timeout=lock_timeout)
        self._confirmed: dict[int, tuple[str, datetime]] = {}
        self._confirmed_generation: Path | None = None
        self._sync_clock = threading.Lock()
        self._last_sync = -math.inf

    # -- reading the index ------------------------------------------------------------------

    def close(self) -> None:
        """Close this thread's reader (others close with their threads)."""
        self.engine.close()

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
            reading = self.engine.reader(generation)
        except IndexUnusable as exc:
            return self._recover(str(exc), damaged=generation)
        now = self.store.now()
        stamps = self.articles.stamps_since(state.mark)
        plan = self._plan(reading, generation, stamps.stamps, now)
        in_step = (stamps.live_count, stamps.live_id_sum) == (reading.doc_count(), state.id_sum)
        if plan.empty and in_step:
            self._remember(generation, plan)
            mark = _later(state.mark, now - self.overlap)
            if stamps.stamps and mark != state.mark:
                self._advance_mark(generation, mark)
            return 0
        with self.folder.write_lock(timeout):
            return self._sync_locked()

    def _plan(self, reading: Reading, generation: Path, stamps: list[ArticleStamp],
              now: datetime) -> _Plan:
        """Compare versions first and read an article's text only when its version is
        new to the index, or was stamped in the very second it was last read (a second
        edit in that second would carry the same stamp: the text has to be compared)."""
        known = self._confirmed if self._confirmed_generation == generation else {}
        plan = _Plan()
        to_read: dict[int, str | None] = {}  # id → fingerprint in the index (None: absent)
        absent: set[int] = set()
        for stamp in stamps:
            when = stamp.updated_at.isoformat()
            seen = known.get(stamp.id)
            if not stamp.deleted and seen and seen[0] == when and stamp.updated_at < seen[1]:
                plan.confirmed[stamp.id] = seen
                continue
            stored = reading.document(stamp.id)
            if stamp.deleted:
                if stored is not None:
                    plan.deletes.append(stamp.id)
                    plan.id_delta -= stamp.id
            elif stored is None:
                to_read[stamp.id] = None
                absent.add(stamp.id)
            elif stored.updated != when or stamp.updated_at >= datetime.fromisoformat(
                    stored.read_at):
                to_read[stamp.id] = stored.fingerprint
            else:
                plan.confirmed[stamp.id] = (when, datetime.fromisoformat(stored.read_at))
        for article in self.articles.get_many(to_read):
            if article.is_deleted:
                continue  # deleted since the stamps were read; the next sync drops it
            if fingerprint(article) == to_read[article.id]:
                plan.confirmed[article.id] = (article.updated_at.isoformat(), now)
            else:
                plan.upserts.append(article)
                plan.id_delta += article.id if article.id in absent else 0
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
            reading = self.engine.open(generation)
        except IndexUnusable as exc:
            log.warning("rebuilding the knowledge index: %s", exc)
            return self._rebuild_locked()
        now = self.store.now()
        stamps = self.articles.stamps_since(state.mark)
        try:
            plan = self._plan(reading, generation, stamps.stamps, now)
        finally:
            self.engine.release(reading)
        count = self.engine.write(generation, plan.upserts, plan.deletes, now)
        for article in plan.upserts:
            plan.confirmed[article.id] = (article.updated_at.isoformat(), now)
        id_sum = state.id_sum + plan.id_delta if state.id_sum is not None else None
        reading = self.engine.open(generation)
        try:
            indexed = reading.doc_count()
        finally:
            self.engine.release(reading)
        if id_sum is None or (indexed, id_sum) != (stamps.live_count, stamps.live_id_sum):
            written, id_sum = self._reconcile(generation, read_at=now)
            count += written
        self.folder.write_state(generation, State(mark=_later(state.mark, now - self.overlap),
                                                  id_sum=id_sum))
        self._remember(generation, plan)
        return count

    def _indexed(self, generation: Path) -> dict[int, str | None]:
        reading = self.engine.open(generation)
        try:
            return reading.fingerprints()
        finally:
            self.engine.release(reading)

    def _reconcile(self, generation: Path, *, read_at: datetime) -> tuple[int, int]:
        """Compare ids one by one, for rows removed outright or committed very late;
        returns the documents written and the id sum of the index afterwards."""
        live = self.articles.live_ids()
        indexed = set(self._indexed(generation))
        missing, extra = live - indexed, indexed - live
        upserts = [a for batch in self.articles.iter_live(ids=missing) for a in batch]
        written = self.engine.write(generation, upserts, sorted(extra), read_at)
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
            count, id_sum = self.engine.create(
                generation, self.articles.iter_live(batch_size=BATCH), started)
            self.folder.write_state(generation, State(mark=started - self.overlap,
                                                      id_sum=id_sum))
            self.folder.swap_in(generation)
        except BaseException:
            self.folder.discard(generation)
            raise
        log.info("knowledge index rebuilt: %d articles in %s", count, generation)
        return count

    def _reads_cleanly(self, generation: Path) -> bool:
        try:
            self.engine.release(self.engine.open(generation))
        except IndexUnusable:
            return False
        return True

    def _recover(self, reason: str, *, damaged: Path | None = None) -> int:
        """Rebuild, unless another writer already replaced the bad index while we waited."""
        with self.folder.write_lock(self.lock_timeout):
            try:
                generation = self.folder.current()
                if generation != damaged:
                    self.folder.read_state(generation)
                    self.engine.release(self.engine.open(generation))
                    return self._sync_locked()
            except IndexUnusable:
                pass
            fresh = not (self.folder.root / CURRENT).exists()
            log.log(logging.INFO if fresh else logging.WARNING,
                    "rebuilding the knowledge index: %s", reason)
            return self._rebuild_locked()

    def verify(self) -> Drift:
        """Every live article indexed with its current content, and nothing else."""
        indexed = self._indexed(self.folder.current())
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
        for attempt in (1, 2):
            generation: Path | None = None
            try:
                generation = self.folder.current()
                return self.engine.search(self.engine.reader(generation), query, limit, page)
            except IndexUnusable as exc:
                if attempt == 2:
                    raise
                reason = str(exc)
            except Exception as exc:
                # Damage inside index files can surface only mid-search. Rebuild when the
                # generation no longer reads cleanly; any other failure is not the index's.
                self.engine.close()
                if attempt == 2 or generation is None or self._reads_cleanly(generation):
                    raise
                reason = f"search failed: {exc!r}"
            self.engine.close()
            self._recover(reason, damaged=generation)
        raise AssertionError("unreachable")
