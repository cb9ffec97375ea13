"""`salesbot db backup FILE`: a consistent copy while the bot keeps running.

SQLite uses its online backup API (pages copied under the database's own locks).
PostgreSQL is backed up with its own tool, `pg_dump`; we say how rather than wrap it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from store.errors import InvalidInput


def backup(database_url: str, target: Path) -> int:
    """Copy the database to `target`; returns its size in bytes."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        safe = url.render_as_string(hide_password=True)
        raise InvalidInput(
            f"{safe} is PostgreSQL: back it up with pg_dump, for example\n"
            f"  pg_dump --format=custom --file={target} \"$DATABASE_URL\"\n"
            f"and restore with pg_restore --clean --dbname=\"$DATABASE_URL\" {target}")
    if not url.database or url.database == ":memory:":
        raise InvalidInput("An in-memory database has nothing to back up.")
    if target.exists():
        raise InvalidInput(f"{target} exists already; pick a new file name.")
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
    finally:
        copy.close()
        source.close()
    return target.stat().st_size
