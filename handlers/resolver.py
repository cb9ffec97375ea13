"""Which deal, account, contact or stage a phrase means, or a question when it's unclear.

Thin on purpose: the fuzzy matching is `store.resolve`, the candidate lists come from
`store.services.directory`; this module only decides what to ask the rep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from store.resolve import NameIndex, resolve
from store.schemas import StageView
from store.services.directory import ContactRef, DealRef, Directory

_FILLER = re.compile(r"^(?:the|our|my|a|an)\s+|\s+(?:deal|opportunity|opp|account)$", re.I)
_STAGE_ALIASES = {
    "won": "Closed Won", "closed won": "Closed Won", "lost": "Closed Lost",
    "closed lost": "Closed Lost", "qualification": "Needs Analysis", "discovery": "Needs Analysis",
    "proposal": "Proposal/Price Review", "quote": "Proposal/Price Review",
    "negotiation": "Negotiation/Review", "negotiating": "Negotiation/Review",
    "prospect": "Prospecting",
}
DEAL_CUTOFF = 70.0


def clean_phrase(phrase: str) -> str:
    phrase = phrase.strip(" .!?\"'“”")
    previous = None
    while previous != phrase:
        previous, phrase = phrase, _FILLER.sub("", phrase).strip()
    return phrase


@dataclass(frozen=True)
class Resolved:
    """found: exactly one; candidates: ask; neither: nothing matched."""

    found: DealRef | None = None
    candidates: list[DealRef] = field(default_factory=list)

    @property
    def is_none(self) -> bool:
        return self.found is None and not self.candidates


def resolve_deal(directory: Directory, actor_id: int, phrase: str) -> Resolved:
    """A deal by its title ("globex expansion") or by its account when that has one open deal."""
    phrase = clean_phrase(phrase)
    if not phrase:
        return Resolved()
    deals = directory.open_deals(actor_id)
    by_id = {d.id: d for d in deals}
    deal_result = resolve(NameIndex((d.id, d.title) for d in deals).search(phrase, limit=5,
                                                                           cutoff=DEAL_CUTOFF))
    if deal_result.kind == "found":
        return Resolved(found=by_id[deal_result.match.id])
    account_result = resolve(directory.accounts().search(phrase, limit=5, cutoff=80))
    if account_result.kind == "found":
        of_account = [d for d in deals if d.account_id == account_result.match.id]
        if len(of_account) == 1:
            return Resolved(found=of_account[0])
        if of_account:
            return Resolved(candidates=of_account[:5])
    if deal_result.kind == "ambiguous":
        return Resolved(candidates=[by_id[m.id] for m in deal_result.candidates])
    return Resolved()


@dataclass(frozen=True)
class Subject:
    """What an activity is about; any of the three may be missing."""

    account_id: int | None = None
    account_name: str | None = None
    contact: ContactRef | None = None
    deal: DealRef | None = None
    account_choices: list[tuple[int, str]] = field(default_factory=list)

    @property
    def is_none(self) -> bool:
        return self.account_id is None and self.contact is None and self.deal is None


_PERSON_AT = re.compile(r"^(?P<person>.+?)\s+(?:from|at|of|@)\s+(?P<company>.+)$", re.I)


def _mentions(name: str, text: str) -> bool:
    return bool(name) and re.search(rf"\b{re.escape(name.lower())}\b", text.lower()) is not None


def resolve_subject(directory: Directory, actor_id: int, phrase: str, text: str) -> Subject:
    """"acme", "Jane from Globex", "the globex expansion" → account, contact and deal."""
    phrase = clean_phrase(phrase)
    person, company = phrase, phrase
    if m := _PERSON_AT.match(phrase):
        person, company = m["person"], m["company"]
    contact = None
    contact_result = resolve(directory.contacts().search(person, limit=5, cutoff=85))
    if contact_result.kind == "found":
        contact = directory.contact(contact_result.match.id)
    deal_hit = resolve_deal(directory, actor_id, phrase)
    if deal_hit.found is not None and deal_hit.found.account_id is not None:
        if contact is not None and contact.account_id != deal_hit.found.account_id:
            contact = None
        return Subject(account_id=deal_hit.found.account_id,
                       account_name=deal_hit.found.account_name, contact=contact,
                       deal=deal_hit.found)
    account_result = resolve(directory.accounts().search(company, limit=5, cutoff=80))
    account_id = account_name = None
    if account_result.kind == "found":
        account_id, account_name = account_result.match.id, account_result.match.name
    elif contact is not None and contact.account_id is not None:
        account_id, account_name = contact.account_id, contact.account_name
    elif account_result.kind == "ambiguous" and contact is None:
        return Subject(account_choices=[(m.id, m.name) for m in account_result.candidates])
    deal = None
    if account_id is not None:
        open_deals = directory.open_deals(actor_id, account_id=account_id)
        named = [d for d in open_deals if _mentions(d.name, text)]
        if len(named) == 1:
            deal = named[0]
        elif len(open_deals) == 1:
            deal = open_deals[0]
    return Subject(account_id=account_id, account_name=account_name, contact=contact, deal=deal)


def resolve_stage(stages: list[StageView], phrase: str) -> StageView | None:
    """A stage by name, alias ("negotiation", "won") or close spelling."""
    phrase = clean_phrase(phrase).lower()
    phrase = re.sub(r"^(?:stage\s+)", "", phrase)
    target = _STAGE_ALIASES.get(phrase)
    by_name = {s.name.lower(): s for s in stages}
    if target and target.lower() in by_name:
        return by_name[target.lower()]
    result = resolve(NameIndex((s.id, s.name) for s in stages).search(phrase, limit=3, cutoff=70))
    if result.kind == "found":
        return next(s for s in stages if s.id == result.match.id)
    return None
