"""Ranking that holds on real pages (issue 16): typos searched with their correction when
it scores clearly better, abbreviations meeting their long forms (built in, and extended by
admins with an article tagged `synonyms`), pages that say the words together first, and
near-duplicate pages collapsed. Real store, real index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from store.db import Store
from store.services import Services
from store.services.knowledge.articles import KnowledgeService

pytestmark = pytest.mark.usefixtures("kb_engine")  # on each search engine


@pytest.fixture
def articles(store: Store) -> KnowledgeService:
    return KnowledgeService(store)


@pytest.fixture
def kb(store: Store, tmp_path: Path) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase(store, tmp_path / "index", sync_interval=0)
    yield base
    base.close()


def _slugs(kb: KnowledgeBase, query: str) -> list[str]:
    return [h.slug for h in kb.search(query, limit=10).hits]


def test_a_typo_query_ranks_the_page_the_correction_would(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    articles.create(admin, title="Renewal playbook",
                    body="Renewal dates come 90, 60 and 30 days before the contract ends.")
    articles.create(admin, title="Dates and deadlines",
                    body="Quarter-end dates for bookings, and the dates finance closes.")
    articles.create(admin, title="Discovery questions", body="Ask about the timeline.")
    corrected = kb.search("renewal dates")
    assert corrected.hits[0].slug == "renewal-playbook"

    typed = kb.search("renwal dates")  # "dates" alone finds pages; "renwal" none
    assert typed.suggestion == "renewal dates"
    assert typed.corrected and typed.typed_matched
    assert [h.slug for h in typed.hits] == [h.slug for h in corrected.hits]


def test_abbreviations_meet_their_long_forms_and_admins_add_their_own(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    articles.create(admin, title="Invoicing",
                    body="Finance cannot invoice until the customer's purchase order arrives.")
    articles.create(admin, title="Quarterly planning", body="Plan the quarter with your manager.")
    articles.create(admin, title="Mutual action plans",
                    body="Agree the MAP with the champion before the proposal.")
    assert _slugs(kb, "PO missing")[0] == "invoicing"
    assert _slugs(kb, "who signs the po")[0] == "invoicing"
    assert _slugs(kb, "joint execution plan")[0] != "mutual-action-plans"

    articles.create(admin, title="Our abbreviations", tags=["synonyms"],
                    body="Words reps use for the same thing.\n\n"
                         "- MAP = joint execution plan = mutual action plan\n")
    found = _slugs(kb, "joint execution plan")  # the glossary itself matches too
    assert found.index("mutual-action-plans") < found.index("quarterly-planning")
    assert found.index("mutual-action-plans") <= 1


def test_pages_that_say_the_words_together_rank_first(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    articles.create(admin, title="Product catalogue", body=(
        "Our list of products is long. Each product has a price. " * 3
        + "Ask finance about the price of a custom product. Keep the list short."))
    articles.create(admin, title="Deal desk questions",
                    body="Where can I find our current list price? In the price book.")
    assert _slugs(kb, "list price")[0] == "deal-desk-questions"


def test_near_duplicate_pages_are_collapsed(kb: KnowledgeBase, articles: KnowledgeService,
                                            admin: int, services: Services) -> None:
    agreement = ("This Master Services Agreement governs the customer's use of the "
                 "platform, the order forms signed under it, the support terms, the service "
                 "levels and the data processing addendum, and it takes precedence over any "
                 "purchase order terms.\n\n")
    for year in (2021, 2022, 2023, 2024):
        articles.create(admin, title="Master services agreement",
                        body=agreement + f"Version of {year}.")
    articles.create(admin, title="Signing a master services agreement",
                    body="Legal reviews a customer's master services agreement in five days.")
    results = kb.search("master services agreement")
    titles = [h.title for h in results.hits]
    assert titles.count("Master services agreement") == 1
    assert "Signing a master services agreement" in titles
    assert results.total == 2


def test_the_page_named_for_the_query_beats_shorter_pages_that_mention_it(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int, kb_engine: str) -> None:
    """A known-item search: the handbook's long page titled for what the rep asks about
    ranks above a short page that merely says the words (FTS5's bm25 alone divides the
    title match by the whole page's length; the FTS5 engine re-ranks by title and slug)."""
    if kb_engine == "whoosh":
        pytest.xfail("whoosh's title boost still loses to a short page repeating the words")
    filler = ("Include the affected version, the steps that show the issue, and who "
              "found it. The team answers within two working days and keeps you posted. ")
    articles.create(admin, title="Reporting security vulnerabilities",
                    body="Email the security team when you find a vulnerability.\n\n"
                         + filler * 25)
    articles.create(admin, title="Vulnerability management process",
                    body="How we triage a security vulnerability someone reported: "
                         "we score each vulnerability, then fix it by its severity.")
    articles.create(admin, title="Security reviews",
                    body="Customers send security questionnaires; reporting on them is "
                         "the security team's job.")
    assert _slugs(kb, "reporting a security vulnerability") == [
        "reporting-security-vulnerabilities", "vulnerability-management-process",
        "security-reviews"]
