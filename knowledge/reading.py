"""Reading an index generation: opened with a health check, one searcher per thread.

whoosh searchers are not thread-safe, so each thread keeps its own, replaced when the
generation changes or a commit made it stale. Segment files are memory-mapped (a third
faster on term lookups); a file truncated under a mapping would kill the process with
SIGBUS, so the sizes of a cached searcher's files are checked before it is used again:
shrunk files mean damage, and the caller rebuilds.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import collectors
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.index import Index
from whoosh.searching import Results, Searcher

from knowledge.storage import STATE, IndexUnusable

log = logging.getLogger(__name__)

USE_MMAP = True
_NOT_INDEX_FILES = (STATE, "MAIN_WRITELOCK")


def open_generation(generation: Path) -> Index:
    """Open a generation and read a little of every segment, so damage shows here."""
    try:
        ix = FileStorage(str(generation), supports_mmap=USE_MMAP).open_index()
        with ix.searcher() as searcher:
            for leaf, _offset in searcher.reader().leaf_readers():
                if leaf.doc_count_all():
                    leaf.stored_fields(leaf.doc_count_all() - 1)
                    next(iter(leaf.lexicon("id")), None)
                    leaf.doc_field_length(0, "body")
    except Exception as exc:  # whoosh reports damage as many error types
        raise IndexUnusable(f"{generation.name} cannot be read: {exc!r}") from exc
    return ix


def _file_sizes(generation: Path) -> dict[str, int]:
    with os.scandir(generation) as entries:
        return {e.name: e.stat().st_size for e in entries
                if e.is_file() and e.name not in _NOT_INDEX_FILES and not e.name.startswith(".")}


@dataclass
class _Reading:
    generation: Path | None = None
    index: Index | None = None
    searcher: Searcher | None = None
    sizes: dict[str, int] = field(default_factory=dict)

    def close(self) -> None:
        if self.searcher is not None:
            try:
                self.searcher.close()
            except Exception:  # closing a damaged reader may fail too; it is dropped anyway
                log.debug("closing a searcher failed", exc_info=True)
        self.generation, self.index, self.searcher, self.sizes = None, None, None, {}


class Readers:
    """Each thread's searcher on the live generation."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _reading(self) -> _Reading:
        reading = getattr(self._local, "reading", None)
        if reading is None:
            reading = self._local.reading = _Reading()
        return reading

    def searcher(self, generation: Path) -> Searcher:
        """This thread's searcher on GENERATION, as of its latest commit."""
        reading = self._reading()
        try:
            if reading.generation != generation or reading.searcher is None:
                reading.close()
                reading.index = open_generation(generation)
                reading.searcher = reading.index.searcher()
                reading.generation, reading.sizes = generation, _file_sizes(generation)
            elif self._shrunk(reading):
                raise IndexUnusable(f"{generation.name}: files shrank under an open searcher")
            elif not reading.searcher.up_to_date():
                # Not `Searcher.refresh()`: whoosh-reloaded 2.7.5 reuses the old reader of a
                # segment whose deletions changed (segments compare by id), so an edited
                # article would be found by its old words. A new searcher reads them afresh.
                assert reading.index is not None
                reading.searcher.close()
                reading.searcher = reading.index.searcher()
                reading.sizes = _file_sizes(generation)
        except IndexUnusable:
            reading.close()
            raise
        except Exception as exc:
            reading.close()
            raise IndexUnusable(f"{generation.name} cannot be refreshed: {exc!r}") from exc
        return reading.searcher

    @staticmethod
    def _shrunk(reading: _Reading) -> bool:
        assert reading.generation is not None
        now = _file_sizes(reading.generation)
        return any(name in now and now[name] < size for name, size in reading.sizes.items())

    def close(self) -> None:
        """Close this thread's searcher (other threads' close when they end)."""
        self._reading().close()


def top_hits(searcher: Searcher, q: wq.Query, limit: int, allow: wq.Query | None,
             restrict: wq.Query | None) -> Results:
    """The top LIMIT hits and an exact count, in one pass over the matches.

    whoosh's default collector skips blocks and swaps in pruned matchers, then runs the
    query a second time to count; results here always show their count, so one full
    pass is cheaper.
    """
    collector: collectors.Collector = collectors.TopCollector(limit, usequality=False,
                                                              replace=0)
    if allow is not None or restrict is not None:
        collector = collectors.FilterCollector(collector, allow, restrict)
    searcher.search_with_collector(q, collector)
    return collector.results()
