"""Plain words are turned into the index query without whoosh's parser (knowledge/query.py,
for speed), so the query must be the one the parser makes of them; an abbreviation's other
form is searched in titles too. Real parser, real store, real index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.query import QueryReader
from store.db import Store
from store.services.knowledge.articles import KnowledgeService

WORDS = [
    "pricing objection", "how do I handle a pricing objection", "who approves a large discount",
    "what's a self-hosted instance", "follow-up cadence for the QBR", "PO", "the of a",
    "naïve café", "100% uptime SLA 2024", "e.g. c++ sdk", "Deal desk FAQs!", "x",
]


@pytest.mark.parametrize("text", WORDS)
def test_plain_words_make_the_query_the_parser_makes(text: str) -> None:
    reader = QueryReader()
    direct = reader.parse(text)
    parsed = reader._parse(direct.text)  # the parser itself, on the same words
    assert direct.query == parsed
    ranked = reader.ranked(direct)
    # the pair bonus: the parser's `"a b"~2` for each pair of words
    if ranked is not None and len(direct.words) > 1:
        for a, b in zip(direct.words, direct.words[1:], strict=False):
            phrase = reader._parse(f'"{a} {b}"~2')
            assert phrase is None or repr(phrase) in repr(ranked), (a, b)


@pytest.fixture
def kb(store: Store, tmp_path: Path) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase(store, tmp_path / "index", sync_interval=0)
    yield base
    base.close()


def test_a_long_form_finds_the_page_whose_title_abbreviates_it(
        kb: KnowledgeBase, store: Store, admin: int) -> None:
    articles = KnowledgeService(store)
    articles.create(admin, title="Deal desk FAQs",
                    body="Discount bands, non-standard terms and who approves them.")
    articles.create(admin, title="Deal desk",
                    body="Who the team is and how to reach them.")
    found = kb.search("deal desk frequently asked questions")
    assert found.hits[0].title == "Deal desk FAQs"
