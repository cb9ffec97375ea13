"""Importing what admins have: real docs-site pages, drafts, long pages, long file names,
and a folder with a broken page (issue 16). Through the real store, index and CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot import cli_kb
from bot.cli import cli, pass_context
from knowledge import KnowledgeBase
from store.db import Store
from store.models import KnowledgeArticle
from store.services.knowledge.articles import KnowledgeService
from store.services.knowledge.fields import slugify

if "kb" not in cli.commands:
    cli_kb.register(cli, pass_context)

LONG_A = "how-we-handle-enterprise-procurement-questionnaires-and-vendor-security-reviews-" \
         "for-regulated-customers-in-financial-services-emea.md"
LONG_B = "how-we-handle-enterprise-procurement-questionnaires-and-vendor-security-reviews-" \
         "for-regulated-customers-in-healthcare-north-america.md"

REAL_PAGE = """---
title: "Procurement questionnaires"
description: How account executives answer a buyer's vendor questionnaire.
weight: 30
aliases: [/sales/questionnaires/, /old/path]
date: 2024-03-01T10:00:00Z
lastmod: 2024-05-02
sidebar_position: 4
toc: true
categories: [sales]
---
<!-- Generated from the Google Doc; edit there.
Do not edit by hand. -->

# Procurement questionnaires {#questionnaires}

{{< hint info >}}
Ask the buyer which **portal** (Ariba, Coupa) they use.
{{< /hint >}}

{{generator:reporting_structure.vp_sales}}

import Tabs from '@theme/Tabs';

pytestmark = pytest.mark.usefixtures("kb_engine")  # on each search engine

:::tip Quick answer
Send the trust portal link first.
:::

<table><tr><td>Owner</td><td>Deal desk</td></tr></table>

Use <span style="text-decoration:underline;">the standard answers</span> &amp; attach
the `<vendor-id>` the buyer gave you.

