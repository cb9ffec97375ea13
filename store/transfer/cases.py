"""Cases (support tickets, keyed by number): open ones are a renewal-risk signal.

`status` is one of new/assigned/pending/closed/rejected/duplicate (blank: new),
`priority` low/normal/high/urgent (blank: normal); times are ISO 8601 like activities.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from sqlalchemy import select

from store.models import Case
from store.models.commerce import CASE_PRIORITIES, CASE_STATUSES
from store.transfer.cells import Cells
from store.transfer.loading import Parsed, StoredRow, TableLoader
from store.transfer.lookups import chunks
from store.transfer.values import CellError


def _one_of(choices: tuple[str, ...], what: str):
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in choices:
            raise CellError(f"{what} is one of {', '.join(choices)}")
        return value
    return parse


class CaseLoader(TableLoader):
    table = Case.__table__
    account_columns = ("account",)

    def parse(self, cells: Cells) -> Parsed | None:
        number = cells.text("number", limit=32, required=True)
        account_id = cells.account_id(required=True)
        subject = cells.name("subject", limit=300)
        status = cells.read("status", _one_of(CASE_STATUSES, "status"), required=False)
        priority = cells.read("priority", _one_of(CASE_PRIORITIES, "priority"), required=False)
        opened = cells.moment("opened_at", required=True)
        closed = cells.moment("closed_at")
        if opened and closed and closed < opened:
            cells.fail("closed_at", "a case can't close before it opens")
        if not (number and account_id and subject and opened):
            return None
        return Parsed(cells.line, {
            "number": number, "account_id": account_id, "subject": subject,
            "status": status or "new", "priority": priority or "normal",
            "opened_at": opened, "closed_at": closed,
        })

    def key(self, row: Parsed) -> Hashable:
        return row.values["number"]

    def current(self, rows: list[Parsed]) -> Mapping[Hashable, StoredRow]:
        found: dict[Hashable, StoredRow] = {}
        for chunk in chunks(sorted({row.values["number"] for row in rows})):
            query = select(self.table).where(self.table.c.number.in_(chunk))
            found.update({row["number"]: row for row in self.session.execute(query).mappings()})
        return found
