"""Quotas: what each person should close in a fiscal quarter, keyed by user + period.

The period is the quota file's `2026-Q4` (fiscal quarters, SALESBOT_FISCAL_YEAR_START);
the amount is read with its own currency's decimals, blank currency meaning the default.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from sqlalchemy import select

from store.errors import InvalidInput
from store.models import Quota
from store.services.pipeline.quotas import normalize_period
from store.transfer.cells import Cells
from store.transfer.loading import Parsed, StoredRow, TableLoader
from store.transfer.values import CellError, minor_units


def _period(text: str) -> str:
    try:
        return normalize_period(text)
    except InvalidInput as exc:
        raise CellError(f"{text!r} is not a quarter (write it like 2026-Q4)") from exc


class QuotaLoader(TableLoader):
    table = Quota.__table__

    def parse(self, cells: Cells) -> Parsed | None:
        user = cells.person("user", required=True)
        period = cells.read("period", _period, required=True)
        currency = cells.currency()
        amount = cells.amount("amount", required=True)
        values: dict[str, Any] = {"user_id": user.id if user else None, "period": period,
                                  "currency": currency}
        if amount is not None:
            try:
                values["amount_minor"] = minor_units(amount, currency)
            except CellError as exc:
                cells.fail("amount", str(exc))
        if user is None or period is None or amount is None:
            return None
        return Parsed(cells.line, values)

    def key(self, row: Parsed) -> Hashable:
        return (row.values["user_id"], row.values["period"])

    def current(self, rows: list[Parsed]) -> Mapping[Hashable, StoredRow]:
        table = self.table
        users = sorted({row.values["user_id"] for row in rows})
        periods = sorted({row.values["period"] for row in rows})
        query = select(table).where(table.c.user_id.in_(users), table.c.period.in_(periods))
        return {(row["user_id"], row["period"]): row
                for row in self.session.execute(query).mappings()}
