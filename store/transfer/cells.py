"""Typed access to one record's cells, collecting every complaint instead of stopping.

A person fixing a file wants all of a row's problems at once, so each accessor records
its failure and returns None; the loader checks `failures` once the row is read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import TypeVar

from store.models import Stage
from store.transfer.lookups import ImportLookups, Person
from store.transfer.reader import Layout, Record
from store.transfer.values import (
    CellError,
    check_length,
    clean_text,
    collapse,
    currency_code,
    parse_amount,
    parse_count,
    parse_date,
    parse_flag,
    parse_moment,
    parse_percent,
)

T = TypeVar("T")


class Cells:
    """One record, read cell by cell with the kind's rules."""

    def __init__(
        self, record: Record, layout: Layout, lookups: ImportLookups, *,
        currency: str, zone: tzinfo,
    ) -> None:
        self.record = record
        self.layout = layout
        self.lookups = lookups
        self.default_currency = currency
        self.zone = zone
        self.failures: list[tuple[str, str]] = []
        if record.misshapen is not None:
            self.failures.append(record.misshapen)

    @property
    def line(self) -> int:
        return self.record.line

    def fail(self, column: str, reason: str) -> None:
        """Record a bad cell; a short row is reported once, not once per missing cell."""
        if self.record.cells.get(column, "") is not None:
            self.failures.append((column, reason))

    def has(self, column: str) -> bool:
        """Whether the file has this column at all (absent columns leave values alone)."""
        return self.layout.has(column)

    def raw(self, column: str) -> str:
        return clean_text(self.record.cells.get(column))

    def read(self, column: str, parse: Callable[[str], T], *, required: bool) -> T | None:
        text = clean_text(self.record.cells.get(column))
        if not text:
            if required:
                self.fail(column, "required")
            return None
        try:
            return parse(text)
        except CellError as exc:
            self.fail(column, str(exc))
            return None

    def text(self, column: str, *, limit: int | None = None, required: bool = False) -> str | None:
        return self.read(column, lambda t: check_length(t, limit), required=required)

    def name(self, column: str, *, limit: int = 200, required: bool = True) -> str | None:
        """A name, blanks collapsed the way the services clean names."""
        return self.read(column, lambda t: check_length(collapse(t), limit), required=required)

    def currency(self, column: str = "currency") -> str:
        """The row's currency; blank or absent means the configured default."""
        try:
            return currency_code(self.raw(column), self.default_currency)
        except CellError as exc:
            self.fail(column, str(exc))
            return self.default_currency

    def amount(self, column: str, *, required: bool = False) -> Decimal | None:
        grouping = self.layout.salesforce
        return self.read(column, lambda t: parse_amount(t, grouping=grouping),
                          required=required)

    def day(self, column: str, *, required: bool = False) -> date | None:
        us_dates = self.layout.salesforce
        return self.read(column, lambda t: parse_date(t, us_dates=us_dates), required=required)

    def moment(self, column: str, *, required: bool = False) -> datetime | None:
        zone = self.zone
        return self.read(column, lambda t: parse_moment(t, zone), required=required)

    def flag(self, column: str) -> bool | None:
        return self.read(column, parse_flag, required=False)

    def count(self, column: str) -> int | None:
        return self.read(column, parse_count, required=False)

    def percent(self, column: str) -> int | None:
        return self.read(column, parse_percent, required=False)

    def person(self, column: str, *, required: bool = False) -> Person | None:
        def find(ref: str) -> Person:
            person = self.lookups.person(ref)
            if person is None:
                raise CellError(f"no user {ref!r} (use a Slack id, an email or a unique name)")
            return person
        return self.read(column, find, required=required)

    def account_id(self, column: str = "account", *, required: bool = False) -> int | None:
        def find(name: str) -> int:
            account_id = self.lookups.account_id(name)
            if account_id is None:
                raise CellError(f"no account called {name!r}; import accounts first")
            return account_id
        return self.read(column, find, required=required)

    def stage(self, column: str = "stage") -> Stage | None:
        def find(name: str) -> Stage:
            stage = self.lookups.stage(name)
            if stage is None:
                raise CellError(f"no stage {name!r} (the stages are "
                                f"{self.lookups.stage_list()}; --stage-map maps others)")
            if not stage.is_active:
                raise CellError(f"the stage {stage.name!r} is no longer in use")
            return stage
        return self.read(column, find, required=False)
