"""Leads, contacts and accounts that look like the one being entered.

Close names warn: the same email, or a rapidfuzz score of 90 or more. The database narrows
the candidates with LIKE on word starts; rapidfuzz decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from store.access import can_see_account, can_see_contact, can_see_owner
from store.models import Account, Contact, Lead, User

SIMILAR = 90.0  # rapidfuzz score from which two names are "probably the same"
_CANDIDATE_LIMIT = 500


@dataclass(frozen=True)
class Duplicate:
    kind: str  # "lead", "contact" or "account"
    id: int
    name: str
    reason: str


def _fragments(name: str) -> list[str]:
    """Word starts worth a LIKE: the database narrows, rapidfuzz decides."""
    return sorted({word[:4] for word in default_process(name).split() if len(word) >= 3})


def _close_names(session: Session, column: Any, ident: Any, name: str, scorer: Any,
                 *where: Any) -> list[tuple[int, str, float]]:
    fragments = _fragments(name)
    if not fragments:
        return []
    rows = session.execute(
        select(ident, column).where(
            or_(*(func.lower(column).like(f"%{f}%") for f in fragments)), *where)
        .limit(_CANDIDATE_LIMIT))
    wanted = default_process(name)
    scored = [(i, n, scorer(wanted, default_process(n))) for i, n in rows]
    return sorted((s for s in scored if s[2] >= SIMILAR), key=lambda s: (-s[2], s[0]))


def close_accounts(session: Session, company: str) -> list[tuple[int, str, float]]:
    """Accounts whose name is close to `company` (WRatio ≥ 90), best first."""
    return _close_names(session, Account.name, Account.id, company, fuzz.WRatio,
                        Account.archived_at.is_(None))


def find_duplicates(session: Session, *, name: str | None = None, email: str | None = None,
                    company: str | None = None, exclude_lead: int | None = None,
                    actor: User | None = None) -> tuple[Duplicate, ...]:
    """Leads, contacts and accounts that look like the one being entered; with `actor`,
    only those they may see (store/access.py) are named: a warning must not tell a rep of
    another territory's lead, contact or account."""
    found = _duplicates(session, name=name, email=email, company=company,
                        exclude_lead=exclude_lead)
    if actor is None:
        return found
    return tuple(d for d in found if _visible(session, actor, d))


def _visible(session: Session, actor: User, duplicate: Duplicate) -> bool:
    if duplicate.kind == "account":
        return can_see_account(session, actor, duplicate.id)
    if duplicate.kind == "contact":
        contact = session.get(Contact, duplicate.id)
        return contact is not None and can_see_contact(session, actor, contact)
    lead = session.get(Lead, duplicate.id)  # unassigned: everyone's (leads.py: _sees)
    return lead is not None and (lead.owner_id is None
                                 or can_see_owner(session, actor, lead.owner_id))


def _duplicates(session: Session, *, name: str | None, email: str | None,
                company: str | None, exclude_lead: int | None) -> tuple[Duplicate, ...]:
    found: dict[tuple[str, int], Duplicate] = {}

    def add(kind: str, ident: int, label: str, reason: str) -> None:
        found.setdefault((kind, ident), Duplicate(kind, ident, label, reason))

    if email:
        lowered = email.strip().lower()
        for ident, label in session.execute(select(Lead.id, Lead.name).where(
                func.lower(Lead.email) == lowered, Lead.id != (exclude_lead or 0))):
            add("lead", ident, label, f"same email {email}")
        for ident, label in session.execute(select(Contact.id, Contact.name).where(
                func.lower(Contact.email) == lowered, Contact.archived_at.is_(None))):
            add("contact", ident, label, f"same email {email}")
    if name:
        for ident, label, score in _close_names(session, Lead.name, Lead.id, name,
                                                fuzz.token_sort_ratio,
                                                Lead.id != (exclude_lead or 0)):
            add("lead", ident, label, f"similar name ({score:.0f})")
        for ident, label, score in _close_names(session, Contact.name, Contact.id, name,
                                                fuzz.token_sort_ratio,
                                                Contact.archived_at.is_(None)):
            add("contact", ident, label, f"similar name ({score:.0f})")
    if company:
        for ident, label, score in close_accounts(session, company):
            reason = "same name" if score >= 100 else f"similar name ({score:.0f})"
            add("account", ident, label, reason)
    return tuple(found.values())
