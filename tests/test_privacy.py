"""`contacts forget` leaves no copy of the email or name in any text column."""

from __future__ import annotations

import pytest
from sqlalchemy import String, Text, func, select

from store.errors import NotFound
from store.models import Base
from store.services import Services
from store.services.people.privacy import PrivacyService


@pytest.fixture
def jane(services: Services):
    rep = services.users.get_or_create("U0ANA", name="Ana Rep")
    services.accounts.create(rep.id, "Globex")
    contact = services.contacts.create(rep.id, "Jane Roe", account="Globex",
                                       email="jane.roe@globex.test", phone="+1 555 0100")
    opp = services.opportunities.create(rep.id, "Expansion", account="Globex")
    services.activities.log(rep.id, kind="meeting", subject="Met Jane Roe",
                            body="jane.roe@globex.test wants a demo", contact_id=contact.id)
    services.activities.log(rep.id, kind="note", subject="Asked JANE ROE's boss",
                            opportunity_id=opp.id)
    services.opportunities.update(rep.id, opp.id, next_step="send Jane Roe the pricing")
    return rep, contact


def test_export_has_everything(services: Services, jane) -> None:
    data = PrivacyService(services.store).export("Jane.Roe@globex.test")
    [contact] = data["contacts"]
    assert (contact["name"], contact["phone"], contact["account"]) == (
        "Jane Roe", "+1 555 0100", "Globex")
    assert [a["subject"] for a in contact["activities"]] == ["Met Jane Roe"]


def test_forget_leaves_no_copy_anywhere(services: Services, jane) -> None:
    counts = PrivacyService(services.store).forget("jane.roe@globex.test")
    assert counts["contacts"] == 1 and counts["activities"] == 1
    with services.store.transaction() as s:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text):
                    continue
                for needle in ("jane roe", "jane.roe@globex.test", "555 0100"):
                    hits = s.scalar(select(func.count()).select_from(table).where(
                        func.lower(column).contains(needle)))
                    assert hits == 0, f"{table.name}.{column.name} still holds {needle}"
    rep, contact = jane
    # the counts survive: two activities, one of them about the (now nameless) contact
    assert len(services.activities.list_for(rep.id)) == 2
    assert services.contacts.get(contact.id).name.startswith("Forgotten contact")
    with services.store.transaction() as s:
        from store.models import AuditEntry

        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "contact.forget"))
        assert "jane" not in (entry.detail or "").lower()


def test_unknown_email(services: Services) -> None:
    with pytest.raises(NotFound):
        PrivacyService(services.store).forget("nobody@example.com")
