"""The search index: caught up from the store, rebuilt when damaged, safe with many writers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from handlers.knowledge.snippets import snippet_mrkdwn
from knowledge import IndexBusy, KnowledgeBase
from knowledge.storage import CURRENT, STATE
from knowledge.text import plain_text
from store.clock import ManualClock
from store.db import Store
from store.models import KnowledgeArticle
from store.services.knowledge.articles import ArticleView, KnowledgeService

CHECKOUT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.usefixtures("kb_engine")  # on each search engine


@pytest.fixture
def articles(store: Store) -> KnowledgeService:
    return KnowledgeService(store)


@pytest.fixture
def kb(store: Store, tmp_path: Path) -> Iterator[KnowledgeBase]:
    base = KnowledgeBase(store, tmp_path / "index", sync_interval=0)
    yield base
    base.close()


def _seed(articles: KnowledgeService, admin: int) -> dict[str, ArticleView]:
    return {
        "pricing": articles.create(
            admin, title="Handling pricing objections", tags=["pricing", "objections"],
            product="Platform",
            body="When a buyer says it is too expensive, ask what they compare against.\n\n"
                 "Trade a discount for a longer term. Zebra stripes are memorable."),
        "renewals": articles.create(
            admin, title="Renewal playbook", tags=["renewals"],
            body="Renewal reminders come 90, 60 and 30 days before the contract ends."),
        "security": articles.create(
            admin, title="Security suite", tags=["security", "sso"], product="Security",
            body="Single sign-on, audit logs & <IP allow-lists> for regulated buyers."),
        "discovery": articles.create(
            admin, title="Discovery questions", tags=["discovery"],
            body="Ask about the situation today, the cost of the problem and the timeline."),
    }


def _slugs(kb: KnowledgeBase, query: str, **kwargs: int) -> list[str]:
    return [hit.slug for hit in kb.search(query, **kwargs).hits]


# -- catching up --------------------------------------------------------------------------------

def test_two_index_dirs_fed_by_one_database_catch_up_with_edits_and_deletions(
        store: Store, database_url: str, clock: ManualClock, articles: KnowledgeService,
        admin: int, tmp_path: Path) -> None:
    seeded = _seed(articles, admin)
    other_store = Store(database_url, clock)  # another process, its own connections
    first = KnowledgeBase(store, tmp_path / "one", sync_interval=0)
    second = KnowledgeBase(other_store, tmp_path / "two", sync_interval=0)
    try:
        for base in (first, second):
            assert base.sync() == 4
            assert _slugs(base, "zebra") == ["handling-pricing-objections"]

        clock.advance(timedelta(minutes=10))
        articles.update(admin, seeded["pricing"].id,
                        body="When a buyer says it is too expensive, trade, never give. "
                             "Giraffes see further.")
        articles.delete(admin, seeded["renewals"].id)
        for base in (first, second):
            assert base.sync() == 2
            assert _slugs(base, "giraffe") == ["handling-pricing-objections"]
            assert _slugs(base, "zebra") == []
            assert _slugs(base, "renewal reminders") == []
            assert base.verify().ok
            assert base.sync() == 0
    finally:
        first.close()
        second.close()
        other_store.dispose()


def test_an_edit_in_the_same_second_as_the_last_sync_is_not_missed(
        kb: KnowledgeBase, clock: ManualClock, articles: KnowledgeService, admin: int) -> None:
    seeded = _seed(articles, admin)
    kb.sync()
    # same second as the sync's read: the stamp does not change, only the text does
    articles.update(admin, seeded["discovery"].id, title="Discovery questions for pilots")
    clock.advance(timedelta(seconds=10))
    assert kb.sync() == 1
    assert _slugs(kb, "pilots") == ["discovery-questions"]


def test_versions_once_confirmed_are_not_read_again(
        kb: KnowledgeBase, clock: ManualClock, articles: KnowledgeService, admin: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(articles, admin)
    kb.sync()  # indexed in the second they were stamped: their text is compared once more
    clock.advance(timedelta(seconds=5))
    read: list[set[int]] = []
    get_many = kb.articles.get_many
    monkeypatch.setattr(kb.articles, "get_many", lambda ids: read.append(set(ids))
                        or get_many(ids))
    assert kb.sync() == 0 and len(read[-1]) == 4
    assert kb.sync() == 0 and read[-1] == set()  # still in the overlap, but known
    edited = articles.update(admin, _slugs_to_id(kb, "zebra"), body="Only okapis now.")
    clock.advance(timedelta(seconds=5))
    assert kb.sync() == 1 and read[-1] == {edited.id}


def _slugs_to_id(kb: KnowledgeBase, query: str) -> int:
    return kb.search(query).hits[0].article_id


def test_search_catches_up_by_itself_at_most_every_interval(
        store: Store, articles: KnowledgeService, admin: int, tmp_path: Path) -> None:
    _seed(articles, admin)
    lazy = KnowledgeBase(store, tmp_path / "lazy", sync_interval=3600)
    try:
        assert _slugs(lazy, "zebra") == ["handling-pricing-objections"]  # first search syncs
        articles.create(admin, title="Okapi facts", body="Okapis are shy.")
        assert _slugs(lazy, "okapi") == []  # within the interval: no catching up
        lazy.sync()
        assert _slugs(lazy, "okapi") == ["okapi-facts"]
    finally:
        lazy.close()


def test_late_commits_and_rows_removed_outright_are_caught(
        kb: KnowledgeBase, store: Store, clock: ManualClock, articles: KnowledgeService,
        admin: int) -> None:
    seeded = _seed(articles, admin)
    kb.sync()
    clock.advance(timedelta(minutes=30))
    kb.sync()  # the mark is now 29 minutes after the seed
    late = articles.create(admin, title="Late commit", body="Stamped before it committed.")
    older = articles.create(admin, title="Much later commit", body="An hour-long transaction.")
    with store.transaction() as s:
        s.execute(update(KnowledgeArticle).where(KnowledgeArticle.id == late.id)
                  .values(updated_at=clock.now() - timedelta(seconds=30)))
        s.execute(update(KnowledgeArticle).where(KnowledgeArticle.id == older.id)
                  .values(updated_at=clock.now() - timedelta(hours=1)))
        s.execute(delete(KnowledgeArticle).where(KnowledgeArticle.id == seeded["security"].id))
    kb.sync()
    assert _slugs(kb, "stamped") == ["late-commit"]
    assert _slugs(kb, "transaction") == ["much-later-commit"]
    assert _slugs(kb, "audit logs") == []
    assert kb.verify().ok


def test_nothing_changed_costs_no_lock_and_no_commit(
        kb: KnowledgeBase, clock: ManualClock, articles: KnowledgeService, admin: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(articles, admin)
    kb.sync()
    clock.advance(timedelta(minutes=5))
    assert kb.sync() == 0  # moves the mark past the seed
    generation = kb.folder.current()
    tocs = sorted(p.name for p in generation.glob("*.toc"))

    def no_lock(timeout: float) -> None:
        raise AssertionError("a sync with nothing to do took the write lock")

    monkeypatch.setattr(kb.folder, "write_lock", no_lock)
    assert kb.sync() == 0
    assert sorted(p.name for p in generation.glob("*.toc")) == tocs


# -- searching ----------------------------------------------------------------------------------

def test_search_reads_like_people_ask(kb: KnowledgeBase, articles: KnowledgeService,
                                      admin: int) -> None:
    _seed(articles, admin)
    assert _slugs(kb, "how do I handle a pricing objection?")[0] == "handling-pricing-objections"
    assert _slugs(kb, '"contract ends"') == ["renewal-playbook"]
    assert kb.search('"contract ends"').corrected is False
    assert _slugs(kb, "disc*") == ["discovery-questions", "handling-pricing-objections"]
    assert _slugs(kb, "tag:renewals") == ["renewal-playbook"]
    assert _slugs(kb, "product:platform discount") == ["handling-pricing-objections"]
    assert _slugs(kb, "product:security discount") == []
    assert _slugs(kb, 'tags:"sso" buyers') == ["security-suite"]
    assert "handling-pricing-objections" not in _slugs(kb, "buyer -tag:pricing")
    assert _slugs(kb, "buyer -tag:pricing") == ["security-suite"]
    assert kb.search("how do I").hits == []  # nothing but stop words
    assert kb.search("   ").total == 0


def test_titles_and_tags_weigh_more_than_bodies(kb: KnowledgeBase, articles: KnowledgeService,
                                                admin: int) -> None:
    articles.create(admin, title="Onboarding timeline", body="Kickoff, configuration, go-live.")
    articles.create(admin, title="Kickoff agenda", tags=["meetings"],
                    body="Mention the onboarding timeline once and move on to introductions.")
    assert _slugs(kb, "onboarding timeline")[0] == "onboarding-timeline"


def test_typos_get_a_suggestion_and_a_corrected_search(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    _seed(articles, admin)
    # "objection" alone still finds something, but the suggestion scores clearly better,
    # so it is searched instead (issue 16)
    results = kb.search("pricng objection")
    assert results.suggestion == "pricing objection" and results.corrected
    assert results.typed_matched
    assert results.hits[0].slug == "handling-pricing-objections"

    both = kb.search("pricng objecton")  # nothing as typed: the suggestion is searched
    assert both.suggestion == "pricing objections" and both.corrected  # words it holds
    assert both.hits[0].slug == "handling-pricing-objections"

    fuzzy = kb.search("renwal tag:renewals")
    assert fuzzy.suggestion == "renewal tag:renewals"
    assert fuzzy.corrected and fuzzy.hits[0].slug == "renewal-playbook"
    assert "*Renewal*" in snippet_mrkdwn(fuzzy.hits[0].snippet)

    loose = kb.search('"audit regulated"')  # no such phrase: its words, loosely
    assert loose.suggestion is None and loose.corrected
    assert [h.slug for h in loose.hits] == ["security-suite"]

    exact = kb.search("renewal reminders")
    assert exact.suggestion is None and not exact.corrected

    assert kb.search("qwxzvbn").hits == []


def test_snippets_are_escaped_before_they_are_highlighted(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    _seed(articles, admin)
    hit = kb.search("audit logs").hits[0]
    assert hit.slug == "security-suite"
    assert snippet_mrkdwn(hit.snippet) == ("Single sign-on, *audit* *logs* &amp; "
                                           "&lt;IP allow-lists&gt; for regulated buyers.")
    assert hit.title == "Security suite" and hit.tags == ["security", "sso"]
    assert hit.product == "Security" and hit.score > 0


def test_results_are_paged(kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    for n in range(7):
        articles.create(admin, title=f"Battlecard {n}", body=f"Competitor number {n}.")
    first = kb.search("battlecard", limit=3)
    second = kb.search("battlecard", limit=3, page=3)
    assert (first.total, first.pages, first.has_more) == (7, 3, True)
    assert len(second.hits) == 1 and not second.has_more
    seen = {h.slug for p in (1, 2, 3) for h in kb.search("battlecard", limit=3, page=p).hits}
    assert len(seen) == 7
    assert kb.search("battlecard", limit=3, page=9).hits == []


def test_markdown_is_indexed_as_plain_text() -> None:
    text = plain_text("# Exit criteria\n\n- **Budget** confirmed\n- a [link](http://x.test)\n"
                      "| Stage | % |\n|---|---|\n| Prospecting | 10 |\n\nA paragraph\nwrapped.")
    assert text == ("Exit criteria · Budget confirmed · a link · Stage · % · Prospecting · 10 · "
                    "A paragraph wrapped.")


# -- damage and rebuilds ------------------------------------------------------------------------

def _truncate(path: Path, keep: float) -> None:
    for file in path.iterdir():
        if file.is_file():
            os.truncate(file, int(file.stat().st_size * keep))


DAMAGE = {
    "folder deleted": lambda root, gen: shutil.rmtree(root),
    "generation deleted": lambda root, gen: shutil.rmtree(gen),
    "files emptied": lambda root, gen: _truncate(gen, 0),
    "files cut in half": lambda root, gen: _truncate(gen, 0.5),
    # whoosh's segments, or the FTS5 engine's SQLite file
    "segment cut short": lambda root, gen: [os.truncate(f, f.stat().st_size - 64)
                                            for f in (*gen.glob("*.seg"), *gen.glob("*.sqlite"))],
    "CURRENT garbled": lambda root, gen: (root / CURRENT).write_text("../../etc"),
    "older schema": lambda root, gen: (gen / STATE).write_text('{"schema": 0, "mark": null}'),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_missing_or_damaged_index_is_rebuilt_from_the_store(
        damage: str, store: Store, articles: KnowledgeService, admin: int,
        tmp_path: Path) -> None:
    _seed(articles, admin)
    root = tmp_path / "index"
    before = KnowledgeBase(store, root, sync_interval=0)
    assert _slugs(before, "zebra") == ["handling-pricing-objections"]
    generation = before.folder.current()
    before.close()

    DAMAGE[damage](root, generation)

    after = KnowledgeBase(store, root, sync_interval=0)
    try:
        assert _slugs(after, "zebra") == ["handling-pricing-objections"]
        assert after.folder.current() != generation
        assert after.verify().ok
    finally:
        after.close()


def test_damage_under_an_open_searcher_is_recovered(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    _seed(articles, admin)
    assert _slugs(kb, "zebra") == ["handling-pricing-objections"]  # this thread's searcher
    _truncate(kb.folder.current(), 0.5)
    assert _slugs(kb, "zebra") == ["handling-pricing-objections"]
    assert kb.verify().ok


def test_rebuild_swaps_in_a_new_generation_and_keeps_one_before_it(
        kb: KnowledgeBase, articles: KnowledgeService, admin: int) -> None:
    _seed(articles, admin)
    kb.sync()
    gens = [kb.folder.current()]
    for _ in range(3):
        assert kb.rebuild() == 4
        gens.append(kb.folder.current())
        assert _slugs(kb, "zebra") == ["handling-pricing-objections"]
    on_disk = sorted(p.name for p in kb.folder.root.iterdir() if p.name.startswith("gen-"))
    assert on_disk == sorted([gens[-1].name, gens[-2].name])


def test_a_busy_index_times_out_instead_of_waiting_forever(
        store: Store, articles: KnowledgeService, admin: int, tmp_path: Path) -> None:
    _seed(articles, admin)
    root = tmp_path / "index"
    holder = KnowledgeBase(store, root, sync_interval=0)
    waiter = KnowledgeBase(store, root, sync_interval=0, search_lock_timeout=0.05)
    try:
        holder.sync()
        articles.create(admin, title="Okapi facts", body="Okapis are shy.")
        with holder.folder.write_lock(5):
            with pytest.raises(IndexBusy):
                waiter.sync(timeout=0.1)
            assert _slugs(waiter, "zebra") == ["handling-pricing-objections"]  # still answers
        assert _slugs(waiter, "okapi") == ["okapi-facts"]
    finally:
        holder.close()
        waiter.close()


# -- concurrent writers -------------------------------------------------------------------------

def test_concurrent_threads_leave_a_correct_index(
        store: Store, articles: KnowledgeService, admin: int, tmp_path: Path) -> None:
    root = tmp_path / "index"
    shared = KnowledgeBase(store, root, sync_interval=0)
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def work(n: int) -> None:
        own = KnowledgeBase(store, root, sync_interval=0) if n % 2 else shared
        try:
            start.wait()
            made = []
            for i in range(4):
                made.append(articles.create(admin, title=f"Thread {n} note {i}",
                                            body=f"Written by thread{n} as note{i}."))
                own.sync()
                own.search(f"thread{n}")
            articles.update(admin, made[0].id, body=f"Rewritten by thread{n} finally.")
            articles.delete(admin, made[1].id)
            if n == 3:
                own.rebuild()
            own.sync()
            own.search("finally")
        except BaseException as exc:  # reported after join
            errors.append(exc)
        finally:
            if own is not shared:
                own.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    try:
        shared.sync()
        assert shared.verify().ok
        assert shared.search("finally", limit=50).total == 6
        assert shared.search("thread3", limit=50).total == 3
    finally:
        shared.close()


WRITER = """
import sys
from datetime import datetime
from pathlib import Path
from knowledge import KnowledgeBase
from store.clock import ManualClock
from store.db import Store
from store.services.knowledge.articles import KnowledgeService

