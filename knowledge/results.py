"""What a search hands back: plain values, safe to pass to any thread or renderer."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SnippetPiece:
    text: str  # article text as written, not escaped for any renderer
    highlighted: bool = False  # one of the words the query matched


@dataclass(frozen=True)
class Snippet:
    """The fragment(s) of an article body a hit shows, in pieces: plain text with the
    matched words marked, so each renderer (Slack, a terminal) shows them its own way."""

    pieces: tuple[SnippetPiece, ...] = ()

    @property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)


@dataclass(frozen=True)
class Hit:
    article_id: int
    slug: str
    title: str
    tags: list[str]
    product: str | None
    score: float
    snippet: Snippet


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    limit: int = 5
    suggestion: str | None = None  # "did you mean", from the index's own words
    corrected: bool = False  # these hits are for the suggestion (or a fuzzy reading)
    # the words as typed matched too, but the suggestion scored clearly better
    typed_matched: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.limit)) if self.limit else 1

    @property
    def has_more(self) -> bool:
        return self.page * self.limit < self.total


@dataclass(frozen=True)
class Drift:
    """How an index differs from the store (all empty when it is correct)."""

    missing: list[int]
    stale: list[int]
    extra: list[int]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)
