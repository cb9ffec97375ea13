"""The bulk path of `salesbot import opportunities` (store/transfer/bulk.py, quick.py) keeps
the import contract (docs/INTERFACES.md): all or nothing, problems by file line, a deal
named again or already stored updated, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import event, func, select, update

from bot.cli import cli
from store.db import Store
from store.models import Opportunity, OpportunityHistory, Stage
from store.services import Services
from store.transfer import KINDS, ImportOptions, ImportResult, import_csv
from store.transfer.cells import Cells
from store.transfer.loading import ImportContext
from store.transfer.lookups import ImportLookups
from store.transfer.pipeline import OpportunityLoader
from store.transfer.quick import QuickDeals
from store.transfer.reader import RecordReader
from store.transfer.spec import ProblemLog

HEADER = "name,account,owner,stage,amount,currency,close_date,next_step\n"
Run = Callable[..., Result]


@pytest.fixture
def salesbot(database_url: str, store: Store) -> Run:
    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), env={
            "DATABASE_URL": database_url, "SALESBOT_CURRENCY": "USD", "SALESBOT_TIMEZONE": "UTC"})
    return run


@pytest.fixture
def accounts(services: Services) -> None:
    ann = services.users.get_or_create("U01ANN", name="Ann Rep", email="ann@example.com")
    for name in ("Acme", "Initech", "Zürich Re"):
        services.accounts.create(ann.id, name)


def _count(store: Store, model: type) -> int:
    with store.transaction() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _deals(rows: int, *, start: int = 0, amount: Callable[[int], str] = str) -> str:
    return "".join(f"Deal {n},Acme,U01ANN,,{amount(n)},,2026-12-01,\n"
                   for n in range(start, start + rows))


def _import(store: Store, text: str, *, batch_size: int = 3, skip_bad: bool = False
            ) -> ImportResult:
    return import_csv(store, KINDS["opportunities"], io.BytesIO(text.encode()),
                      ImportOptions(batch_size=batch_size, skip_bad=skip_bad))


def test_an_error_on_the_last_row_of_a_large_file_leaves_nothing_written(
    salesbot: Run, store: Store, tmp_path: Path, accounts: None,
) -> None:
    rows = 25_000  # several batches: the first ones are written before the bad row is read
    path = tmp_path / "deals.csv"
    path.write_text(HEADER + _deals(rows - 1) + "Last,Acme,U01ANN,,12.5x,,2026-12-01,\n")
    result = salesbot("import", "opportunities", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:{rows + 1}: amount: '12.5x' is not an amount (write it like 84000.00)"]
    assert result.stdout == "nothing imported: 1 error (--skip-bad imports the good rows)\n"
    assert _count(store, Opportunity) == 0 and _count(store, OpportunityHistory) == 0
    with_skip = salesbot("import", "opportunities", str(path), "--skip-bad")
    assert with_skip.stdout == (f"imported {rows - 1} opportunities ({rows - 1} new, 0 updated)"
                                "; skipped 1 bad row\n")
    assert _count(store, Opportunity) == _count(store, OpportunityHistory) == rows - 1


def test_a_file_naming_stored_deals_updates_them_and_inserts_the_rest(
    store: Store, accounts: None,
) -> None:
    assert _import(store, HEADER + _deals(10)).tally.new == 10
    changed = HEADER + _deals(10, start=5, amount=lambda n: "999" if n == 7 else str(n))
    result = _import(store, changed, batch_size=4)  # stored and new deals in each batch
    assert result.committed and result.summary() == \
        "imported 10 opportunities (5 new, 1 updated, 4 unchanged)"
    with store.transaction() as s:
        amounts = {name: minor for name, minor in
                   s.execute(select(Opportunity.name, Opportunity.amount_minor))}
        sources = s.execute(select(OpportunityHistory.source, OpportunityHistory.from_stage_id,
                                   OpportunityHistory.amount_minor)
                            .join(Opportunity)
                            .where(Opportunity.name == "Deal 7")
                            .order_by(OpportunityHistory.id)).all()
    assert len(amounts) == 15 and amounts["Deal 7"] == 99_900 and amounts["Deal 14"] == 1400
    prospecting = _stage_id(store, "Prospecting")
    assert sources == [("import", None, 700), ("import", prospecting, 99_900)]
    assert _count(store, OpportunityHistory) == 16


def _stage_id(store: Store, name: str) -> int:
    with store.transaction() as s:
        return s.scalar(select(Stage.id).where(Stage.name == name)) or 0


def test_a_deal_named_twice_gets_the_later_values_within_and_across_batches(
    store: Store, accounts: None,
) -> None:
    text = (HEADER + "Twice,Acme,U01ANN,,100,,2026-12-01,\n"
            "Twice,acme,U01ANN,Needs Analysis,,,,call\n"  # same batch: merged
            "Other,Initech,U01ANN,,1,,2026-12-01,\n"
            "Twice,Acme,U01ANN,,300,,,\n"  # the next batch: a change of the stored deal
            "No account,,U01ANN,,5,,2026-12-01,\n"
            "No account,,U01ANN,,6,,2026-12-01,\n"  # no account: matched by name
            "No account,,U01ANN,,7,,2026-12-01,\n")
    result = _import(store, text, batch_size=3)
    assert result.committed and result.tally.new == 3
    with store.transaction() as s:
        deals = {o.name: (o.stage.name, o.amount_minor, o.next_step, o.close_date)
                 for o in s.scalars(select(Opportunity))}
    assert deals == {
        "Twice": ("Needs Analysis", 30_000, None, date(2026, 12, 1)),  # a blank next step too
        "Other": ("Prospecting", 100, None, date(2026, 12, 1)),
        "No account": ("Prospecting", 700, None, date(2026, 12, 1)),
    }


def test_problems_are_reported_by_line_in_every_batch_and_nothing_is_written(
    store: Store, accounts: None,
) -> None:
    text = (HEADER + _deals(4) + "Bad,Nowhere,U01ANN,,1,,2026-12-01,\n" + _deals(4, start=10)
            + "Short,Acme\n" + _deals(2, start=20) + "Late,Acme,U01ANN,,1,,2026-02-30,\n")
    result = _import(store, text, batch_size=4)
    assert not result.committed
    assert [(p.line, p.column, p.reason) for p in sorted(result.problems.shown)] == [
        (6, "account", "no account called 'Nowhere'; import accounts first"),
        (11, "owner", "missing; the row has 2 cells, the header 8"),
        (14, "close_date", "'2026-02-30' is not a date on the calendar"),
    ]
    assert _count(store, Opportunity) == 0 and _count(store, OpportunityHistory) == 0


PLAIN_AND_NOT = (
    "name,account,owner,stage,amount,currency,close_date,next_step,probability,lost_reason\n"
    "  Big   deal ,Acme,U01ANN,Closed Won,84000.00,,2026-12-31,  call  ,,\n"
    "Yen,Zürich Re,ann@example.com,needs analysis,1200.00,jpy,2027-01-05,,,\n"
    "Yen cents,Zürich Re,Ann Rep,,12.50,JPY,,,,\n"
    "Euro,ACME,U01ANN,Closed Lost,0.5,EUR,2026-11-30,,,lost\n"
    "Grouped,Acme,U01ANN,,\"1,200\",,2026-12-01,,,\n"
    "Odd date,Acme,U01ANN,,1,,20261201,,,\n"
    "Sure,Acme,U01ANN,Prospecting,1,,2026-12-01,,75%,\n"
    "Won at 50,Acme,U01ANN,Closed Won,1,,2026-12-01,,50,\n"
    ",Acme,U01ANN,,1,,,,,\n"
    "Nobody's,Acme,U99,,1,,,,,\n"
    "Unknown currency,Acme,U01ANN,,1,XXY,,,,\n"
    "Huge,Acme,U01ANN,,99999999999999999,,,,,\n"
    "No account,,U01ANN,,.5,,,,,\n"
)


def test_the_quick_reading_gives_what_the_general_reading_gives(
    store: Store, accounts: None,
) -> None:
    problems = ProblemLog()
    with store.transaction() as s:
        reader = RecordReader(io.StringIO(PLAIN_AND_NOT, newline=""), KINDS["opportunities"],
                              {}, problems)
        assert reader.layout is not None
        lookups = ImportLookups(s, {})
        context = ImportContext(s, store.now(), ImportOptions(), reader.layout, lookups,
                                problems)
        loader, quick = OpportunityLoader(context), QuickDeals(reader.layout, lookups, "USD")
        quick_lines = []
        for record in reader:
            cells = Cells(record, reader.layout, lookups, currency="USD", zone=context.zone)
            general = loader.parse(cells)
            fast = quick.parse(record)
            if fast is not None:
                quick_lines.append(record.line)
                assert not cells.failures and general is not None
                assert (fast[0], fast[1]) == (general.values, general.extra), record.line
    assert quick_lines == [2, 3, 5]  # the rest is not plain: read the general way only


def test_a_deal_another_writer_adds_while_a_batch_is_copied_becomes_an_update(
    store: Store, services: Services, accounts: None,
) -> None:
    """PostgreSQL copies a batch straight into the tables once a look-up found none of its
    deals stored; a deal added by someone else between that look-up and the copy makes the
    unique index refuse the copy, and the batch is written the careful way instead."""
    if store.dialect != "postgresql":
        pytest.skip("SQLite: the import holds the write lock, nobody writes meanwhile")
    raced: list[str] = []

    def another_writer(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        if "nextval(pg_get_serial_sequence('opportunities'" in sql and not raced:
            raced.append(sql)  # once, and not for the other writer's own statements
            ann = services.users.get_or_create("U01ANN", name="Ann Rep")
            services.opportunities.create(ann.id, "Raced", account="Acme")

    event.listen(store.engine, "before_cursor_execute", another_writer)
    try:
        result = _import(store, HEADER + "Raced,Acme,U01ANN,,100,,2026-12-01,\n"
                                          "Calm,Initech,U01ANN,,5,,2026-12-01,\n")
    finally:
        event.remove(store.engine, "before_cursor_execute", another_writer)
    assert raced and result.committed
    assert result.summary() == "imported 2 opportunities (1 new, 1 updated)"
    with store.transaction() as s:
        deals = dict(s.execute(select(Opportunity.name, Opportunity.amount_minor)).all())
        sources = s.execute(select(OpportunityHistory.source).join(Opportunity)
                            .where(Opportunity.name == "Raced")
                            .order_by(OpportunityHistory.id)).scalars().all()
    assert deals == {"Raced": 10_000, "Calm": 500}
    assert len(sources) == 2 and sources[-1] == "import"


@pytest.mark.parametrize("batch_size", [3, 1000])
def test_a_deal_removed_with_undo_is_not_updated_and_its_name_is_made_again(
    store: Store, accounts: None, batch_size: int,
) -> None:
    assert _import(store, HEADER + _deals(2)).tally.new == 2
    with store.transaction() as s:  # what Undo of a creation does: archive, keep the row
        s.execute(update(Opportunity).where(Opportunity.name == "Deal 1")
                  .values(archived_at=func.now()))
    result = _import(store, HEADER + _deals(2, amount=lambda n: "5"), batch_size=batch_size)
    assert result.summary() == "imported 2 opportunities (1 new, 1 updated)"
    with store.transaction() as s:
        rows = s.execute(select(Opportunity.name, Opportunity.amount_minor,
                                Opportunity.archived_at.is_(None))
                         .order_by(Opportunity.id)).all()
    assert [tuple(r) for r in rows] == [("Deal 0", 500, True), ("Deal 1", 100, False),
                                        ("Deal 1", 500, True)]
