"""Engine, sessions and the one-transaction-per-action rule.

`Store` is what every service gets: a session factory and the clock. A service
method opens exactly one `store.transaction()`, so a user action commits whole or
not at all.

A unit of work can be tied to something that must be recorded with it (a Slack event
marked done, store/services/system/events.py): `begin_work` names it for the current
thread, and the first transaction of that work that writes records it before committing,
so the effect and its record commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from store.clock import Clock, SystemClock

if TYPE_CHECKING:
    from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

# Start-up cost: the ORM (and with it every model) is imported when the first session is
# made, not with this module, so a command that reads with Core (`salesbot export`, the
# schema check) never pays for mapping the models.


def normalize_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (docs/INTERFACES.md); other schemes pass through."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # A unit of work that reads and then writes must hold the write lock from the
    # start: a deferred transaction whose snapshot went stale fails its first write
    # with "database is locked" at once (busy_timeout can't help). IMMEDIATE makes
    # writers queue up behind busy_timeout; WAL keeps readers of other connections free.
    # A read (`Store.read`) never writes, so it takes no write lock and queues behind none.
    # Sent on the driver's connection: through `exec_driver_sql` the BEGIN cost a whole
    # statement execution of SQLAlchemy's (events, result set-up), about 45 µs of CPU on
    # each of a request's ten or so transactions; a driver error is raised as SQLAlchemy's.
    begin = "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
    dbapi = conn.dialect.loaded_dbapi
    try:
        conn.connection.driver_connection.execute(begin)
    except dbapi.Error as err:
        raise exc.DBAPIError.instance(begin, (), err, dbapi.Error) from err


READ_ONLY = "salesbot_read_only"
"""The execution option `Store.read` sets on its connections."""


POOL_SIZE = 10
"""Connections kept open per process."""
POOL_OVERFLOW = 20
"""More opened while busy: `serve` runs 8 request threads and 16 listener threads that may
each hold one (README: Capacity), and a request thread waiting for a connection delays an
ack. On SQLite a connection per transaction (with its PRAGMAs) cost more CPU than the
queries it ran (13.3 → 8.3 ms per request once pooled, `python -m benchmarks load`)."""


def make_engine(url: str) -> Engine:
    """An engine with the dialect's house settings (SQLite: WAL, foreign keys, busy timeout)."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        memory = ":memory:" in url or "mode=memory" in url
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "isolation_level": None, "timeout": 10},
            **({} if memory else {"poolclass": QueuePool, "pool_size": POOL_SIZE,
                                  "max_overflow": POOL_OVERFLOW}),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE,
                         max_overflow=POOL_OVERFLOW)


def _stamp_times(session: Session, _context: Any, _instances: Any) -> None:
    """Fill created_at/updated_at from the session's clock, so no model reads the wall."""
    from store.models.base import Timestamps

    clock: Clock = session.info["clock"]
    now = clock.now()
    for obj in session.new:
        if isinstance(obj, Timestamps):
            if obj.created_at is None:
                obj.created_at = now
            if obj.updated_at is None:
                obj.updated_at = now
    for obj in session.dirty:
        if isinstance(obj, Timestamps) and session.is_modified(obj, include_collections=False):
            obj.updated_at = now


def _strip_nul(session: Session, _context: Any, _instances: Any) -> None:
    """Drop NUL characters from every text attribute about to be written.

    PostgreSQL text cannot hold \\x00 (SQLite can), so a NUL pasted into Slack would crash
    the write on one database only; stripping it here covers every service and form once.
    """
    for obj in (*session.new, *session.dirty):
        for column in sa_inspect(obj).mapper.column_attrs:
            value = getattr(obj, column.key, None)
            if isinstance(value, str) and "\x00" in value:
                setattr(obj, column.key, value.replace("\x00", ""))


@dataclass
class Work:
    """A unit of work in progress on this thread and what to record with its first write.

    `record(session)` runs inside the first transaction of the work that writes, just
    before it commits; it may raise to roll that transaction back (the work was already
    done elsewhere). `recorded` turns true once that transaction has committed."""

    record: Callable[[Session], None]
    recorded: bool = False
    aside: int = 0  # > 0 inside `aside_from_work()`


_work: ContextVar[Work | None] = ContextVar("salesbot_work", default=None)


def begin_work(record: Callable[[Session], None]) -> Token[Work | None]:
    """Tie what this thread commits next to `record` (see `Work`); `end_work` unties it."""
    return _work.set(Work(record))


def end_work(token: Token[Work | None]) -> Work | None:
    """Untie the work `begin_work` started and return it (was it recorded?)."""
    work = _work.get()
    _work.reset(token)
    return work


@contextmanager
def aside_from_work() -> Iterator[None]:
    """Writes that are not the work itself and are safe to repeat (creating the user who
    talks to the bot on first sight, say): they must not record the work as done, or a
    crash right after them would lose the work that follows."""
    work = _work.get()
    if work is not None:
        work.aside += 1
    try:
        yield
    finally:
        if work is not None:
            work.aside -= 1


def _note_flush(session: Session, _context: Any) -> None:
    session.info["wrote"] = True


def _note_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


def _record_work(session: Session) -> None:
    """Before a commit: record the thread's work in this transaction if it is the work's
    first that writes (flushed already, DML executed, or objects pending)."""
    work = _work.get()
    if work is None or work.recorded or work.aside or "work" in session.info:
        return
    if not (session.info.get("wrote") or session.new or session.deleted
            or any(session.is_modified(obj) for obj in session.dirty)):
        return
    session.info["work"] = work
    work.record(session)


def _work_committed(session: Session) -> None:
    work = session.info.pop("work", None)
    if isinstance(work, Work):
        work.recorded = True


class Store:
    """The database handle services share: engine, session factory, clock."""

    def __init__(self, url: str, clock: Clock | None = None) -> None:
        self.url = normalize_url(url)
        self.clock: Clock = clock or SystemClock()
        self.engine = make_engine(self.url)
        self._reading = self.engine.execution_options(**{READ_ONLY: True})

    @cached_property
    def _sessions(self) -> sessionmaker[Session]:
        """The session factory, made on first use (see "Start-up cost" above)."""
        from sqlalchemy.orm import sessionmaker

        sessions = sessionmaker(self.engine, expire_on_commit=False, info={"clock": self.clock})
        event.listen(sessions, "before_flush", _stamp_times)
        event.listen(sessions, "before_flush", _strip_nul)
        event.listen(sessions, "after_flush", _note_flush)
        event.listen(sessions, "do_orm_execute", _note_dml)
        event.listen(sessions, "before_commit", _record_work)
        event.listen(sessions, "after_commit", _work_committed)
        return sessions

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any exception."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads (looking names up, showing a card): on SQLite it
        takes no write lock, so the many reads of a busy minute do not queue behind one
        another and the writes; anything it writes by mistake is rolled back."""
        with self._sessions(bind=self._reading) as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def reading_connection(self) -> Iterator[Connection]:
        """`read`, for SQLAlchemy Core: one transaction that only reads, on a connection
        (an export streams its rows through one, and needs no ORM)."""
        with self._reading.connect() as connection, connection.begin() as transaction:
            try:
                yield connection
            finally:
                transaction.rollback()

    def now(self) -> datetime:
        return self.clock.now()

    def dispose(self) -> None:
        self.engine.dispose()
