"""The starter knowledge base shipped for the demo: `knowledge/articles/*.md`."""

from __future__ import annotations

from pathlib import Path

from store.db import Store
from store.services.knowledge.articles import KnowledgeService
from store.services.knowledge.markdown_import import ImportSummary

STARTER_DIR = Path(__file__).resolve().parent / "articles"


def load_starter_articles(store: Store) -> ImportSummary | None:
    """Import the starter articles into an empty knowledge base; None when it had some."""
    service = KnowledgeService(store)
    if service.live_count():
        return None
    return service.import_markdown_dir(STARTER_DIR)
