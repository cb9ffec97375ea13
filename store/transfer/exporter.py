"""Export: the canonical columns, rows sorted by key, RFC 4180 text.

The rows are streamed from the database (`yield_per`), so exporting a large pipeline
costs the memory of one batch. CRLF line ends are RFC 4180's, and they make Python's
csv module quote a cell holding a lone carriage return, which "\\n" would not.
"""

from __future__ import annotations

import csv
from typing import TextIO

from store.db import Store
from store.transfer.kinds import KindSpec


def export_csv(store: Store, spec: KindSpec, out: TextIO) -> int:
    """Write every row of `spec`'s kind to `out`; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(spec.columns)
    count = 0
    with store.transaction() as session:
        for row in spec.rows(session):
            writer.writerow(row)
            count += 1
    return count
