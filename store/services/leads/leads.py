"""Leads from first touch to opportunity: capture, qualification, conversion.

Capture assigns an owner (`store.services.leads.rules`) and returns them for the caller to
notify. Conversion creates or matches the account, the contact and an opportunity at the
first stage in one transaction: it all happens, or none of it does. For the account of a
conversion, close names (`store.services.leads.duplicates`) ask before anything is created.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.access import (
    MISSING_ACCOUNT,
    can_see_account,
    can_see_owner,
    require_account_access,
    visible_account_ids,
)
from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed, NotFound
from store.models import Account, Contact, Lead, User
from store.models.sales import LEAD_STATUSES
from store.money import to_minor
from store.schemas import OpportunityView
from store.services.accounts.accounts import clean_name, find_account, name_key
from store.services.deals.opportunities import create_opportunity
from store.services.leads.duplicates import close_accounts, find_duplicates
from store.services.leads.rules import LeadRules, assign
from store.services.leads.views import AccountQuestion, CapturedLead, Conversion, LeadView
from store.services.people import name_changes
from store.services.people.users import require_by_id

OPEN_STATUSES = ("new", "working", "qualified")


class LeadService:
    def __init__(self, store: Store, *, rules: LeadRules | None = None,
                 default_currency: str = "USD") -> None:
        self.store = store
        self.rules = rules or LeadRules()
        self.default_currency = default_currency

    def capture(self, actor_id: int, *, name: str, company: str | None = None,
                title: str | None = None, email: str | None = None, phone: str | None = None,
                source: str | None = None, owner_id: int | None = None) -> CapturedLead:
        name = clean_name(name, "lead")
        if email and ("@" not in email or " " in email.strip()):
            raise InvalidInput(f"{email!r} is not an email address.")
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            lead = Lead(name=name, company=_blank(company), title=_blank(title),
                        email=_blank(email), phone=_blank(phone), source=_blank(source),
                        status="new")
            if owner_id is not None:
                owner = require_by_id(s, owner_id)
                if not _sees(s, actor, owner.id):
                    raise NotAllowed(f"{owner.name} is not in your team.")
                because = "you chose them"
            else:
                owner, because = assign(s, lead, actor, self.rules)
            lead.owner_id = owner.id
            duplicates = find_duplicates(s, name=name, email=lead.email, company=lead.company,
                                         actor=actor)
            s.add(lead)
            s.flush()
            return CapturedLead(LeadView.of(lead, owner), because, duplicates,
                                owner.slack_user_id if owner.id != actor.id else None)

    def get(self, actor_id: int, lead_id: int) -> LeadView:
        with self.store.transaction() as s:
            lead = self._lead(s, require_by_id(s, actor_id), lead_id)
            return LeadView.of(lead, s.get(User, lead.owner_id) if lead.owner_id else None)

    def mine(self, actor_id: int, *, limit: int = 20) -> list[LeadView]:
        """The actor's open leads, newest first."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            rows = s.scalars(select(Lead).where(Lead.owner_id == actor.id,
                                                Lead.status.in_(OPEN_STATUSES))
                             .order_by(Lead.id.desc()).limit(limit))
            return [LeadView.of(lead, actor) for lead in rows]

    def qualify(self, actor_id: int, lead_id: int) -> LeadView:
        return self._set_status(actor_id, lead_id, "qualified")

    def disqualify(self, actor_id: int, lead_id: int, reason: str) -> LeadView:
        if not (reason or "").strip():
            raise InvalidInput("Disqualifying a lead needs a reason.")
        return self._set_status(actor_id, lead_id, "disqualified", reason.strip())

    def convert(self, actor_id: int, lead_id: int, *, account_id: int | None = None,
                new_account: bool = False, deal_name: str | None = None,
                amount: Decimal | None = None, currency: str | None = None
                ) -> Conversion | AccountQuestion:
        """Account (matched, chosen or created), contact and opportunity, all or nothing.

        When the company only resembles existing accounts and neither `account_id` nor
        `new_account` says what to do, nothing is written and the question comes back.
        """
        currency = (currency or self.default_currency).upper()
        now = self.store.now()
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            lead = self._lead(s, actor, lead_id)
            if lead.status in ("converted", "disqualified"):
                raise Conflict(f"{lead.name} is already {lead.status}.")
            owner = require_by_id(s, lead.owner_id) if lead.owner_id else actor
            account, created = None, False
            if account_id is not None:
                account = require_account_access(s, actor, account_id)
                if account.archived_at is not None:
                    raise NotFound(MISSING_ACCOUNT)
            elif lead.company:
                account = find_account(s, lead.company)
                if account is not None and not can_see_account(s, actor, account.id):
                    raise NotAllowed(f"An account called {lead.company!r} belongs to someone "
                                     "outside your team; ask its owner or a manager to "
                                     "convert this lead.")
                if account is None and not new_account:
                    question = self._account_question(s, actor, lead)
                    if question is not None:
                        return question
                if account is None:
                    account = Account(name=clean_name(lead.company, "account"),
                                      name_key=name_key(lead.company), owner_id=owner.id)
                    s.add(account)
                    s.flush()
                    name_changes.changed(s, "account", account.id)
                    created = True
            contact, reused = self._contact(s, lead, account, owner)
            opp = create_opportunity(
                s, name=deal_name or f"New business — {lead.name}", owner=owner, now=now,
                currency=currency, account_name=account.name if account else None,
                amount_minor=to_minor(amount, currency) if amount is not None else 0,
                actor=actor, source="slack")
            lead.status, lead.converted_at = "converted", now
            lead.converted_account_id = account.id if account else None
            lead.converted_contact_id, lead.converted_opportunity_id = contact.id, opp.id
            s.flush()
            return Conversion(LeadView.of(lead, owner), account.id if account else None,
                              account.name if account else None, created, contact.id, reused,
                              OpportunityView.of(opp))

    # -- inside a transaction --------------------------------------------------------------
    def _lead(self, session: Session, actor: User, lead_id: int) -> Lead:
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise NotFound("That lead no longer exists.")
        if not _sees(session, actor, lead.owner_id):
            raise NotAllowed("That lead belongs to someone outside your team.")
        return lead

    def _set_status(self, actor_id: int, lead_id: int, status: str,
                    reason: str | None = None) -> LeadView:
        assert status in LEAD_STATUSES
        with self.store.transaction() as s:
            lead = self._lead(s, require_by_id(s, actor_id), lead_id)
            if lead.status == "converted":
                raise Conflict(f"{lead.name} was converted already.")
            if lead.status == status:
                raise Conflict(f"{lead.name} is already {status}.")
            lead.status = status
            lead.disqualified_reason = reason if status == "disqualified" else None
            s.flush()
            return LeadView.of(lead, s.get(User, lead.owner_id) if lead.owner_id else None)

    def _account_question(self, session: Session, actor: User, lead: Lead
                          ) -> AccountQuestion | None:
        """Close accounts to choose from: only those the actor may see (store/access.py)."""
        if not lead.company or find_account(session, lead.company) is not None:
            return None
        visible = visible_account_ids(session, actor)
        close = [c for c in close_accounts(session, lead.company)
                 if visible is None or c[0] in visible][:5]
        if not close:
            return None
        return AccountQuestion(lead.id, lead.company, tuple((i, n) for i, n, _ in close))

    def _contact(self, session: Session, lead: Lead, account: Account | None,
                 owner: User) -> tuple[Contact, bool]:
        """The lead's contact: the one with its email at that account, or a new one (the
        double contact of Frappe CRM #2384 is what reusing avoids)."""
        if lead.email:
            at_account = (Contact.account_id == account.id if account is not None
                          else Contact.account_id.is_(None))
            same = session.scalar(select(Contact).where(
                func.lower(Contact.email) == lead.email.lower(), Contact.archived_at.is_(None),
                at_account))
            if same is not None:
                return same, True
        contact = Contact(name=lead.name, email=lead.email, phone=lead.phone, title=lead.title,
                          account_id=account.id if account else None, owner_id=owner.id)
        session.add(contact)
        session.flush()
        name_changes.changed(session, "contact", contact.id)
        return contact, False


def _sees(session: Session, actor: User, owner_id: int | None) -> bool:
    """An unassigned lead is everyone's to see; an assigned one follows the owner rules."""
    return owner_id is None or can_see_owner(session, actor, owner_id)


def _blank(text: str | None) -> str | None:
    return (" ".join(text.split()) or None) if text else None
