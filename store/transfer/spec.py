"""The vocabulary of CSV transfer every step shares: options, problems, tallies.

It imports no other transfer module, so the reader, the loaders and the kinds can all
use it without depending on each other. The kinds themselves (`KindSpec`) live in
`store.transfer.kinds`, next to the loaders they name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from store.errors import InvalidInput

IGNORE = "-"  # `--map COL=-` drops a column


class UsageProblem(InvalidInput):
    """The command was asked something it cannot do with this file (exit code 2)."""


@dataclass(frozen=True)
class ImportOptions:
    """What the command line and the settings tell an import."""

    currency: str = "USD"
    timezone: str = "UTC"
    skip_bad: bool = False
    column_map: Mapping[str, str] = field(default_factory=dict)
    stage_map: Mapping[str, str] = field(default_factory=dict)
    # records read, checked and written together: each batch costs a few round trips
    # (look-ups, PostgreSQL's key check and COPYs), so larger is faster, memory still flat
    batch_size: int = 10_000


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
