"""`salesbot kb import|reindex|search`, run as a user would, on the test database."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot import cli_kb
from bot.cli import cli, pass_context
from knowledge.starter import STARTER_DIR
from store.db import Store

pytestmark = pytest.mark.usefixtures("kb_engine")  # on each search engine

if "kb" not in cli.commands:  # until bot/cli.py registers it
    cli_kb.register(cli, pass_context)


@pytest.fixture
def env(store: Store, tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": store.url, "SALESBOT_INDEX_DIR": str(tmp_path / "index")}


def _run(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["kb", *args], env=env)


def test_import_then_search_finds_the_pricing_objection_article_first(
        env: dict[str, str]) -> None:
    imported = _run(env, "import", str(STARTER_DIR))
    assert imported.exit_code == 0, imported.output
    count = len(list(STARTER_DIR.glob("*.md")))
    assert imported.stdout.splitlines() == [
        f"imported {count} article(s): {count} new, 0 updated, 0 unchanged",
        f"index caught up ({count} document(s) written)",
    ]
    again = _run(env, "import", str(STARTER_DIR))
    assert f"0 new, 0 updated, {count} unchanged" in again.stdout

    found = _run(env, "search", "pricing objection")
    assert found.exit_code == 0, found.output
    lines = found.stdout.splitlines()
    assert lines[0].startswith("1. Handling pricing objections  [pricing-objections]  score ")
    assert "*objection*" in lines[1] and "\x1b[" not in found.stdout
    assert lines[2] == ("   tags: objections, pricing, negotiation, discounts, value · "
                        "product: Platform")
    assert lines[-1].startswith("1–5 of ") and lines[-1].endswith("--page 2 for more")


def test_search_corrects_typos_and_pages(env: dict[str, str]) -> None:
    _run(env, "import", str(STARTER_DIR))
    typo = _run(env, "search", "renewl", "playbok")
    assert typo.stdout.splitlines()[0] == (
        'No match for "renewl playbok"; showing results for "renewal playbook".')
    assert "[renewal-playbook]" in typo.stdout.splitlines()[1]
    second = _run(env, "search", "discount", "--limit", "2", "--page", "2")
    assert second.stdout.splitlines()[0].startswith("3. ")
    nothing = _run(env, "search", "qwxzvbn")
    assert nothing.exit_code == 0 and nothing.stdout == "No articles found.\n"


def test_reindex_rebuilds_from_the_database(env: dict[str, str]) -> None:
    _run(env, "import", str(STARTER_DIR))
    rebuilt = _run(env, "reindex")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rebuilt.stdout.startswith(f"indexed {len(list(STARTER_DIR.glob('*.md')))} article(s)")


def test_bad_files_are_refused_with_one_line_each(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.md").write_text("Fine.", encoding="utf-8")
    (folder / "bad.md").write_text("---\ntitle: [x\n---\nText.", encoding="utf-8")
    refused = _run(env, "import", str(folder))
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        f"{folder / 'bad.md'}: front matter is not valid YAML (line 3)",
        "nothing imported: 1 file(s) need fixing",
    ]
    assert _run(env, "search", "fine").stdout == "No articles found.\n"


def test_usage_errors_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    assert _run(env, "import", str(tmp_path / "missing")).exit_code == 2
    assert _run(env, "search").exit_code == 2
    assert _run(env, "search", "x", "--limit", "0").exit_code == 2


def test_snippets_are_bold_on_a_terminal() -> None:
    assert cli_kb.terminal_text("a *b* &amp; &lt;c&gt;", tty=False) == "a *b* & <c>"
    assert cli_kb.terminal_text("a *b*", tty=True) == f"a {click.style('b', bold=True)}"


def test_search_json_parses_with_hits_and_the_correction(env: dict[str, str]) -> None:
    import json

    _run(env, "import", str(STARTER_DIR))
    found = _run(env, "search", "--json", "--limit", "3", "pricing objection")
    assert found.exit_code == 0, found.output
    data = json.loads(found.stdout)
    assert data["correction"] is None and data["total"] >= 3
    first = data["hits"][0]
    assert set(first) == {"slug", "title", "score", "snippet"}
    assert (first["slug"], first["title"]) == ("pricing-objections",
                                               "Handling pricing objections")
    assert isinstance(first["score"], float) and "objection" in first["snippet"].lower()
    assert len(data["hits"]) == 3

    typo = json.loads(_run(env, "search", "renewl", "playbok", "--json").stdout)
    assert typo["correction"] == "renewal playbook"
    assert typo["hits"][0]["slug"] == "renewal-playbook"


def test_importing_the_command_line_loads_no_search_slack_or_store_modules() -> None:
    import subprocess
    import sys

    code = ("import sys, bot.cli; heavy = [m for m in ('whoosh', 'slack_bolt', 'matplotlib', "
            "'sqlalchemy', 'alembic', 'store.transfer', 'handlers', 'knowledge') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"
