"""Leads from first touch to opportunity: capture, assignment, qualification, conversion.

Assignment rules are data (`SALESBOT_RULES`, a YAML file; see `load_lead_rules`): the first
rule whose conditions all hold names a person or a team, a team meaning round-robin among
its active reps; without a matching rule a lead goes round-robin within its capturer's team
(for a manager, the team they manage; with neither, the capturer keeps it). The new owner
is returned for the caller to notify.
Conversion creates or matches the account, the contact and an opportunity at the first
stage in one transaction: it all happens, or none of it does. Close names warn (leads,
contacts, accounts: the same email, or a rapidfuzz score of 90 or more) and, for the
account of a conversion, ask before anything is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from store.access import can_see_owner
from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed, NotFound
from store.models import Account, Contact, Lead, Team, User
from store.models.sales import LEAD_STATUSES
from store.money import to_minor
from store.schemas import OpportunityView
from store.services.accounts.accounts import clean_name, find_account, name_key
from store.services.deals.opportunities import create_opportunity
from store.services.people.users import find_user, require_by_id

SIMILAR = 90.0  # rapidfuzz score from which two names are "probably the same"
OPEN_STATUSES = ("new", "working", "qualified")
_CANDIDATE_LIMIT = 500
_RULE_KEYS = ("source", "email_domain", "company", "industry")


# -- assignment rules ----------------------------------------------------------------------

@dataclass(frozen=True)
class LeadRule:
    """`when` conditions (all must hold, case-insensitive) and who gets the lead.

    source: the words appear in the lead's source ("trade show"); email_domain: the email
    ends with it (".de", "example.com"), territory by domain; company: the words appear in
    the company name; industry: an existing account named like the company has it.
    """

    when: dict[str, str]
    user: str | None = None
    team: str | None = None

    def matches(self, lead: Lead, industry: str | None) -> bool:
        facts = {"source": lead.source, "company": lead.company, "industry": industry,
                 "email_domain": (lead.email or "").rsplit("@", 1)[-1] if lead.email else None}
        for key, wanted in self.when.items():
            fact = (facts.get(key) or "").casefold()
            wanted = wanted.casefold()
            if not fact or not (fact.endswith(wanted) if key == "email_domain"
                                else fact == wanted if key == "industry" else wanted in fact):
                return False
        return True


@dataclass(frozen=True)
class LeadRules:
    rules: tuple[LeadRule, ...] = ()


def load_lead_rules(path: Path | str | None) -> LeadRules:
    """Read the `leads:` list of a rules file; no file means round-robin within the team.

        leads:
          - when: {email_domain: ".de"}
            team: DACH
          - when: {industry: Healthcare, source: trade show}
            user: dana@example.com
    """
    if path is None:
        return LeadRules()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInput(f"{path}: can't read the rules file: {exc}") from exc
    rules = []
    for number, entry in enumerate(data.get("leads") or [], start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("when", {}), dict):
            raise InvalidInput(f"{path}: lead rule {number} is not a mapping with `when`.")
        when = {str(k): str(v) for k, v in (entry.get("when") or {}).items()}
        unknown = set(when) - set(_RULE_KEYS)
        if unknown or bool(entry.get("user")) == bool(entry.get("team")):
            raise InvalidInput(f"{path}: lead rule {number} needs conditions among "
                               f"{', '.join(_RULE_KEYS)} and exactly one of user or team.")
        rules.append(LeadRule(when, user=entry.get("user"), team=entry.get("team")))
    return LeadRules(tuple(rules))


def _round_robin(session: Session, members: list[int]) -> int | None:
    """The member whose latest lead is the oldest (never given one: first), by id on ties."""
    if not members:
        return None
    latest = func.coalesce(func.max(Lead.id), 0)
    return session.scalar(
        select(User.id).outerjoin(Lead, Lead.owner_id == User.id)
        .where(User.id.in_(members)).group_by(User.id).order_by(latest, User.id).limit(1))


def _team_members(session: Session, team_id: int) -> list[int]:
    active = [User.team_id == team_id, User.is_active.is_(True)]
    reps = list(session.scalars(select(User.id).where(*active, User.role == "rep")))
    return reps or list(session.scalars(select(User.id).where(*active)))


def assign(session: Session, lead: Lead, capturer: User, rules: LeadRules) -> tuple[User, str]:
    """Who gets `lead`, and why (shown to the capturer)."""
    account = find_account(session, lead.company) if lead.company else None
    for rule in rules.rules:
        if not rule.matches(lead, account.industry if account else None):
            continue
        if rule.user:
            user = find_user(session, rule.user)
            if user is not None and user.is_active:
                return user, f"rule: {_describe(rule)}"
        elif rule.team:
            team = session.scalar(select(Team).where(func.lower(Team.name) == rule.team.lower()))
            chosen = _round_robin(session, _team_members(session, team.id)) if team else None
            if chosen is not None:
                return require_by_id(session, chosen), f"rule: {_describe(rule)}, round-robin"
    team_id = capturer.team_id or session.scalar(
        select(Team.id).where(Team.manager_id == capturer.id).order_by(Team.id).limit(1))
    if team_id is not None:
        chosen = _round_robin(session, _team_members(session, team_id))
        if chosen is not None:
            return require_by_id(session, chosen), "round-robin in the team"
    return capturer, "you have no team, so it's yours"


def _describe(rule: LeadRule) -> str:
    return ", ".join(f"{k} {v}" for k, v in rule.when.items()) or "everything"


# -- duplicates ----------------------------------------------------------------------------

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
                    company: str | None = None, exclude_lead: int | None = None
                    ) -> tuple[Duplicate, ...]:
    """Leads, contacts and accounts that look like the one being entered."""
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


# -- views ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class LeadView:
    id: int
    name: str
    company: str | None
    title: str | None
    email: str | None
    phone: str | None
    source: str | None
    status: str
    owner_id: int | None
    owner_name: str | None
    owner_slack_id: str | None
    disqualified_reason: str | None
    converted_opportunity_id: int | None
    created_at: datetime

    @classmethod
    def of(cls, lead: Lead, owner: User | None) -> LeadView:
        return cls(lead.id, lead.name, lead.company, lead.title, lead.email, lead.phone,
                   lead.source, lead.status, lead.owner_id, owner.name if owner else None,
                   owner.slack_user_id if owner else None, lead.disqualified_reason,
                   lead.converted_opportunity_id, lead.created_at)


@dataclass(frozen=True)
class CapturedLead:
    lead: LeadView
    assigned_because: str
    duplicates: tuple[Duplicate, ...]
    notify_slack_id: str | None  # the new owner, when someone else captured it


@dataclass(frozen=True)
class AccountQuestion:
    """Conversion is waiting for the rep: which of these accounts is the lead's company?"""

    lead_id: int
    company: str
    candidates: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Conversion:
    lead: LeadView
    account_id: int | None
    account_name: str | None
    account_created: bool
    contact_id: int
    contact_reused: bool
    opportunity: OpportunityView
    duplicates: tuple[Duplicate, ...] = field(default=())


