"""Export: the canonical columns, rows sorted by key, RFC 4180 text.

The rows are streamed from the database (`yield_per`) in one read-only transaction, so
exporting a large pipeline costs the memory of one batch. They are read with SQLAlchemy
Core (`store.transfer.export_rows`): an export never needs the ORM. CRLF line ends are
RFC 4180's, and they make Python's csv module quote a cell holding a lone carriage
return, which "\\n" would not.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from store.db import Store
    from store.transfer.kinds import KindSpec


def export_csv(store: Store, spec: KindSpec, out: TextIO) -> int:
    """Write every row of `spec`'s kind to `out`; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(spec.columns)
    count = 0
    with store.reading_connection() as connection:
        for row in spec.rows(connection):
            writer.writerow(row)
            count += 1
    return count
