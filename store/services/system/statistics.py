"""The planner's statistics, refreshed after a bulk write so the next reads plan well.

Both databases choose between an index and a scan (stuck deals oldest first, a team's
deals by owner, the sweep's windows) from what they know of the tables. PostgreSQL's
autovacuum catches up with a bulk import in its own time, minutes later; SQLite gathers
nothing unless asked. So an import that wrote many rows asks at once: `ANALYZE` on
PostgreSQL (it samples a fixed number of rows a table, so a second or so at a million),
and on SQLite `ANALYZE` under `PRAGMA analysis_limit` (each index sampled, not read whole:
milliseconds whatever the size), which is also what SQLite's own `PRAGMA optimize` runs.
Small writes leave the statistics alone: the shape of the tables barely changes.
"""

from __future__ import annotations

from sqlalchemy import text

from store.db import Store

BULK_ROWS = 1000
"""Rows written at once from which the statistics are refreshed (a tenth of the rows
autovacuum waits for on a table of ten thousand)."""

SQLITE_ANALYSIS_LIMIT = 400
"""Rows SQLite's ANALYZE reads per index: the figure its documentation suggests for
`PRAGMA optimize`, enough for the planner's choices here."""


def refresh_statistics(store: Store) -> None:
    """Refresh the planner's statistics of every table (after a bulk write)."""
    if store.dialect == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        return
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        try:
            conn.exec_driver_sql("ANALYZE")
        finally:
            conn.exec_driver_sql("PRAGMA analysis_limit=0")


def after_bulk_write(store: Store, rows: int) -> bool:
    """Refresh the statistics when `rows` is a bulk write's worth; whether it did."""
    if rows < BULK_ROWS:
        return False
    refresh_statistics(store)
    return True
