"""Knowledge-base articles in the store: admin-only writes, soft deletes, markdown import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge.starter import STARTER_DIR, load_starter_articles
from store.clock import ManualClock
from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed, NotFound
from store.models import AuditEntry
from store.services import Services
from store.services.knowledge.articles import KnowledgeService
from store.services.knowledge.fields import normalize_tags, slugify
from store.services.knowledge.markdown_import import ImportProblems, parse_markdown


@pytest.fixture
def kb(store: Store) -> KnowledgeService:
    return KnowledgeService(store)


@pytest.fixture
def rep(services: Services) -> int:
    return services.users.get_or_create("UREP", name="Alex Rivera").id


def test_admin_creates_reads_updates_and_soft_deletes(kb: KnowledgeService, admin: int,
                                                        clock: ManualClock) -> None:
    created = kb.create(admin, title="Handling pricing objections",
                        body="Ask *what* they compare against.", tags="Pricing, objection handling",
                        product="Platform")
    assert created.slug == "handling-pricing-objections"
    assert created.tags == ["pricing", "objection-handling"]
    assert kb.get(created.id) == kb.get("handling-pricing-objections") == kb.get(str(created.id))

    clock.advance(timedelta(minutes=5))
    updated = kb.update(admin, created.id, body="Trade, don't cave.", product="")
    assert updated.body == "Trade, don't cave.\n" and updated.product is None
    assert updated.updated_at == clock.now() > created.updated_at

    clock.advance(timedelta(minutes=5))
    deleted = kb.delete(admin, "handling-pricing-objections")
    assert deleted.deleted_at == clock.now() and deleted.updated_at == clock.now()
    with pytest.raises(NotFound):
        kb.get(created.id)
    changed = kb.stamps_since(created.updated_at)
    assert changed.stamps == [(created.id, clock.now(), True)]
    assert (changed.live_count, changed.live_id_sum) == (0, 0)
    assert kb.get_many([created.id, 999])[0].deleted_at == clock.now()
    with kb.store.transaction() as s:
        actions = list(s.scalars(select(AuditEntry.action)
                                 .where(AuditEntry.entity_type == "kb_article")
                                 .order_by(AuditEntry.id)))
    assert actions == ["kb_create", "kb_update", "kb_delete"]


def test_an_update_that_changes_nothing_keeps_updated_at(kb: KnowledgeService, admin: int,
                                                         clock: ManualClock) -> None:
    article = kb.create(admin, title="Discovery", body="Ask open questions.")
    clock.advance(timedelta(hours=1))
    same = kb.update(admin, article.id, title="Discovery", body="Ask open questions.")
    assert same.updated_at == article.updated_at


def test_only_admins_write(kb: KnowledgeService, admin: int, rep: int) -> None:
    with pytest.raises(NotAllowed):
        kb.create(rep, title="Mine", body="text")
    article = kb.create(admin, title="Theirs", body="text")
    with pytest.raises(NotAllowed):
        kb.update(rep, article.id, title="Changed")
    with pytest.raises(NotAllowed):
        kb.delete(rep, article.id)
    assert kb.get(article.id).title == "Theirs"


def test_slugs_are_unique(kb: KnowledgeService, admin: int) -> None:
    first = kb.create(admin, title="Renewal playbook", body="a")
    second = kb.create(admin, title="Renewal playbook!", body="b")
    assert (first.slug, second.slug) == ("renewal-playbook", "renewal-playbook-2")
    with pytest.raises(Conflict):
        kb.create(admin, title="Other", body="c", slug="renewal-playbook")
    with pytest.raises(InvalidInput):
        kb.create(admin, title="Other", body="c", slug="Not a slug!")


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": " ", "body": "x"}, "needs a title"),
    ({"title": "t", "body": "  \n"}, "needs a body"),
    ({"title": "t" * 301, "body": "x"}, "at most 300"),
    ({"title": "t", "body": "x", "tags": ["x" * 51]}, "longer than 50"),
])
def test_bad_input_is_refused(kb: KnowledgeService, admin: int, fields: dict,
                              message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        kb.create(admin, **fields)


def test_helpers() -> None:
    assert slugify("Quote approval — policy (2026)") == "quote-approval-policy-2026"
    assert normalize_tags(["Pricing", " pricing ", "Objection  Handling", ""]) == [
        "pricing", "objection-handling"]
    parsed = parse_markdown("# Heading title\n\nBody.", "some-file")
    assert (parsed.title, parsed.slug, parsed.tags) == ("Heading title", "some-file", [])
    assert parse_markdown("Just text.", "exit_criteria").title == "Exit criteria"


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_import_reads_front_matter_and_upserts_by_slug(kb: KnowledgeService, tmp_path: Path,
                                                        clock: ManualClock) -> None:
    _write(tmp_path, "pricing-objections.md",
           "---\ntitle: Handling pricing objections\ntags: [pricing, objections]\n"
           "product: Platform\n---\nAsk what they compare against.\n")
    _write(tmp_path, "discovery.md", "\ufeff---\r\ntags: discovery, questions\r\n---\r\n"
                                     "# Discovery questions\r\n\r\nAsk open questions.\r\n")
    first = kb.import_markdown_dir(tmp_path)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    article = kb.get("pricing-objections")
    assert (article.title, article.tags, article.product) == (
        "Handling pricing objections", ["pricing", "objections"], "Platform")
    assert kb.get("discovery").title == "Discovery questions"
    assert kb.get("discovery").tags == ["discovery", "questions"]

    clock.advance(timedelta(minutes=1))
    again = kb.import_markdown_dir(tmp_path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert kb.get("discovery").updated_at == article.updated_at

    _write(tmp_path, "discovery.md", "# Discovery questions\n\nAsk better questions.\n")
    changed = kb.import_markdown_dir(tmp_path)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert kb.get("discovery").updated_at == clock.now()


def test_import_restores_a_deleted_article(kb: KnowledgeService, admin: int,
                                           tmp_path: Path) -> None:
    _write(tmp_path, "renewals.md", "Renew early.")
    kb.import_markdown_dir(tmp_path)
    kb.delete(admin, "renewals")
    summary = kb.import_markdown_dir(tmp_path, author_id=admin)
    assert summary.updated == 1
    assert kb.get("renewals").deleted_at is None


def test_import_is_all_or_nothing(kb: KnowledgeService, tmp_path: Path) -> None:
    _write(tmp_path, "good.md", "---\ntitle: Good\n---\nFine.")
    _write(tmp_path, "bad-yaml.md", "---\ntitle: [unclosed\n---\nText.")
    _write(tmp_path, "unknown-key.md", "---\ntitel: Typo\n---\nText.")
    _write(tmp_path, "no-end.md", "---\ntitle: Open\nText.")
    _write(tmp_path, "empty.md", "---\ntitle: Empty\n---\n")
    with pytest.raises(ImportProblems) as caught:
        kb.import_markdown_dir(tmp_path)
    problems = caught.value.problems
    assert len(problems) == 4
    assert any("bad-yaml.md: front matter is not valid YAML" in p for p in problems)
    assert any("unknown-key.md: unknown front matter key(s) titel" in p for p in problems)
    assert any("no-end.md: front matter starts with '---'" in p for p in problems)
    assert any("empty.md: An article needs a body" in p for p in problems)
    assert kb.live_count() == 0


def test_import_refuses_a_missing_or_empty_folder(kb: KnowledgeService, tmp_path: Path,
                                                  rep: int) -> None:
    with pytest.raises(InvalidInput, match="not a folder"):
        kb.import_markdown_dir(tmp_path / "nope")
    with pytest.raises(InvalidInput, match=r"holds no \.md files"):
        kb.import_markdown_dir(tmp_path)
    _write(tmp_path, "a.md", "text")
    with pytest.raises(NotAllowed):
        kb.import_markdown_dir(tmp_path, author_id=rep)


def test_iter_live_pages_through_every_live_article(kb: KnowledgeService, admin: int) -> None:
    ids = [kb.create(admin, title=f"Article {n}", body="text").id for n in range(7)]
    kb.delete(admin, ids[3])
    batches = list(kb.iter_live(batch_size=3))
    assert [len(b) for b in batches] == [3, 3]
    assert [a.id for b in batches for a in b] == [i for i in ids if i != ids[3]]
    picked = [a.id for b in kb.iter_live(batch_size=2, ids=[ids[6], ids[0], ids[3]]) for a in b]
    assert picked == [ids[0], ids[6]]


def test_starter_articles_load_once_and_are_well_formed(store: Store,
                                                        kb: KnowledgeService) -> None:
    files = sorted(STARTER_DIR.glob("*.md"))
    assert 25 <= len(files) <= 40
    summary = load_starter_articles(store)
    assert summary is not None and summary.created == len(files)
    assert load_starter_articles(store) is None
    for article in kb.list(limit=100):
        words = len(article.body.split())
        assert 120 <= words <= 350, (article.slug, words)
        assert article.title and 2 <= len(article.tags) <= 6, article.slug
