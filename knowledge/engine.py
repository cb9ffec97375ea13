"""What `KnowledgeBase` (knowledge/base.py) needs of a search engine, and what both
engines share: whoosh (knowledge/whoosh_engine.py) and SQLite FTS5 (knowledge/fts/).

`KnowledgeBase` keeps the generations, the sync mark and the write lock (storage.py) and
decides what to write; an engine only reads, writes and searches one generation.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from knowledge.results import SearchResults

if TYPE_CHECKING:
    from store.services.knowledge.articles import ArticleView

ENGINES = ("fts5", "whoosh")
DEFAULT_ENGINE = "fts5"
ENGINE_SETTING = "SALESBOT_KB_ENGINE"

# the corrected reading replaces the typed one when its best hit scores this much higher
CLEARLY_BETTER = 1.25
# near-duplicates dropped from a page are made up from this many hits looked at beyond it
COLLAPSE_LOOKAHEAD = 5
DUPLICATE_PREFIX = 200


def engine_name(name: str | None = None) -> str:
    """NAME, else `SALESBOT_KB_ENGINE`, else the default; refused when unknown."""
    chosen = (name or os.environ.get(ENGINE_SETTING) or DEFAULT_ENGINE).strip().lower()
    if chosen not in ENGINES:
        raise ValueError(f"{ENGINE_SETTING} must be one of {', '.join(ENGINES)}, not {chosen!r}")
    return chosen


@dataclass(frozen=True)
class Stored:
    """What the index holds of an article's version, for a sync to compare."""

    updated: str  # the article's updated_at, ISO
    read_at: str  # when it was read from the store, ISO
    fingerprint: str | None


class Reading(Protocol):
    """One reader's view of a generation (a whoosh searcher, an SQLite connection)."""

    def document(self, article_id: int) -> Stored | None: ...

    def doc_count(self) -> int: ...

    def fingerprints(self) -> dict[int, str | None]:
        """Every indexed article id and its fingerprint."""
        ...


class Engine(Protocol):
    name: str

    def open(self, generation: Path) -> Reading:
        """A fresh reader, checked to read cleanly (`IndexUnusable` if not); the caller
        closes it with `release`."""
        ...

    def release(self, reading: Reading) -> None: ...

    def reader(self, generation: Path) -> Reading:
        """This thread's reader on GENERATION, as of its latest commit."""
        ...

    def close(self) -> None:
        """Close this thread's reader."""
        ...

    def create(self, generation: Path, batches: Iterable[Sequence[ArticleView]],
               read_at: datetime) -> tuple[int, int]:
        """A new index in the empty GENERATION; returns the count and id sum indexed."""
        ...

    def write(self, generation: Path, upserts: Sequence[ArticleView], deletes: Sequence[int],
              read_at: datetime) -> int:
        """One commit for the batch; returns the documents written."""
        ...

    def search(self, reading: Reading, text: str, limit: int, page: int) -> SearchResults: ...


T = TypeVar("T")


def collapse_duplicates(hits: Sequence[T], title_and_body: Iterable[tuple[str, str]]
                           ) -> tuple[list[T], int]:
    """Hits without near-duplicates of a better one: the same title and the same opening
    (versions of one agreement, one page copied into two folders). Returns the hits kept
    and how many were dropped."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for hit, (title, body) in zip(hits, title_and_body, strict=True):
        key = (" ".join(title.lower().split()),
               " ".join(body[:DUPLICATE_PREFIX].lower().split()))
        if key in seen:
            continue
        seen.add(key)
        kept.append(hit)
    return kept, len(hits) - len(kept)
