"""Products (the price list, keyed by SKU) and contracts (keyed by account + name).

Contracts have no currency column (docs/INTERFACES.md): a new one is in the configured
currency, an existing one keeps its own, and its value is read with that currency's
decimals.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from sqlalchemy import select

from store.models import Contract, Product
from store.transfer.cells import Cells
from store.transfer.loading import Parsed, StoredRow, TableLoader
from store.transfer.lookups import chunks
from store.transfer.values import CellError, minor_units


class ProductLoader(TableLoader):
    table = Product.__table__

    def parse(self, cells: Cells) -> Parsed | None:
        sku = cells.text("sku", limit=64, required=True)
        name = cells.name("name")
        currency = cells.currency()
        price = cells.amount("list_price", required=True)
        values: dict[str, Any] = {"sku": sku, "name": name, "currency": currency}
        if price is not None:
            try:
                values["list_price_minor"] = minor_units(price, currency)
            except CellError as exc:
                cells.fail("list_price", str(exc))
        return Parsed(cells.line, values) if sku and name else None

    def key(self, row: Parsed) -> Hashable:
        return row.values["sku"]

    def current(self, rows: list[Parsed]) -> Mapping[Hashable, StoredRow]:
        found: dict[Hashable, StoredRow] = {}
        for chunk in chunks(sorted({row.values["sku"] for row in rows})):
            query = select(self.table).where(self.table.c.sku.in_(chunk))
            found.update({row["sku"]: row for row in self.session.execute(query).mappings()})
        return found

    def defaults(self, row: Parsed) -> dict[str, Any]:
        return {"is_active": True}


class ContractLoader(TableLoader):
    table = Contract.__table__
    account_columns = ("account",)

    def parse(self, cells: Cells) -> Parsed | None:
        account_id = cells.account_id(required=True)
        name = cells.name("name")
        value = cells.amount("value", required=True)
        start, end = cells.day("start_date", required=True), cells.day("end_date", required=True)
        if start and end and end < start:
            cells.fail("end_date", "a contract can't end before it starts")
        values: dict[str, Any] = {"account_id": account_id, "name": name, "start_date": start,
                                  "end_date": end}
        if value is not None:
            try:  # checked against the default currency now, an existing one's when written
                values["value_minor"] = minor_units(value, self.context.options.currency)
            except CellError as exc:
                cells.fail("value", str(exc))
        if cells.has("owner"):
            owner = cells.person("owner")
            values["owner_id"] = owner.id if owner else None
        if account_id is None or name is None or value is None:
            return None
        return Parsed(cells.line, values, {"value": value})

    def key(self, row: Parsed) -> Hashable:
        return (row.values["account_id"], row.values["name"])

    def current(self, rows: list[Parsed]) -> Mapping[Hashable, StoredRow]:
        table = self.table
        accounts = sorted({row.values["account_id"] for row in rows})
        found: dict[Hashable, StoredRow] = {}
        for chunk in chunks(sorted({row.values["name"] for row in rows})):
            query = select(table).where(table.c.name.in_(chunk), table.c.account_id.in_(accounts))
            found.update({(row["account_id"], row["name"]): row
                          for row in self.session.execute(query).mappings()})
        return found

    def defaults(self, row: Parsed) -> dict[str, Any]:
        return {"currency": self.context.options.currency, "status": "active", "owner_id": None}

    def changes(self, row: Parsed, existing: StoredRow) -> dict[str, Any] | None:
        currency = existing["currency"]
        if currency == self.context.options.currency:
            return row.values
        try:
            return {**row.values, "value_minor": minor_units(row.extra["value"], currency)}
        except CellError as exc:
            self.context.reject(row.line, [("value", str(exc))])
            return None
