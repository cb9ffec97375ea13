"""The vocabulary of CSV transfer: kinds, options, problems.

A kind (users, accounts, opportunities…) is one `KindSpec`: its canonical columns, the
loader that writes its rows and the query that exports them. Adding a kind is one entry
in `store.transfer.kinds.KINDS` plus those two pieces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, collate
from sqlalchemy.orm import Session

from store.errors import InvalidInput

if TYPE_CHECKING:
    from store.transfer.loading import ImportContext, Loader

IGNORE = "-"  # `--map COL=-` drops a column


class UsageProblem(InvalidInput):
    """The command was asked something it cannot do with this file (exit code 2)."""


@dataclass(frozen=True)
class KindSpec:
    """One importable and exportable kind of record."""

    name: str
    singular: str
    columns: tuple[str, ...]
    required: frozenset[str]
    loader: Callable[[ImportContext], Loader]
    rows: Callable[[Session], Iterator[Sequence[str]]]
    reads_salesforce_reports: bool = False
    maps_stages: bool = False

    def noun(self, count: int) -> str:
        return self.singular if count == 1 else self.name


@dataclass(frozen=True)
class ImportOptions:
    """What the command line and the settings tell an import."""

    currency: str = "USD"
    timezone: str = "UTC"
    skip_bad: bool = False
    column_map: Mapping[str, str] = field(default_factory=dict)
    stage_map: Mapping[str, str] = field(default_factory=dict)
    batch_size: int = 2000


@dataclass(frozen=True, order=True)
class Problem:
    """One bad cell or row, printed as `FILE:LINE: COLUMN: reason`."""

    line: int
    column: str
    reason: str

    def render(self, file: str) -> str:
        return f"{file}:{self.line}: {self.column}: {self.reason}"


class ProblemLog:
    """Keeps the first problems to show and counts the rest, so a file of a million bad
    rows costs no memory."""

    def __init__(self, limit: int = 50) -> None:
        self.limit = limit
        self.shown: list[Problem] = []
        self.count = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.shown) < self.limit:
            self.shown.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def hidden(self) -> int:
        return self.count - len(self.shown)


@dataclass
class Tally:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0

    @property
    def imported(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass(frozen=True)
class ImportResult:
    spec: KindSpec
    tally: Tally
    problems: ProblemLog
    committed: bool

    def summary(self) -> str:
        """`imported 3 opportunities (2 new, 1 updated)`, or why nothing was."""
        tally = self.tally
        if not self.committed:
            count = self.problems.count
            line = f"nothing imported: {count} {'error' if count == 1 else 'errors'}"
            return line + (" (--skip-bad imports the good rows)" if tally.bad else "")
        parts = [f"{tally.new} new", f"{tally.updated} updated"]
        if tally.unchanged:
            parts.append(f"{tally.unchanged} unchanged")
        line = f"imported {tally.imported} {self.spec.noun(tally.imported)} ({', '.join(parts)})"
        if tally.bad:
            line += f"; skipped {tally.bad} bad {'row' if tally.bad == 1 else 'rows'}"
        return line


def in_code_point_order(session: Session, expr: ColumnElement[Any]) -> ColumnElement[Any]:
    """Sort text by code point on every dialect (PostgreSQL's locale collations ignore case
    and punctuation; SQLite compares bytes), so an export has one order everywhere."""
    if session.get_bind().dialect.name == "postgresql":
        return collate(expr, "C")
    return expr
