"""Snippets as Slack shows them (issue 16): article text with `*`, `_`, `~` or a backtick
never turns into formatting, and markdown escapes read as the character. Real store, real
index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers.knowledge.snippets import snippet_mrkdwn
from knowledge import KnowledgeBase
from store.db import Store
from store.services.knowledge.articles import KnowledgeService

pytestmark = pytest.mark.usefixtures("kb_engine")  # on each search engine


@pytest.fixture
def kb(store: Store, tmp_path: Path) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase(store, tmp_path / "index", sync_interval=0)
    yield base
    base.close()


def test_a_literal_star_in_the_text_renders_without_stray_bold(
        kb: KnowledgeBase, store: Store, admin: int) -> None:
    KnowledgeService(store).create(
        admin, title="Seat orders",
        body="Prices marked * exclude VAT. A 5 * 12 seat order is one line; ~3 days to "
             "book, `net 30` terms, _draft_ quotes expire.\n\nUse the \\- sign for credits.")
    shown = snippet_mrkdwn(kb.search("seat order").hits[0].snippet)
    assert "*seat* *order*" in shown
    # the only `*` left are the two pairs around the matched words
    assert shown.replace("*seat*", "").replace("*order*", "").count("*") == 0
    for mark in ("~", "`"):
        assert mark not in shown
    assert "_draft_" not in shown

    credits = snippet_mrkdwn(kb.search("credits").hits[0].snippet)
    assert "the - sign for *credits*" in credits and "\\" not in credits
