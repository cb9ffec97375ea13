"""The `cases` CSV kind: round trip by number, bad rows reported by line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import cli
from store.services import Services
from tests.conftest import reset_database

HEADER = "number,account,subject,status,priority,opened_at,closed_at\n"


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


def test_cases_round_trip(run, services: Services, store, tmp_path) -> None:
    rep = services.users.get_or_create("U0ANA", name="Ana")
    services.accounts.create(rep.id, "Acme")
    source = tmp_path / "cases.csv"
    source.write_text(HEADER + "CS-2,Acme,Login broken,,high,2026-11-20T15:00:00Z,\n"
                      "CS-1,acme,\"Invoice, wrong\",closed,,2026-11-01T09:00:00+01:00,"
                      "2026-11-03T10:00:00Z\n")
    assert run("import", "cases", str(source)).exit_code == 0
    exported = run("export", "cases").stdout
    assert exported.splitlines() == [
        HEADER.strip(),
        'CS-1,Acme,"Invoice, wrong",closed,normal,2026-11-01T08:00:00Z,2026-11-03T10:00:00Z',
        "CS-2,Acme,Login broken,new,high,2026-11-20T15:00:00Z,"]
    again = run("import", "cases", str(source))
    assert "0 new" in again.stdout
    reset_database(store)
    services.users.get_or_create("U0ANA", name="Ana")
    services.accounts.create(services.users.get("U0ANA").id, "Acme")
    (tmp_path / "back.csv").write_text(exported)
    assert run("import", "cases", str(tmp_path / "back.csv")).exit_code == 0
    assert run("export", "cases").stdout == exported


def test_bad_case_rows(run, services: Services, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "CS-9,Nowhere,x,,,2026-11-20T15:00:00Z,\n"
                   "CS-8,Acme,y,lost,,2026-11-20T15:00:00Z,2026-11-01T00:00:00Z\n")
    services.accounts.create(services.users.get_or_create("U0A", name="A").id, "Acme")
    result = run("import", "cases", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:2: account:" in result.stderr
    assert f"{bad}:3: status: status is one of" in result.stderr
    assert f"{bad}:3: closed_at: a case can't close before it opens" in result.stderr
