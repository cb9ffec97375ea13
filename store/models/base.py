"""Declarative base, naming convention and the column types every model shares."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy import BigInteger, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from store.coltypes import UTCDateTime  # defined apart so Core-only readers need no ORM

# Stable constraint names, so migrations and `compare_metadata` agree on every dialect.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


MinorUnits = BigInteger
CurrencyCode = String(3)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model here is mapped to a Table (none to a join or a select), so say so:
        # the bulk loaders and `reset_all` insert into and update `Model.__table__`.
        __table__: ClassVar[Table]


class Timestamps:
    """created_at / updated_at, set by the services from the injected clock."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
