"""A database of its own for one benchmark run, removed afterwards whatever happens.

Every benchmark that fills a book needs one, on SQLite or on the PostgreSQL server
`DATABASE_URL` names; this is the one place that creates and drops them, so no run leaves a
database behind.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from store.db import make_engine, normalize_url


def is_postgres(server: str | None) -> bool:
    return bool(server) and str(server).startswith(("postgresql", "postgres"))


@contextmanager
def scratch_database(server: str | None, label: str) -> Iterator[str]:
    """The URL of a fresh empty database: a file in a temporary folder when `server` is not
    a PostgreSQL URL, else a new database on that server named after `label`."""
    if not server or not is_postgres(server):
        with tempfile.TemporaryDirectory(prefix=f"salesbot-{label}-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    url = make_url(normalize_url(server))
    name = f"{url.database or 'salesbot'}_{label}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(server)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
