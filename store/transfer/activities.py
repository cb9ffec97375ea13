"""Activities: calls, meetings, emails, notes and tasks, keyed by kind + subject + account
+ occurred_at.

They follow `store.services.activities.add_activity`: the account is filled from the deal
or contact when the file leaves it blank, `done` left blank means "done unless a
follow-up is due", and a logged activity keeps its deal's last-activity time current.
An activity names its deal by name (within its account) and its contact by email, or
by name when the contact has none.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, or_, select, update

from store.models import ACTIVITY_KINDS, Activity, Contact, Opportunity
from store.models.base import UTCDateTime
from store.transfer.cells import Cells
from store.transfer.loading import ImportContext, Parsed, StoredRow, TableLoader
from store.transfer.lookups import chunks
from store.transfer.reader import Record
from store.transfer.values import CellError, clean_text, collapse

Link = tuple[int, int | None]  # (id, account id) of a deal or contact


def _kind(text: str) -> str:
    kind = text.lower()
    if kind not in ACTIVITY_KINDS:
        raise CellError(f"{text!r} is not an activity kind ({', '.join(ACTIVITY_KINDS)})")
    return kind


def _pick(candidates: list[Link], account_id: int | None, what: str, ref: str) -> Link:
    """The one deal or contact a name means: within the row's account, else the only one."""
    if account_id is not None:
        candidates = [c for c in candidates if c[1] == account_id]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        where = " at that account" if account_id is not None else ""
        raise CellError(f"no {what} {ref!r}{where}")
    raise CellError(f"{len(candidates)} {what}s are called {ref!r}; name the account")


class ActivityLoader(TableLoader):
    table = Activity.__table__
    account_columns = ("account",)

    def __init__(self, context: ImportContext) -> None:
        super().__init__(context)
        self._deals: dict[str, list[Link]] = {}
        self._contacts_by_email: dict[str, list[Link]] = {}
        self._contacts_by_name: dict[str, list[Link]] = {}

    def load(self, records: list[Record]) -> None:
        self._prefetch(records)
        super().load(records)

    def _prefetch(self, records: list[Record]) -> None:
        """Look up the batch's deals and contacts in a few queries, once per name."""
        deals, emails, names = set(), set(), set()
        for record in records:
            deal = collapse(clean_text(record.cells.get("opportunity")))
            contact = clean_text(record.cells.get("contact"))
            if deal and deal not in self._deals:
                deals.add(deal)
            if "@" in contact and contact.lower() not in self._contacts_by_email:
                emails.add(contact.lower())
            elif contact and "@" not in contact and collapse(contact) not in self._contacts_by_name:
                names.add(collapse(contact))
        self._fetch(self._deals, deals, Opportunity.name, Opportunity)
        self._fetch(self._contacts_by_email, emails, func.lower(Contact.email), Contact)
        self._fetch(self._contacts_by_name, names, Contact.name, Contact)

    def _fetch(self, cache: dict[str, list[Link]], wanted: set[str], column: Any,
               model: type[Opportunity] | type[Contact]) -> None:
        for chunk in chunks(sorted(wanted)):
            cache.update({name: [] for name in chunk})
            query = select(column.label("ref"), model.id, model.account_id) \
                .where(column.in_(chunk)).order_by(model.id)
            if model is Opportunity:  # a deal removed by Undo takes no activities
                query = query.where(Opportunity.archived_at.is_(None))
            for row in self.session.execute(query):
                cache.setdefault(row.ref, []).append((row.id, row.account_id))

    def parse(self, cells: Cells) -> Parsed | None:
        kind = cells.read("kind", _kind, required=True)
        subject = cells.name("subject", limit=300)
        owner = cells.person("owner", required=True)
        occurred_at = cells.moment("occurred_at", required=True)
        account_id = cells.account_id() if cells.has("account") else None
        values: dict[str, Any] = {"kind": kind, "subject": subject,
                                  "owner_id": owner.id if owner else None,
                                  "occurred_at": occurred_at}
        deal = self._link(cells, "opportunity", account_id, values)
        contact = self._link(cells, "contact", account_id, values)
        if account_id is None:
            account_id = (deal and deal[1]) or (contact and contact[1]) or None
        values["account_id"] = account_id
        if account_id is None and deal is None and contact is None and not cells.failures:
            cells.fail("account", "say which account, contact or opportunity this is about")
        if cells.has("follow_up_at"):
            values["follow_up_at"] = cells.moment("follow_up_at")
        done = cells.flag("done") if cells.has("done") else None
        if done is None and "follow_up_at" in values:
            done = values["follow_up_at"] is None
        if done is not None:
            values["done"] = done
        if None in (kind, subject, owner, occurred_at):
            return None
        return Parsed(cells.line, values)

    def _link(self, cells: Cells, column: str, account_id: int | None,
              values: dict[str, Any]) -> Link | None:
        """Resolve the row's deal or contact; an absent column leaves the link alone."""
        if not cells.has(column):
            return None
        ref = cells.raw(column)
        link: Link | None = None
        if ref:
            if column == "opportunity":
                candidates = self._deals.get(collapse(ref), [])
            elif "@" in ref:
                candidates = self._contacts_by_email.get(ref.lower(), [])
            else:
                candidates = self._contacts_by_name.get(collapse(ref), [])
            try:
                link = _pick(candidates, account_id, "deal" if column == "opportunity"
                             else "contact", ref)
            except CellError as exc:
                cells.fail(column, str(exc))
        values[f"{column}_id"] = link[0] if link else None
        return link

    def key(self, row: Parsed) -> Hashable:
        v = row.values
        return (v["kind"], v["subject"], v["account_id"], v["occurred_at"])

    def current(self, rows: list[Parsed]) -> Mapping[Hashable, StoredRow]:
        table = self.table
        moments = sorted({row.values["occurred_at"] for row in rows})
        found: dict[Hashable, StoredRow] = {}
        for chunk in chunks(sorted({row.values["subject"] for row in rows})):
            query = select(table).where(table.c.subject.in_(chunk),
                                        table.c.occurred_at.in_(moments))
            for row in self.session.execute(query.order_by(table.c.id.desc())).mappings():
                found[(row["kind"], row["subject"], row["account_id"], row["occurred_at"])] = row
        return found

    def defaults(self, row: Parsed) -> dict[str, Any]:
        return {"follow_up_at": None, "done": row.values.get("follow_up_at") is None,
                "opportunity_id": None, "contact_id": None}

    def written(self, rows: list[Parsed]) -> None:
        """Keep each deal's last-activity time current, as logging an activity does."""
        latest: dict[int, datetime] = {}
        for row in rows:
            deal_id = row.values.get("opportunity_id")
            if deal_id is not None:
                moment = row.values["occurred_at"]
                latest[deal_id] = max(moment, latest.get(deal_id, moment))
        if not latest:
            return
        deals = Opportunity.__table__
        at = bindparam("_at", type_=UTCDateTime())
        statement = update(deals).where(
            deals.c.id == bindparam("_id"),
            or_(deals.c.last_activity_at.is_(None), deals.c.last_activity_at < at),
        ).values(last_activity_at=at)
        self.session.execute(statement, [{"_id": k, "_at": v} for k, v in latest.items()])
