"""Commands start at once: what each imports is checked here, in a fresh interpreter.

Start-up time is measured by `python -m benchmarks startup`; these tests fail when a heavy
module comes back at import time (charts, search, Bolt, the ORM, Alembic), whatever the
machine's speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("matplotlib", "numpy", "whoosh", "slack_bolt", "slack_sdk", "sqlalchemy.orm",
         "alembic", "pydantic_settings", "waitress", "apscheduler", "sqlalchemy", "pydantic",
         "store.models", "handlers", "rapidfuzz")


def _loaded_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    """Which HEAVY modules are in sys.modules after running `code` in a fresh process."""
    script = (f"import sys\n{code}\n"
              f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True, env=env)
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


HELP = """
import contextlib, io
from bot.cli import cli
with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):
    cli(["--help"], prog_name="salesbot")
assert "Commands:" in out.getvalue() and "export" in out.getvalue()
"""


def test_help_imports_nothing_heavy() -> None:
    assert _loaded_after(HELP) == []


def test_importing_the_cli_imports_nothing_heavy() -> None:
    assert _loaded_after("import bot.cli") == []


@pytest.mark.parametrize("group", ["kb", "import", "export", "db", "reminders", "quotes"])
def test_a_groups_help_imports_nothing_heavy(group: str) -> None:
    """Not even SQLAlchemy: the KIND choices of import/export are a plain table."""
    code = HELP.replace('["--help"]', f'["{group}", "--help"]').replace(
        'assert "Commands:" in out.getvalue() and "export" in out.getvalue()',
        'assert "Usage:" in out.getvalue()')
    assert _loaded_after(code) == []


RUN = """
import contextlib
from bot.cli import cli
with contextlib.suppress(SystemExit):
    cli({args!r}, prog_name="salesbot")
"""


@pytest.fixture(scope="module")
def current_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a command run on a migrated database holding one account."""
    import io

    from store.db import Store
    from store.migrate import upgrade
    from store.transfer import KINDS, ImportOptions, import_csv

    tmp = tmp_path_factory.mktemp("startup")
    url = f"sqlite:///{tmp / 'current.db'}"
    store = Store(url)
    upgrade(store.engine)
    assert import_csv(store, KINDS["accounts"], io.BytesIO(b"name\nAcme Corp\n"),
                      ImportOptions()).committed
    store.dispose()
    return {**os.environ, "DATABASE_URL": url, "SALESBOT_INDEX_DIR": str(tmp / "index")}


def _run(args: list[str], env: dict[str, str]) -> tuple[str, list[str]]:
    """What `salesbot ARGS` printed, and which HEAVY modules it had imported by the end."""
    script = (f"import sys\n{RUN.format(args=args)}\nsys.stdout.flush()\n"
              f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True, env=env)
    *printed, last = out.stdout.strip().splitlines()
    loaded: list[str] = json.loads(last)
    return "\n".join(printed), loaded


@pytest.mark.parametrize("kind", ["accounts", "opportunities", "activities", "users"])
def test_exporting_records_needs_no_orm(current_db: dict[str, str], kind: str) -> None:
    """`salesbot export KIND` is SQLAlchemy Core and pydantic (the settings), nothing else."""
    printed, loaded = _run(["export", kind], current_db)
    if kind == "accounts":
        assert "Acme Corp" in printed
    assert sorted(loaded) == ["pydantic", "sqlalchemy"]


def test_exporting_the_pipeline_needs_no_search_slack_or_charts(
        current_db: dict[str, str]) -> None:
    printed, loaded = _run(["export", "pipeline"], current_db)
    assert printed.startswith("section,")
    assert not {"matplotlib", "numpy", "whoosh", "slack_bolt", "slack_sdk", "alembic",
                "pydantic_settings", "handlers", "rapidfuzz"} & set(loaded)


def test_searching_the_knowledge_base_needs_no_slack_or_charts(
        current_db: dict[str, str]) -> None:
    printed, loaded = _run(["kb", "search", "pricing"], current_db)
    assert "No articles found." in printed
    assert not {"matplotlib", "numpy", "slack_bolt", "slack_sdk", "alembic", "waitress",
                "apscheduler", "pydantic_settings", "handlers"} & set(loaded)