"""


def _filler(chars: int) -> str:
    paragraph = ("Each questionnaire section maps to one of our published policies; quote "
                 "the policy name and link rather than paraphrasing it.\n\n")
    return paragraph * (chars // len(paragraph) + 1)


@pytest.fixture
def knowledge(store: Store, tmp_path: Path) -> Iterator[KnowledgeBase]:
    kb = KnowledgeBase(store, tmp_path / "index", sync_interval=0)
    yield kb
    kb.close()


def test_a_real_docs_site_page_imports_and_is_found(store: Store, tmp_path: Path,
                                                    knowledge: KnowledgeBase) -> None:
    folder = tmp_path / "site" / "content" / "sales"
    folder.mkdir(parents=True)
    (folder / LONG_A).write_text(REAL_PAGE + _filler(200_000), encoding="utf-8")
    (folder / LONG_B).write_text("---\ntitle: Healthcare questionnaires\n---\nHIPAA first.\n",
                                 encoding="utf-8")
    (folder / "unpublished.md").write_text("---\ntitle: Soon\ndraft: true\n---\nNot yet.\n",
                                           encoding="utf-8")
    (folder / "index.md").write_text("# Sales\n\nThe sales section.\n", encoding="utf-8")

    summary = KnowledgeService(store).import_markdown_dir(tmp_path / "site")
    assert (summary.created, summary.skipped) == (3, [])
    assert summary.drafts == [str(folder / "unpublished.md")]

    articles = {a.title: a for a in KnowledgeService(store).list()}
    assert set(articles) == {"Procurement questionnaires", "Healthcare questionnaires", "Sales"}
    page = articles["Procurement questionnaires"]
    assert len(page.body) > 200_000
    # the description opens the body; markup is gone, its text stays
    assert page.body.startswith("How account executives answer a buyer's vendor questionnaire.")
    for markup in ("<!--", "{{", "hint", "generator", "import Tabs", ":::", "<td>", "<span",
                   "&amp;", "{#questionnaires}"):
        assert markup not in page.body, markup
    for text in ("Ask the buyer which **portal** (Ariba, Coupa)", "Quick answer",
                 "Send the trust portal link first.", "Owner", "Deal desk",
                 "the standard answers & attach", "`<vendor-id>`"):
        assert text in page.body, text
    # long file names that agree on their first 80 characters get two slugs
    healthcare = articles["Healthcare questionnaires"]
    assert len(page.slug) <= 80 and len(healthcare.slug) <= 80
    assert page.slug != healthcare.slug
    assert page.slug.startswith(slugify("content-sales-" + LONG_A)[:60])
    assert articles["Sales"].slug == "content-sales"

    again = KnowledgeService(store).import_markdown_dir(tmp_path / "site")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    knowledge.sync()
    found = knowledge.search("vendor questionnaire portal")
    assert found.hits[0].slug == page.slug


def test_skip_bad_imports_the_rest_and_names_the_bad_file_and_line(
        store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "handbook"
    (folder / "sales").mkdir(parents=True)
    (folder / "sales" / "renewals.md").write_text("# Renewals\n\nStart 90 days out.\n",
                                                  encoding="utf-8")
    (folder / "sales" / "pricing.md").write_text("---\ntitle: Pricing\nweight: 2\n---\nList.\n",
                                                 encoding="utf-8")
    bad = folder / "sales" / "broken.md"
    bad.write_text("---\ntitle: Broken\ntags: [a, b\nweight: 3\n---\nText.\n", encoding="utf-8")
    env = {"DATABASE_URL": store.url, "SALESBOT_INDEX_DIR": str(tmp_path / "index")}

    refused = CliRunner().invoke(cli, ["kb", "import", str(folder)], env=env)
    assert refused.exit_code == 1
    assert KnowledgeService(store).live_count() == 0

    result = CliRunner().invoke(cli, ["kb", "import", str(folder), "--skip-bad"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"skipped {bad}: front matter is not valid YAML (line 4)"]
    assert result.stdout.splitlines()[:2] == [
        "imported 2 article(s): 2 new, 0 updated, 0 unchanged",
        "skipped 1 bad file(s), named on stderr",
    ]
    assert {a.slug for a in KnowledgeService(store).list()} == {"sales-renewals", "sales-pricing"}
    found = CliRunner().invoke(cli, ["kb", "search", "renewals"], env=env)
    assert found.stdout.startswith("1. Renewals  [sales-renewals]")


def test_reimport_with_prune_removes_what_the_folder_no_longer_holds(
        store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("renewals", "pricing", "old-policy"):
        (folder / f"{name}.md").write_text(f"# {name.title()}\n\nAbout {name}.\n",
                                           encoding="utf-8")
    env = {"DATABASE_URL": store.url, "SALESBOT_INDEX_DIR": str(tmp_path / "index")}
    assert CliRunner().invoke(cli, ["kb", "import", str(folder)], env=env).exit_code == 0
    (folder / "old-policy.md").unlink()
    (folder / "pricing.md").write_text("---\ntitle: [broken\n---\nText.\n", encoding="utf-8")
    (folder / "discounts.md").write_text("# Discounts\n\nAsk first.\n", encoding="utf-8")

    kept = CliRunner().invoke(cli, ["kb", "import", str(folder), "--skip-bad"], env=env)
    assert kept.exit_code == 0, kept.output
    assert KnowledgeService(store).live_count() == 4  # without --prune nothing goes

    pruned = CliRunner().invoke(cli, ["kb", "import", str(folder), "--skip-bad", "--prune"],
                                env=env)
    assert pruned.exit_code == 0, pruned.output
    assert f"removed 1 article(s) no file in {folder} holds" in pruned.stdout.splitlines()
    # the broken page keeps its article; the deleted file's article is gone
    assert {a.slug for a in KnowledgeService(store).list()} == {"renewals", "pricing",
                                                               "discounts"}
    found = CliRunner().invoke(cli, ["kb", "search", "old policy"], env=env)
    assert "[old-policy]" not in found.stdout


def test_front_matter_of_other_tools_is_kept_on_the_article_and_never_searched(
        store: Store, tmp_path: Path, knowledge: KnowledgeBase) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "questionnaires.md").write_text(REAL_PAGE, encoding="utf-8")
    (folder / "plain.md").write_text("# Plain\n\nNo front matter here.\n", encoding="utf-8")
    KnowledgeService(store).import_markdown_dir(folder)

    with store.transaction() as s:
        kept = dict(s.execute(select(KnowledgeArticle.slug, KnowledgeArticle.front_matter)).all())
    assert kept["plain"] is None
    assert kept["questionnaires"] == {
        "weight": 30, "aliases": ["/sales/questionnaires/", "/old/path"],
        "date": "2024-03-01T10:00:00+00:00", "lastmod": "2024-05-02",
        "sidebar_position": 4, "toc": True, "categories": ["sales"]}
    # our own keys are read, not kept twice
    assert not {"title", "description"} & set(kept["questionnaires"])

    knowledge.sync()
    assert knowledge.search("questionnaires").hits[0].slug == "questionnaires"
    for only_in_front_matter in ("sidebar_position", "lastmod", "aliases"):
        assert knowledge.search(only_in_front_matter).hits == [], only_in_front_matter

    # a page that drops a key is updated on re-import; the same folder again changes nothing
    (folder / "questionnaires.md").write_text(REAL_PAGE.replace("toc: true\n", ""),
                                              encoding="utf-8")
    again = KnowledgeService(store).import_markdown_dir(folder)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    with store.transaction() as s:
        row = s.scalars(select(KnowledgeArticle).where(
            KnowledgeArticle.slug == "questionnaires")).one()
        assert "toc" not in (row.front_matter or {})
    assert KnowledgeService(store).import_markdown_dir(folder).unchanged == 2
