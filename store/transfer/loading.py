"""Loaders: turn a batch of records into rows, checking everything before writing.

Every check happens in Python before a row reaches the database, so a bad row is
reported with its line and column (and skipped with `--skip-bad`) instead of failing
the whole transaction at a constraint. `TableLoader` is the common shape of a kind
without business rules of its own: match each row by its key, insert the new ones in
one statement per batch, update only the columns that differ.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy import Row, RowMapping, Table, bindparam, insert, update
from sqlalchemy.orm import Session

from store.transfer.cells import Cells
from store.transfer.lookups import ImportLookups
from store.transfer.reader import Layout, Record
from store.transfer.spec import ImportOptions, Problem, ProblemLog, Tally

StoredRow = RowMapping  # an existing row as the database returns it, by column name


@dataclass(frozen=True)
class Parsed:
    """A checked row: its line and the column values the file gives (table columns)."""

    line: int
    values: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportContext:
    """Everything one import's loaders share; lives for one transaction."""

    session: Session
    now: datetime
    options: ImportOptions
    layout: Layout
    lookups: ImportLookups
    problems: ProblemLog
    tally: Tally = field(default_factory=Tally)

    def __post_init__(self) -> None:
        self.zone = ZoneInfo(self.options.timezone)

    def cells(self, record: Record) -> Cells:
        return Cells(record, self.layout, self.lookups, currency=self.options.currency,
                     zone=self.zone)

    def reject(self, line: int, failures: Iterable[tuple[str, str]]) -> None:
        """Report a bad row, one problem per bad cell, and count it once."""
        for column, reason in failures:
            self.problems.add(Problem(line, self.layout.header_of(column), reason))
        self.tally.bad += 1


class Loader(ABC):
    """Reads and writes one kind; `load` is called once per batch, `finish` at the end."""

    account_columns: ClassVar[tuple[str, ...]] = ()

    def __init__(self, context: ImportContext) -> None:
        self.context = context

    @property
    def session(self) -> Session:
        return self.context.session

    def load(self, records: list[Record]) -> None:
        self.prefetch(records)
        good: list[Parsed] = []
        for record in records:
            row = self.quick(record)
            if row is None:
                cells = self.context.cells(record)
                row = self.parse(cells)
                if cells.failures or row is None:
                    self.context.reject(record.line, cells.failures)
                    continue
            good.append(row)
        if good:
            self.write(good)

    def prefetch(self, records: list[Record]) -> None:
        """Look up the batch's accounts in a few queries, before its rows are read."""
        self.context.lookups.prefetch_accounts(
            record.cells.get(column) or "" for record in records
            for column in self.account_columns
        )

    def quick(self, record: Record) -> Parsed | None:
        """Hook: a plain row read cheaply, or None to read it with `parse`; both must give
        the same row."""
        return None

    @abstractmethod
    def parse(self, cells: Cells) -> Parsed | None:
        """Check one record; report through `cells.fail`."""

    @abstractmethod
    def write(self, rows: list[Parsed]) -> None:
        """Write checked rows, counting them in the context's tally."""

    def finish(self) -> None:  # noqa: B027 - most kinds have nothing left to do
        """Called once after the last batch."""


def insert_rows(
    session: Session, table: Table, rows: list[dict[str, Any]], *, returning: tuple[str, ...] = (),
) -> list[Row[Any]]:
    """Insert many rows in few statements; with `returning`, give back `id` and those
    columns of each new row, in no particular order (asking for the parameters' order
    makes SQLite insert one row per statement)."""
    if not rows:
        return []
    if not returning:
        for group in _same_columns(rows):
            session.execute(insert(table), group)
        return []
    statement = insert(table).returning(table.c.id, *(table.c[name] for name in returning))
    found: list[Row[Any]] = []
    for group in _same_columns(rows):
        found.extend(session.execute(statement, group))
    return found


def update_rows(session: Session, table: Table, changes: list[dict[str, Any]]) -> None:
    """Apply `{"_id": id, column: value, …}` changes, one executemany per column set."""
    statement = update(table).where(table.c.id == bindparam("_id"))
    for group in _same_columns(changes):
        session.execute(statement, group)


def _same_columns(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """An executemany needs one column set; a batch has one except for merged duplicates."""
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    return list(groups.values())


class TableLoader(Loader):
    """Insert-or-update by key for a table whose rows have no history of their own."""

    table: ClassVar[Table]
    returning: ClassVar[tuple[str, ...]] = ()  # columns `inserted` needs back with the ids

    @abstractmethod
    def key(self, row: Parsed) -> Hashable:
        """The kind's key (docs/INTERFACES.md), as comparable values."""

    @abstractmethod
    def current(self, rows: list[Parsed]) -> Mapping[Hashable, StoredRow]:
        """Existing rows for these rows' keys: `id` plus every column a row may set."""

    def defaults(self, row: Parsed) -> dict[str, Any]:
        """Values of a new row for the columns the file leaves out."""
        return {}

    def changes(self, row: Parsed, existing: StoredRow) -> dict[str, Any] | None:
        """The values to compare and set on an existing row; None rejects the row."""
        return row.values

    def inserted(self, rows: list[Row[Any]]) -> None:
        """Hook: the `id` and `returning` columns of the new rows (for caches)."""

    def written(self, rows: list[Parsed]) -> None:
        """Hook: these rows are now in the store, new or updated."""

    def write(self, rows: list[Parsed]) -> None:
        tally, now = self.context.tally, self.context.now
        existing_rows = self.current(rows)
        fresh: dict[Hashable, Parsed] = {}
        changed: list[dict[str, Any]] = []
        written: list[Parsed] = []
        for row in rows:
            key = self.key(row)
            if key in fresh:  # the file names this row twice: the later values win
                first = fresh[key]
                fresh[key] = Parsed(first.line, {**first.values, **row.values},
                                    {**first.extra, **row.extra})
                tally.updated += 1
                continue
            existing = existing_rows.get(key)
            if existing is None:
                fresh[key] = row
                tally.new += 1
                continue
            values = self.changes(row, existing)
            if values is None:
                continue
            written.append(row)
            diff = {column: v for column, v in values.items() if existing[column] != v}
            if diff:
                changed.append({"_id": existing["id"], **diff, "updated_at": now})
                tally.updated += 1
            else:
                tally.unchanged += 1
        new_rows = list(fresh.values())
        self.inserted(insert_rows(self.session, self.table, [
            {**self.defaults(row), **row.values, "created_at": now, "updated_at": now}
            for row in new_rows
        ], returning=self.returning))
        update_rows(self.session, self.table, changed)
        self.written(new_rows + written)
