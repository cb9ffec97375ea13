"""Switching `SALESBOT_KB_ENGINE` on an existing index folder: the next sync rebuilds it
for the new engine from the store (no manual step), and searching finds the same pages.
Real store, real indexes of both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from store.db import Store
from store.services.knowledge.articles import KnowledgeService


def _seed(store: Store, admin: int) -> None:
    articles = KnowledgeService(store)
    articles.create(admin, title="Purchase orders", tags=["finance"],
                    body="Ask the customer for a purchase order before invoicing.")
    articles.create(admin, title="Renewal playbook", tags=["renewals"],
                    body="Renewal reminders come 90, 60 and 30 days before the contract ends.")


@pytest.mark.parametrize(("first", "then"), [("whoosh", "fts5"), ("fts5", "whoosh")])
def test_switching_engine_rebuilds_the_index_by_itself(
        first: str, then: str, store: Store, admin: int, tmp_path: Path) -> None:
    _seed(store, admin)
    root = tmp_path / "index"
    before = KnowledgeBase(store, root, sync_interval=0, engine=first)
    assert [h.slug for h in before.search("PO").hits] == ["purchase-orders"]
    generation = before.folder.current()
    before.close()

    after = KnowledgeBase(store, root, sync_interval=0, engine=then)
    try:
        found = after.search("renwal reminders")
        assert [h.slug for h in found.hits] == ["renewal-playbook"]
        assert found.suggestion == "renewal reminders"
        assert [h.slug for h in after.search("PO").hits] == ["purchase-orders"]
        assert after.folder.current() != generation
        assert after.verify().ok
    finally:
        after.close()


def test_the_fts5_index_is_one_sqlite_file_per_generation(
        store: Store, admin: int, tmp_path: Path) -> None:
    _seed(store, admin)
    kb = KnowledgeBase(store, tmp_path / "index", sync_interval=0, engine="fts5")
    try:
        assert kb.sync() == 2
        files = sorted(p.name for p in kb.folder.current().iterdir())
        assert files == ["index.sqlite", "state.json"]
    finally:
        kb.close()


def test_an_unknown_engine_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SALESBOT_KB_ENGINE"):
        KnowledgeBase(store, tmp_path / "index", engine="lucene")
