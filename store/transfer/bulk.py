"""New deals written at the database's own bulk speed, with their first history rows.

An import of a whole pipeline is a million new deals; writing them through the ORM (or
even Core with RETURNING, one parameter set at a time) costs many times what the database
needs. Each dialect gets its fastest plain means instead:

- SQLite: one `executemany` of the batch into `opportunities` (ids given, taken after the
  largest one: the import holds the write lock, `BEGIN IMMEDIATE`), then one of the history
  rows. The transaction spans the whole file, so nothing is flushed to disk between batches.
- PostgreSQL: one look-up of the batch's keys (`unnest` of two arrays against the unique
  index); when none is there (the common case) the batch's ids are taken from the deals'
  sequence and the deals and their history rows are `COPY`ed straight into their tables,
  as the bare floor does (an `INSERT … SELECT … ON CONFLICT` inserts row by row through
  the speculative-insertion path and cost 2.5 times the `COPY`). The copy runs under a
  savepoint: if another writer adds one of the keys meanwhile, the unique index refuses
  it, the savepoint is rolled back and the batch goes the careful way, `COPY` into a
  temporary staging table and one statement inserting the staged deals and their history
  rows together (a data-modifying `WITH` with `ON CONFLICT DO NOTHING`).

Both insert `ON CONFLICT (account_id, name) WHERE archived_at IS NULL DO NOTHING` (the
unique index covers live deals only: one removed by Undo frees its name): a deal the store
already has is not an error here but an update, which the caller makes through the one
write path (`apply_change`). So the common case, nothing there yet, needs no look-up per row; the
writer says which deals it did not insert. Deals without an account are not covered by
the unique key; the caller looks them up by name first (the key's index serves that).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Dialect, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from store.models import Opportunity
from store.services.deals.history import RECORDED

# a new deal's values, in this order (`NewDeal`); `id` is the writer's business
COLUMNS = ("name", "account_id", "owner_id", "stage_id", "amount_minor", "currency",
           "close_date", "probability", "probability_overridden", "next_step", "lost_reason",
           "last_open_stage_id", "stage_changed_at", "closed_at", "last_activity_at",
           "archived_at", "created_at", "updated_at")
NewDeal = tuple[Any, ...]
_AT = {name: position for position, name in enumerate(COLUMNS)}
_STAGE = _AT["stage_id"]
_ACCOUNT, _NAME = _AT["account_id"], _AT["name"]
_RECORDED = tuple(_AT[name] for name in RECORDED)  # what the first history row keeps
_HISTORY = ("opportunity_id", "changed_at", "changed_by_id", "from_stage_id", "to_stage_id",
            *RECORDED, "source", "note")
_STAGING = "import_opportunities"


class DealWriter(Protocol):
    """Inserts one batch of new deals; returns the positions of those it did not insert
    because the store already has a deal with that account and name."""

    def insert(self, deals: Sequence[NewDeal]) -> list[int]: ...


def deal_writer(session: Session, now: datetime) -> DealWriter:
    if session.get_bind().dialect.name == "postgresql":
        return _PostgresWriter(session, now)
    return _SqliteWriter(session, now)


def _first_history(now: Any) -> Callable[[int, NewDeal], tuple[Any, ...]]:
    """The opening history row of a new deal, as `first_history_row` makes it (from no
    stage, no actor, source 'import')."""
    def row(deal_id: int, deal: NewDeal) -> tuple[Any, ...]:
        return (deal_id, now, None, None, deal[_STAGE], *(deal[i] for i in _RECORDED),
                "import", None)
    return row


def _encoder(kind: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """How the column type writes a value on this dialect (SQLite: dates as text)."""
    return kind.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)


class _SqliteWriter:
    def __init__(self, session: Session, now: datetime) -> None:
        self._connection = session.connection()
        dialect = self._connection.dialect
        table = Opportunity.__table__
        # the store's own encodings of dates and times (the SQL below bypasses the types)
        self._day = _encoder(table.c.close_date.type, dialect)
        moment = _encoder(table.c.created_at.type, dialect)
        self._moment = moment
        self._raw_now, self._now = now, moment(now)
        self._next_id: int | None = None
        names = ", ".join(("id", *COLUMNS))
        marks = ", ".join("?" * (len(COLUMNS) + 1))
        self._insert = (f"INSERT INTO opportunities ({names}) VALUES ({marks}) "
                        "ON CONFLICT (account_id, name) WHERE archived_at IS NULL "
                        "DO NOTHING")
        self._history = (f"INSERT INTO opportunity_history ({', '.join(_HISTORY)}) "
                         f"VALUES ({', '.join('?' * len(_HISTORY))})")
        self._days: dict[date, Any] = {}
        self._close = _AT["close_date"]
        self._times = tuple(_AT[name] for name in ("stage_changed_at", "closed_at",
                                                  "created_at", "updated_at"))

    def _encoded(self, deal: NewDeal) -> list[Any]:
        row = list(deal)
        day = row[self._close]
        encoded = self._days.get(day)
        if encoded is None:
            if len(self._days) > 10_000:
                self._days.clear()
            encoded = self._days[day] = self._day(day)
        row[self._close] = encoded
        for position in self._times:
            value = row[position]
            if value is not None:  # nearly always the import's own time
                row[position] = self._now if value == self._raw_now else self._moment(value)
        return row

    def insert(self, deals: Sequence[NewDeal]) -> list[int]:
        if not deals:
            return []
        if self._next_id is None:
            self._next_id = (self._connection.exec_driver_sql(
                "SELECT max(id) FROM opportunities").scalar() or 0) + 1
        first = self._next_id
        self._next_id += len(deals)
        rows = [(first + n, *self._encoded(deal)) for n, deal in enumerate(deals)]
        done = self._connection.exec_driver_sql(self._insert, rows).rowcount
        missed: list[int] = []
        if done != len(rows):
            there = set(self._connection.exec_driver_sql(
                "SELECT id FROM opportunities WHERE id BETWEEN ? AND ?",
                (first, first + len(rows) - 1)).scalars())
            missed = [n for n in range(len(rows)) if first + n not in there]
        skip = set(missed)
        history = _first_history(self._now)
        written = [history(row[0], row[1:]) for n, row in enumerate(rows) if n not in skip]
        if written:
            self._connection.exec_driver_sql(self._history, written)
        return missed


class _PostgresWriter:
    def __init__(self, session: Session, now: datetime) -> None:
        self._session = session
        self._now = now
        self._staged = False
        self._plan_mode: str | None = None
        names = ", ".join(COLUMNS)
        recorded = ", ".join(RECORDED)
        self._copy = f"COPY {_STAGING} (ord, {names}) FROM STDIN"
        self._copy_deals = f"COPY opportunities (id, {names}) FROM STDIN"
        self._copy_history = f"COPY opportunity_history ({', '.join(_HISTORY)}) FROM STDIN"
        self._lookup = text(
            "SELECT 1 FROM unnest(CAST(:accounts AS integer[]), CAST(:names AS text[])) "
            "AS k(account_id, name) JOIN opportunities o "
            "ON o.account_id = k.account_id AND o.name = k.name "
            "AND o.archived_at IS NULL LIMIT 1")
        self._ids = text("SELECT nextval(pg_get_serial_sequence('opportunities', 'id')) "
                         "FROM generate_series(1, :n)")
        self._insert = text(
            f"WITH new AS (INSERT INTO opportunities (id, {names}) "
            f"SELECT id, {names} FROM {_STAGING} ORDER BY ord "
            "ON CONFLICT (account_id, name) WHERE archived_at IS NULL DO NOTHING "
            f"RETURNING id, stage_id, {recorded}), "
            f"history AS (INSERT INTO opportunity_history ({', '.join(_HISTORY)}) "
            f"SELECT id, :now, NULL, NULL, stage_id, {recorded}, 'import', NULL FROM new) "
            "SELECT count(*) FROM new")

    def _stage(self) -> None:
        """The staging table: the deal's columns and defaults (so `id` comes from the
        deals' own sequence as it is copied in), gone at the end of the transaction."""
        self._session.execute(text(
            f"CREATE TEMPORARY TABLE {_STAGING} (LIKE opportunities INCLUDING DEFAULTS, "
            "ord integer NOT NULL) ON COMMIT DROP"))
        self._staged = True

    def insert(self, deals: Sequence[NewDeal]) -> list[int]:
        """The batch with PostgreSQL's generic plans (`plan_cache_mode = auto`): each deal
        and history row fires a foreign-key check per reference (nine), whose prepared
        look-up a forced custom plan (the import's setting, importer.py) would plan again
        every time, half the cost of the copy."""
        if not deals:
            return []
        if self._plan_mode is None:
            self._plan_mode = self._session.execute(
                text("SELECT current_setting('plan_cache_mode')")).scalar_one()
        self._session.execute(text("SET LOCAL plan_cache_mode = auto"))
        try:
            return self._write(deals)
        finally:
            self._session.execute(text("SELECT set_config('plan_cache_mode', :mode, true)"),
                                  {"mode": self._plan_mode})

    def _write(self, deals: Sequence[NewDeal]) -> list[int]:
        if not self._present(deals):
            from psycopg.errors import UniqueViolation  # PostgreSQL's driver, only here

            savepoint = self._session.connection().begin_nested()
            try:
                self._copy_straight(deals)
            except UniqueViolation:  # written meanwhile by another writer
                savepoint.rollback()
            else:
                savepoint.commit()
                return []
        return self._insert_staged(deals)

    def _raw(self) -> Any:
        raw = self._session.connection().connection.driver_connection
        assert raw is not None
        return raw

    def _present(self, deals: Sequence[NewDeal]) -> bool:
        """Whether the store has a deal of any of these (account, name) keys: one statement,
        an index probe a key."""
        keys = [(deal[_ACCOUNT], deal[_NAME]) for deal in deals if deal[_ACCOUNT] is not None]
        if not keys:
            return False
        return self._session.execute(self._lookup, {
            "accounts": [account for account, _ in keys],
            "names": [name for _, name in keys]}).first() is not None

    def _copy_straight(self, deals: Sequence[NewDeal]) -> None:
        """The deals with ids from their own sequence, in the file's order, and their first
        history rows, each table in one `COPY`."""
        ids = sorted(self._session.execute(self._ids, {"n": len(deals)}).scalars())
        history = _first_history(self._now)
        with self._raw().cursor() as cursor:
            with cursor.copy(self._copy_deals) as copy:
                for deal_id, deal in zip(ids, deals, strict=True):
                    copy.write_row((deal_id, *deal))
            with cursor.copy(self._copy_history) as copy:
                for deal_id, deal in zip(ids, deals, strict=True):
                    copy.write_row(history(deal_id, deal))

    def _insert_staged(self, deals: Sequence[NewDeal]) -> list[int]:
        if self._staged:
            self._session.execute(text(f"TRUNCATE {_STAGING}"))
        else:
            self._stage()
        with self._raw().cursor() as cursor, cursor.copy(self._copy) as copy:
            for n, deal in enumerate(deals):
                copy.write_row((n, *deal))
        done = self._session.execute(self._insert, {"now": self._now}).scalar_one()
        if done == len(deals):
            return []
        return sorted(self._session.execute(text(
            f"SELECT s.ord FROM {_STAGING} s WHERE NOT EXISTS "
            "(SELECT 1 FROM opportunities o WHERE o.id = s.id)")).scalars())
