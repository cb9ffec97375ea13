"""Who gets a new lead: assignment rules read from a file, then round-robin.

Assignment rules are data (`SALESBOT_RULES`, a YAML file; see `load_lead_rules`): the first
rule whose conditions all hold names a person or a team, a team meaning round-robin among
its active reps; without a matching rule a lead goes round-robin within its capturer's team
(for a manager, the team they manage; with neither, the capturer keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.errors import InvalidInput
from store.models import Lead, Team, User
from store.roles import REP
from store.services.accounts.accounts import find_account
from store.services.people.users import find_user, require_by_id

_RULE_KEYS = ("source", "email_domain", "company", "industry")


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
    reps = list(session.scalars(select(User.id).where(*active, User.role == REP)))
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
