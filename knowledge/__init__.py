"""Full-text search over knowledge-base articles; whoosh is imported only by its engine.

The store holds the articles; each process keeps its own index folder caught up from it
(`KnowledgeBase.sync`), and rebuilds it from the store when it is missing or damaged.
Two engines (knowledge/engine.py): SQLite FTS5 (fts/, the default) and whoosh
(whoosh_engine.py), chosen by `SALESBOT_KB_ENGINE`. On FTS5 nothing of whoosh is imported
but its Porter stemmer (`whoosh.lang.porter`, a module that imports nothing; text.py).

Start-up cost: each name below is imported from its module when first asked for (PEP 562),
so `from knowledge import Snippet` (the Slack rendering) or `knowledge.starter` (the demo's
articles) does not import the index with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.base import KnowledgeBase
    from knowledge.results import Drift, Hit, SearchResults, Snippet, SnippetPiece
    from knowledge.storage import IndexBusy, IndexUnusable

_HOMES = {"KnowledgeBase": "base", "Drift": "results", "Hit": "results",
          "SearchResults": "results", "Snippet": "results", "SnippetPiece": "results",
          "IndexBusy": "storage", "IndexUnusable": "storage"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"knowledge.{home}"), name)


__all__ = ["Drift", "Hit", "IndexBusy", "IndexUnusable", "KnowledgeBase", "SearchResults",
           "Snippet", "SnippetPiece"]