url, root, admin, name, start = sys.argv[1:6]
store = Store(url, ManualClock(datetime.fromisoformat(start)))
kb = KnowledgeBase(store, Path(root), sync_interval=0)
articles = KnowledgeService(store)
print("ready", flush=True)
sys.stdin.readline()
for i in range(5):
    article = articles.create(int(admin), title=f"{name} note {i}", body=f"From {name}{i}.")
    kb.sync()
    if i == 2:
        kb.rebuild()
    articles.update(int(admin), article.id, body=f"From {name}{i}, edited by {name}.")
    kb.sync()
    kb.search(name)
kb.close()
store.dispose()
print("done", flush=True)
"""


def test_two_processes_writing_at_once_leave_a_correct_index(
        store: Store, database_url: str, clock: ManualClock, articles: KnowledgeService,
        admin: int, tmp_path: Path) -> None:
    root = tmp_path / "index"
    kb = KnowledgeBase(store, root, sync_interval=0)
    kb.sync()
    env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
    procs = [subprocess.Popen(
        [sys.executable, "-c", WRITER, database_url, str(root), str(admin), name,
         clock.now().isoformat()],
        cwd=CHECKOUT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True) for name in ("alpha", "beta")]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:  # both start together
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for i in range(5):  # and this process writes too
            articles.create(admin, title=f"gamma note {i}", body=f"From gamma{i}.")
            kb.sync()
        outcomes = [proc.communicate(timeout=90) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (out, err) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == "done"
    try:
        kb.sync()
        assert kb.verify().ok
        for name in ("alpha", "beta"):
            assert kb.search(f'"edited by {name}"', limit=50).total == 5
        assert kb.search("gamma", limit=50).total == 5
    finally:
        kb.close()
