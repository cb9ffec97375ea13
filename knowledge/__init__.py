"""Full-text search over knowledge-base articles; the only package that imports whoosh.

The store holds the articles; each process keeps its own index folder caught up from it
(`KnowledgeBase.sync`), and rebuilds it from the store when it is missing or damaged.
Two engines (knowledge/engine.py): whoosh (whoosh_engine.py, the default) and SQLite FTS5
(fts/), chosen by `SALESBOT_KB_ENGINE`.
"""

from knowledge.base import KnowledgeBase
from knowledge.results import Drift, Hit, SearchResults, Snippet, SnippetPiece
from knowledge.storage import IndexBusy, IndexUnusable

__all__ = ["Drift", "Hit", "IndexBusy", "IndexUnusable", "KnowledgeBase", "SearchResults",
           "Snippet", "SnippetPiece"]
