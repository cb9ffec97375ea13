"""The FTS5 engine's names (knowledge/fts/names.py): a page is found by its title even when
bm25 on its long body puts it behind every page that mentions the words, a title holds a
synonym group once however many of its forms it spells, and a plural names the group of
its singular. Real store, real FTS5 index, pages shaped like the handbook's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.fts import engine
from store.db import Store
from store.services.knowledge.articles import KnowledgeService


@pytest.fixture
def articles(store: Store) -> KnowledgeService:
    return KnowledgeService(store)


@pytest.fixture
def kb(store: Store, tmp_path: Path) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase(store, tmp_path / "index", sync_interval=0, engine="fts5")
    yield base
    base.close()


def _slugs(kb: KnowledgeBase, query: str) -> list[str]:
    return [h.slug for h in kb.search(query, limit=10).hits]


def _other_pages(articles: KnowledgeService, admin: int, count: int) -> None:
    """Pages about something else, so the query's words are rare in the handbook."""
    for n in range(count):
        articles.create(admin, title=f"Policy {n:03d}",
                        body=f"Expenses, travel and equipment, rule {n}: ask your manager first.")


def test_a_long_page_named_for_the_query_is_found_past_the_pages_bm25_prefers(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    """More short pages mention "customer calls" than the engine re-ranks by bm25, and
    bm25 ranks the long page titled for them below all of them; it still comes first."""
    _other_pages(articles, admin, 150)
    for n in range(engine.CANDIDATES + 5):
        articles.create(admin, title=f"Week {n:02d} account notes",
                        body=f"Week {n}: two customer calls with a prospect.")
    articles.create(admin, title="Joining customer calls",
                    body="New hires listen in before they run their own.\n\n"
                         + "Listen first; ask the account executive afterwards. " * 60)
    assert _slugs(kb, "sitting in on customer calls")[0] == "joining-customer-calls"


def test_a_title_spelling_a_synonym_twice_holds_it_once(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    """"Professional Services (PS)" names professional services once, not once for the
    words and again for the abbreviation: the offerings page, which says what is sold,
    comes first."""
    _other_pages(articles, admin, 40)
    articles.create(admin, title="Professional Services (PS)",
                    body="The PS team runs implementations. PS works with the TA and the "
                         "CE on every PS engagement, and PS reports to technical success.")
    articles.create(admin, title="Professional Services Offerings",
                    body="What we sell: the professional services packages, each a fixed "
                         "number of days, sold with the licence.")
    assert _slugs(kb, "what professional services we sell") == [
        "professional-services-offerings", "professional-services-ps"]


def test_a_plural_names_the_synonym_group_of_its_singular(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    """"customer engineers" is the CE of a title as much as "customer engineer" is."""
    _other_pages(articles, admin, 40)
    articles.create(admin, title="Support FAQ for CE",
                    body="How support works: the queue, the rotation, the escalation.")
    articles.create(admin, title="Support workflow",
                    body="How support works: a ticket comes in, is triaged and is answered.")
    assert _slugs(kb, "how support works for customer engineers") == [
        "support-faq-for-ce", "support-workflow"]


def test_the_pages_named_for_the_query_still_obey_its_filters_and_exclusions(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    """The named candidates are scored by the same statement as the rest: a `tag:` filter
    or a `-word` leaves them out as it leaves out any page."""
    _other_pages(articles, admin, 150)
    for n in range(engine.CANDIDATES + 5):
        articles.create(admin, title=f"Week {n:02d} account notes", tags=["notes"],
                        body=f"Week {n}: two customer calls with a prospect.")
    articles.create(admin, title="Joining customer calls",
                    body="New hires listen in before they run their own.\n\n"
                         + "Listen first; ask the account executive afterwards. " * 60)
    assert _slugs(kb, "customer calls")[0] == "joining-customer-calls"
    filtered = _slugs(kb, "tag:notes customer calls")
    excluded = _slugs(kb, "customer calls -joining")
    assert len(filtered) == len(excluded) == 10
    assert "joining-customer-calls" not in filtered + excluded
