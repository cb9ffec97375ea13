"""A bulk import leaves the planner statistics of what it wrote (store/services/system/
statistics.py): the reads right after it (the pipeline's stuck deals, a team's deals) plan
from the tables as they now are, not as an empty database, on SQLite and on PostgreSQL."""

from __future__ import annotations

import io

from sqlalchemy import text

from store.db import Store
from store.services import Services
from store.services.system.statistics import BULK_ROWS
from store.transfer import KINDS, ImportOptions, import_csv

HEADER = "name,account,owner,stage,amount,currency,close_date,next_step\n"


def _import(store: Store, rows: int, tag: str) -> None:
    body = "".join(f"Deal {tag}{n},Acme,U01ANN,,{n},,2026-12-01,\n" for n in range(rows))
    result = import_csv(store, KINDS["opportunities"], io.BytesIO((HEADER + body).encode()),
                        ImportOptions())
    assert result.committed and result.tally.new == rows


def _known_rows(store: Store) -> int:
    """The rows of opportunities the planner knows of (0: no statistics)."""
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            return int(conn.scalar(text(
                "SELECT reltuples FROM pg_class WHERE relname = 'opportunities'")) or 0)
        stat = conn.scalar(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'opportunities' "
                                "AND idx IS NOT NULL LIMIT 1")) \
            if conn.scalar(text("SELECT count(*) FROM sqlite_master "
                                "WHERE name = 'sqlite_stat1'")) else None
        return int(stat.split()[0]) if stat else 0


def test_a_bulk_import_refreshes_the_planner_statistics(services: Services) -> None:
    ann = services.users.get_or_create("U01ANN", name="Ann Rep", email="ann@example.com")
    services.accounts.create(ann.id, "Acme")
    _import(services.store, 10, "small")  # too few to refresh anything
    _import(services.store, BULK_ROWS, "bulk")
    # the table as it is now (the database is shared: earlier tests' imports were larger)
    assert BULK_ROWS // 2 < _known_rows(services.store) <= 2 * (BULK_ROWS + 10)
