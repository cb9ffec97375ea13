"""Which words a snippet marks, now that they are found with `str.find` on the body's
lowercase (knowledge/snippets.py): every form of a query word that stems like it, at the
start of a word only, and bodies whose lowercase is longer than they are (a dotted
capital I) still marked in the right place. Real store, real index, on each engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from store.db import Store
from store.services.knowledge.articles import KnowledgeService

pytestmark = pytest.mark.usefixtures("kb_engine")


@pytest.fixture
def kb(store: Store, tmp_path: Path) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase(store, tmp_path / "index", sync_interval=0)
    yield base
    base.close()


def _marked(kb: KnowledgeBase, query: str) -> list[str]:
    hits = kb.search(query).hits
    assert hits, query
    return [p.text for p in hits[0].snippet.pieces if p.highlighted]


def test_every_form_of_a_word_is_marked_and_nothing_inside_another_word(
        kb: KnowledgeBase, store: Store, admin: int) -> None:
    KnowledgeService(store).create(
        admin, title="Renewal desk",
        body="Renewals start early. A renewal quote, then renewing terms; non-renewal "
             "notices and prerenewal checks are another desk.")
    assert _marked(kb, "renewal") == ["Renewals", "renewal", "renewing", "renewal"]


def test_a_body_whose_lowercase_is_longer_is_marked_in_place(
        kb: KnowledgeBase, store: Store, admin: int) -> None:
    KnowledgeService(store).create(
        admin, title="Offices",
        body="The İzmir and İstanbul offices quote in lira; pricing questions go to the "
             "regional desk, and Pricing reviews happen monthly.")
    assert _marked(kb, "pricing") == ["pricing", "Pricing"]
