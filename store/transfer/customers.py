"""Accounts and contacts: the companies sold to and the people there.

Accounts match on `name_key` (case and typographic quotes ignored), so "ACME" in one
file and "Acme" in another are one account, never the duplicate-per-row that CRM
imports are known for (SuiteCRM #8725). Contacts match on email, else on name within
their account.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from sqlalchemy import Row, func, select

from store.models import Account, Contact
from store.services.accounts.accounts import name_key
from store.transfer.cells import Cells
from store.transfer.loading import Parsed, StoredRow, TableLoader
from store.transfer.lookups import chunks


class AccountLoader(TableLoader):
    table = Account.__table__
    returning = ("name_key",)

    def parse(self, cells: Cells) -> Parsed | None:
        name = cells.name("name")
        if name is None:
            return None
        values: dict[str, Any] = {"name": name, "name_key": name_key(name)}
        if cells.has("domain"):
            values["domain"] = cells.text("domain", limit=253)
        if cells.has("industry"):
            values["industry"] = cells.text("industry", limit=100)
        if cells.has("employees"):
            values["employees"] = cells.count("employees")
        if cells.has("owner"):
            owner = cells.person("owner")
            values["owner_id"] = owner.id if owner else None
        return Parsed(cells.line, values)

    def key(self, row: Parsed) -> Hashable:
        return row.values["name_key"]

    def current(self, rows: list[Parsed]) -> Mapping[Hashable, StoredRow]:
        keys = sorted({row.values["name_key"] for row in rows})
        found: dict[Hashable, StoredRow] = {}
        for chunk in chunks(keys):
            query = select(self.table).where(self.table.c.name_key.in_(chunk))
            found.update({row["name_key"]: row for row in self.session.execute(query).mappings()})
        return found

    def inserted(self, rows: list[Row[Any]]) -> None:
        for row in rows:
            self.context.lookups.remember_account(row.name_key, row.id)


class ContactLoader(TableLoader):
    table = Contact.__table__
    account_columns = ("account",)

    def parse(self, cells: Cells) -> Parsed | None:
        name = cells.name("name")
        values: dict[str, Any] = {"name": name}
        if cells.has("email"):
            values["email"] = cells.text("email", limit=320)
            if values["email"] and "@" not in values["email"]:
                cells.fail("email", f"{values['email']!r} is not an email address")
        if cells.has("phone"):
            values["phone"] = cells.text("phone", limit=64)
        if cells.has("title"):
            values["title"] = cells.text("title", limit=200)
        if cells.has("account"):
            values["account_id"] = cells.account_id("account")
        return Parsed(cells.line, values) if name else None

    def key(self, row: Parsed) -> tuple[Any, ...]:
        email = row.values.get("email")
        if email:
            return ("email", email.lower())
        return ("name", row.values["name"], row.values.get("account_id"))

    def current(self, rows: list[Parsed]) -> Mapping[Hashable, StoredRow]:
        table = self.table
        keys = [self.key(row) for row in rows]
        emails = sorted({key[1] for key in keys if key[0] == "email"})
        names = sorted({key[1] for key in keys if key[0] == "name"})
        found: dict[Hashable, StoredRow] = {}
        for chunk in chunks(emails):
            query = select(table).where(func.lower(table.c.email).in_(chunk)).order_by(
                table.c.id.desc())
            found.update({("email", row["email"].lower()): row
                          for row in self.session.execute(query).mappings()})
        for chunk in chunks(names):
            query = select(table).where(table.c.name.in_(chunk), table.c.email.is_(None))
            found.update({("name", row["name"], row["account_id"]): row
                          for row in self.session.execute(query.order_by(table.c.id.desc()))
                          .mappings()})
        return found

    def defaults(self, row: Parsed) -> dict[str, Any]:
        return {"email": None, "phone": None, "title": None, "account_id": None}