@pytest.fixture(scope="module")
def kb_db(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a command run on a database holding five articles, the FTS5
    index already built (as after `kb import`)."""
    from knowledge import KnowledgeBase
    from store.db import Store
    from store.migrate import upgrade
    from store.services.knowledge.articles import KnowledgeService

    tmp = tmp_path_factory.mktemp("startup-kb")
    pages = tmp / "pages"
    pages.mkdir()
    (pages / "pricing.md").write_text("# Pricing objections\n\nAnswer a *pricing* objection "
                                      "with the value the customer gets.\n")
    (pages / "renewals.md").write_text("# Renewals\n\nStart every renewal 90 days out.\n")
    for topic in ("discounts", "quotes", "approvals"):  # "pricing" is a common word
        (pages / f"{topic}.md").write_text(f"# {topic.title()}\n\nHow {topic} follow pricing.\n")
    url = f"sqlite:///{tmp / 'kb.db'}"
    store = Store(url)
    upgrade(store.engine)
    KnowledgeService(store).import_markdown_dir(pages)
    KnowledgeBase(store, tmp / "index", engine="fts5").rebuild()
    store.dispose()
    return {**os.environ, "DATABASE_URL": url, "SALESBOT_INDEX_DIR": str(tmp / "index"),
            "SALESBOT_KB_ENGINE": "fts5"}


# what `kb search` on FTS5 never needs: whoosh (but its Porter stemmer, knowledge/text.py),
# the markdown import (YAML), Slack, charts, migrations, the scheduler
KB_SEARCH_NEVER = ("whoosh.analysis", "whoosh.index", "whoosh.searching", "whoosh.qparser",
                   "whoosh.filedb", "whoosh.fields", "yaml", "store.services.knowledge."
                   "markdown_import", "slack_bolt", "slack_sdk", "matplotlib", "numpy",
                   "alembic", "waitress", "apscheduler", "pydantic_settings")


def _kb_search(words: list[str], never: tuple[str, ...], env: dict[str, str]
               ) -> tuple[str, list[str]]:
    """What `salesbot kb search WORDS` printed, and which of NEVER it imported."""
    script = (f"import sys\n{RUN.format(args=['kb', 'search', *words])}\n"
              "sys.stdout.flush()\n"
              f"print(__import__('json').dumps([m for m in {never!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True, env=env)
    *printed, last = out.stdout.strip().splitlines()
    loaded: list[str] = json.loads(last)
    return "\n".join(printed), loaded


def test_searching_the_knowledge_base_on_fts5_needs_no_whoosh_index_nor_yaml(
        kb_db: dict[str, str]) -> None:
    shown, loaded = _kb_search(["pricing", "renwal"], KB_SEARCH_NEVER, kb_db)
    assert shown.startswith('Showing results for "pricing renewal"')
    assert "Pricing objections  [pricing]" in shown and "Renewals  [renewals]" in shown
    assert loaded == []


def test_searching_known_words_needs_no_spelling_correction(kb_db: dict[str, str]) -> None:
    """rapidfuzz is imported only when a word has to be corrected."""
    shown, loaded = _kb_search(["pricing"], (*KB_SEARCH_NEVER, "rapidfuzz"), kb_db)
    assert shown.startswith("1. Pricing objections  [pricing]") and "1–4 of 4" in shown
    assert loaded == []


def test_the_knowledge_packages_names_import_no_index() -> None:
    """Rendering a snippet or a results page (handlers/knowledge) needs no whoosh."""
    assert "whoosh" not in _loaded_after("from knowledge import SearchResults, Snippet")


def test_the_schema_check_needs_no_alembic_when_the_database_is_current(
        tmp_path: Path) -> None:
    from store.db import Store
    from store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'current.db'}"
    store = Store(url)
    upgrade(store.engine)
    store.dispose()
    code = (f"from store.db import Store\nfrom store.migrate import upgrade\n"
            f"s = Store({url!r})\nupgrade(s.engine)\ns.dispose()")
    assert "alembic" not in _loaded_after(code)


def test_the_quick_head_is_alembics_head() -> None:
    from store.migrate import _alembic_heads, quick_head

    assert (quick_head(),) == _alembic_heads()


def test_an_empty_database_is_still_migrated(tmp_path: Path) -> None:
    from sqlalchemy import inspect

    from store.db import Store
    from store.migrate import current_revision, head_revision, upgrade

    store = Store(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(store.engine)
    assert current_revision(store.engine) == head_revision()
    assert "opportunities" in inspect(store.engine).get_table_names()
    store.dispose()


def test_the_help_listing_matches_the_commands_it_stands_in_for() -> None:
    """`--help` lists import, export and kb from `_LAZY_HELP` without loading them; once
    loaded, the real commands must print the very same listing."""
    from bot.cli import _LAZY_COMMANDS, cli, register_all_commands

    lazy = CliRunner().invoke(cli, ["--help"], prog_name="salesbot")
    register_all_commands()
    assert set(_LAZY_COMMANDS) <= set(cli.commands)  # type: ignore[attr-defined]
    real = CliRunner().invoke(cli, ["--help"], prog_name="salesbot")
    assert lazy.exit_code == real.exit_code == 0
    assert lazy.output == real.output
    for name in ("import", "export", "kb"):
        assert f"  {name} " in lazy.output


def test_registering_the_handlers_imports_no_charts() -> None:
    loaded = _loaded_after("import handlers.registry, handlers.pipeline.chart")
    assert "matplotlib" not in loaded and "numpy" not in loaded


def test_a_chart_still_draws_once_asked_for() -> None:
    from decimal import Decimal

    from handlers.pipeline.chart import pipeline_png
    from store.services.pipeline.summary import StageOwnerAmount

    png = pipeline_png([StageOwnerAmount("Proposal", 3, "Alex", "USD", Decimal(5000))],
                       ["Proposal"], "Pipeline")
    assert png is not None and png.startswith(b"\x89PNG")
