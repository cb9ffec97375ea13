"""Personal data of a contact: export everything held about them, or forget them.

Forgetting erases the contact's personal fields, and every occurrence of their name
or email in any text column of any table (activity notes, next steps, lost reasons,
lead records…), keeps anonymised counts (the activities stay, without the text), and
records in the audit log that it happened, without the data itself.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, Text, func, or_, select, update
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import NotFound
from store.models import Activity, Base, Contact, Lead
from store.services.people import name_changes
from store.services.system import audit

ERASED = "[erased]"
_SKIP = {("contacts", "name")}  # set explicitly below, not by search and replace


def _contacts(session: Session, email: str) -> list[Contact]:
    found = list(session.scalars(select(Contact).where(func.lower(Contact.email) ==
                                                        email.strip().lower())))
    if not found:
        raise NotFound(f"No contact has the email {email}.")
    return found


def _text_columns() -> list[tuple[Any, Any]]:
    columns = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text) and not column.primary_key and (
                    table.name, column.name) not in _SKIP:
                columns.append((table, column))
    return columns


class PrivacyService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def export(self, email: str) -> dict[str, Any]:
        """Everything held about the contact(s) with this email, as plain data."""
        with self.store.transaction() as s:
            result = []
            for contact in _contacts(s, email):
                activities = s.scalars(select(Activity).where(
                    Activity.contact_id == contact.id).order_by(Activity.occurred_at))
                leads = s.scalars(select(Lead).where(func.lower(Lead.email) ==
                                                     (contact.email or "").lower()))
                result.append({
                    "name": contact.name, "email": contact.email, "phone": contact.phone,
                    "title": contact.title,
                    "account": contact.account.name if contact.account else None,
                    "created_at": contact.created_at.isoformat(),
                    "activities": [{"kind": a.kind, "subject": a.subject, "body": a.body,
                                    "occurred_at": a.occurred_at.isoformat()}
                                   for a in activities],
                    "leads": [{"name": lead.name, "company": lead.company,
                               "status": lead.status, "source": lead.source}
                              for lead in leads],
                })
            return {"email": email, "contacts": result}

    def forget(self, email: str, *, actor_id: int | None = None) -> dict[str, int]:
        """Erase the person; returns anonymised counts of what was touched."""
        with self.store.transaction() as s:
            contacts = _contacts(s, email)
            needles = {email.strip()}
            for contact in contacts:
                needles |= {v for v in (contact.name, contact.email, contact.phone) if v}
            pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len,
                                                                          reverse=True)),
                                 re.IGNORECASE)
            counts = {"contacts": len(contacts), "activities": 0, "fields": 0}
            for contact in contacts:
                erased = s.execute(update(Activity).where(Activity.contact_id == contact.id)
                                   .values(subject=ERASED, body=None).returning(Activity.id))
                counts["activities"] += len(erased.all())
                contact.name = f"Forgotten contact {contact.id}"
                name_changes.changed(s, "contact", contact.id)
                contact.email = contact.phone = contact.title = None
            s.flush()
            for table, column in _text_columns():
                condition = or_(*[func.lower(column).contains(n.lower()) for n in needles])
                pk = next(iter(table.primary_key.columns))
                for key, value in s.execute(select(pk, column).where(condition)).all():
                    s.execute(update(table).where(pk == key).values(
                        {column.name: pattern.sub(ERASED, value)}))
                    counts["fields"] += 1
            audit.record(s, at=self.store.now(), actor_id=actor_id, action="contact.forget",
                         entity_type="contact", entity_id=contacts[0].id, detail=counts,
                         source="command")
            return counts