# -- the service ---------------------------------------------------------------------------

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
            duplicates = find_duplicates(s, name=name, email=lead.email, company=lead.company)
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

    def account_question(self, actor_id: int, lead_id: int) -> AccountQuestion | None:
        """The question conversion would ask about the account, or None when it needn't."""
        with self.store.transaction() as s:
            lead = self._lead(s, require_by_id(s, actor_id), lead_id)
            return self._account_question(s, lead)

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
                account = s.get(Account, account_id)
                if account is None or account.archived_at is not None:
                    raise NotFound("That account no longer exists.")
            elif lead.company:
                account = find_account(s, lead.company)
                if account is None and not new_account:
                    question = self._account_question(s, lead)
                    if question is not None:
                        return question
                if account is None:
                    account = Account(name=clean_name(lead.company, "account"),
                                      name_key=name_key(lead.company), owner_id=owner.id)
                    s.add(account)
                    s.flush()
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

    def _account_question(self, session: Session, lead: Lead) -> AccountQuestion | None:
        if not lead.company or find_account(session, lead.company) is not None:
            return None
        close = close_accounts(session, lead.company)[:5]
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
        return contact, False


def _sees(session: Session, actor: User, owner_id: int | None) -> bool:
    """An unassigned lead is everyone's to see; an assigned one follows the owner rules."""
    return owner_id is None or can_see_owner(session, actor, owner_id)


def _blank(text: str | None) -> str | None:
    return (" ".join(text.split()) or None) if text else None
