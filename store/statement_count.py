"""What a block of work costs the database: the statements and transactions it ran.

The hot paths promise a bounded number of statements (App Home, a message, a sweep, a
digest, a pipeline summary); the tests that hold them to it and the benchmarks that print
the counts read them the same way, through SQLAlchemy's engine events, with this one helper.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

BOOKKEEPING = ("BEGIN", "SAVEPOINT", "RELEASE")


@dataclass
class Statements:
    """Every statement run inside the block, in order, and how many transactions began."""

    sql: list[str] = field(default_factory=list)
    transactions: int = 0

    def __len__(self) -> int:
        return len(self.sql)

    def __iter__(self) -> Iterator[str]:
        return iter(self.sql)

    @property
    def statements(self) -> int:
        return len(self.sql)

    @property
    def work(self) -> list[str]:
        """The statements that read or write, transaction bookkeeping left out."""
        return [s for s in self.sql if not s.lstrip().upper().startswith(BOOKKEEPING)]

    def starting(self, prefix: str) -> int:
        """How many statements begin with `prefix` (case and leading space ignored)."""
        return sum(s.lstrip().upper().startswith(prefix.upper()) for s in self.sql)


@contextmanager
def counting(engine: Engine) -> Iterator[Statements]:
    """Count what `engine` runs inside the block, on every connection and thread."""
    seen = Statements()

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.sql.append(sql)

    def began(_conn: Any) -> None:
        seen.transactions += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", began)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", began)
