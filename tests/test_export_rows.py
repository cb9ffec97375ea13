"""The export reads tables described by hand (store/transfer/export_rows.py, SQLAlchemy
Core, so `salesbot export` needs no ORM): each column it reads must be the models' column
of that name, converted to the same Python type."""

from __future__ import annotations

import pytest
from sqlalchemy import TableClause

from store.coltypes import UTCDateTime
from store.models.base import Base
from store.transfer.export_rows import TABLES


@pytest.mark.parametrize("described", TABLES, ids=lambda t: t.name)
def test_every_column_the_export_reads_is_the_models(described: TableClause) -> None:
    import store.models  # noqa: F401  (every model registered on Base.metadata)

    model = Base.metadata.tables[described.name]
    for column in described.columns:
        assert column.name in model.columns, f"{described.name}.{column.name} is not a column"
        ours, theirs = column.type, model.columns[column.name].type
        assert ours.python_type is theirs.python_type, (
            f"{described.name}.{column.name}: read as {ours!r}, stored as {theirs!r}")
        # a stored timestamp is read back aware and in UTC only through the store's type
        assert isinstance(ours, UTCDateTime) == isinstance(theirs, UTCDateTime), column.name
