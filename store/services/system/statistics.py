"""The planner's statistics, refreshed after a bulk write so the next reads plan well.

Both databases choose between an index and a scan (stuck deals oldest first, a team's
deals by owner, the sweep's windows) from what they know of the tables. PostgreSQL's
autovacuum catches up with a bulk import in its own time, minutes later; SQLite gathers
nothing unless asked. So an import that wrote many rows asks at once: `ANALYZE` on
PostgreSQL (it samples a fixed number of rows a table, so a second or so at a million),
and a full `ANALYZE` on SQLite (seconds at a million deals): under `PRAGMA analysis_limit`
its sampled statistics sent stuck deals at a million from under a millisecond to a second
(a walk of the wrong index), so the import pays the full read once.
Small writes leave the statistics alone: the shape of the tables barely changes.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from store.db import Store

log = logging.getLogger(__name__)

BULK_ROWS = 1000
"""Rows written at once from which the statistics are refreshed (a tenth of the rows
autovacuum waits for on a table of ten thousand)."""


def refresh_statistics(store: Store) -> None:
    """Refresh the planner's statistics of every table (after a bulk write)."""
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        return
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def after_bulk_write(store: Store, rows: int) -> bool:
    """Refresh the statistics when `rows` is a bulk write's worth; whether it did. Called
    after the import committed, so a failure here is logged, not raised: the user is never
    told an import failed whose rows were saved."""
    if rows < BULK_ROWS:
        return False
    try:
        refresh_statistics(store)
    except SQLAlchemyError as exc:  # the rows are saved: slower plans, never a failed import
        log.warning("statistics not refreshed after a bulk write: %s", type(exc).__name__)
        return False
    return True
