"""Which deal, account, contact or stage a phrase means, or a question when it's unclear.

Thin on purpose: the fuzzy matching is `store.resolve`, the candidate lists come from
`store.services.directory`; this module only decides what to ask the rep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from store.resolve import NameIndex, PatchedIndex, Within, resolve
from store.schemas import StageView
from store.services.deals.stages import stage_for_word
from store.services.people.directory import ContactRef, DealRef, Directory

_FILLER = re.compile(r"^(?:the|our|my|a|an)\s+|\s+(?:deal|opportunity|opp|account)$", re.I)
_DATE_WORDS = re.compile(r"\s+(?:yesterday|today|tomorrow|this (?:morning|afternoon|week)|"
                         r"last (?:week|\w+day)|on \w+day)\b.*$", re.I)
DEAL_CUTOFF = 70.0


def clean_phrase(phrase: str) -> str:
    """Filler and trailing time words off a name: "the acme deal yesterday" → "acme"."""
    phrase = _DATE_WORDS.sub("", phrase.strip(" .!?\"'“”"))
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


_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"a", "an", "the", "with", "about", "for", "on", "of", "and", "to", "at", "in", "our",
         "my", "their", "deal", "opportunity", "opp", "account", "from", "re"}


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def plausible(phrase: str, name: str) -> bool:
    """Every word typed (but filler) is nearly a word of the name, or starts one.

    Fuzzy scores alone take "tom" for "Nakatomi Trading" and "up a call with tyrell" for
    "Tyrell — Pilot"; this keeps a match only when the words line up.
    """
    name_words = _words(name)
    typed = [w for w in _words(phrase) if w not in _STOP]
    return bool(typed) and all(
        any(n.startswith(w) or (len(w) > 3 and fuzz.ratio(w, n) >= 75) for n in name_words)
        for w in typed)


def _names_deal(deal: DealRef, phrase: str) -> bool:
    words = set(_words(phrase))
    return bool(deal.name) and all(w in words for w in _words(deal.name) if w not in _STOP)


def resolve_deal(directory: Directory, actor_id: int, phrase: str) -> Resolved:
    """A deal by its title ("globex expansion"), or by its account ("globex"): one open
    deal is taken, several are asked about unless the phrase names one of them.

    The account decides first, and then only that account's deals are read; every open deal
    the actor may see (thousands for a busy rep) is read only when no account does."""
    phrase = clean_phrase(phrase)
    if not phrase:
        return Resolved()
    account_matches = [m for m in directory.accounts(actor_id).search(phrase, limit=5, cutoff=80)
                       if plausible(phrase, m.name)]
    account_result = resolve(account_matches)
    if (account := account_result.match) is not None:
        of_account = directory.open_deals(actor_id, account_id=account.id)
        named = [d for d in of_account if _names_deal(d, phrase)]
        if len(of_account) == 1 or len(named) == 1:
            return Resolved(found=(named or of_account)[0])
        if of_account:
            return Resolved(candidates=of_account[:5])
    if account_result.kind == "ambiguous":  # "umbra": Umbra Labs or Umbra Corp? ask
        close = [m.id for m in account_result.candidates]
        return Resolved(candidates=directory.open_deals_of(actor_id, close)[:5])
    deals = directory.open_deals(actor_id)
    by_id = {d.id: d for d in deals}
    deal_matches = [m for m in NameIndex((d.id, d.title) for d in deals).search(
        phrase, limit=5, cutoff=DEAL_CUTOFF) if plausible(phrase, m.name)]
    deal_result = resolve(deal_matches)
    if deal_result.match is not None:
        return Resolved(found=by_id[deal_result.match.id])
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


def _contact(directory: Directory, actor_id: int, person: str,
             account_id: int | None) -> ContactRef | None:
    """A contact by name (of those the actor may see), within the account when one was named."""
    pool: NameIndex | PatchedIndex | Within = (directory.contacts(actor_id) if account_id is None
                                else NameIndex(directory.contacts_of(actor_id, account_id)))
    result = resolve([m for m in pool.search(person, limit=5, cutoff=85)
                      if plausible(person, m.name)])
    return directory.contact(actor_id, result.match.id) if result.match is not None else None


def resolve_subject(directory: Directory, actor_id: int, phrase: str, text: str) -> Subject:
    """"acme", "Jane from Globex", "the globex expansion" → account, contact and deal."""
    phrase = clean_phrase(phrase)
    person, company = phrase, phrase
    if m := _PERSON_AT.match(phrase):
        person, company = m["person"], m["company"]
    matches = directory.accounts(actor_id).search(company, limit=5, cutoff=80)
    account_result = resolve([m for m in matches if plausible(company, m.name)])
    account = account_result.match
    named_account = account.id if account is not None else None
    contact = _contact(directory, actor_id, person, named_account if person != company else None)
    deal_hit = resolve_deal(directory, actor_id, phrase)
    if deal_hit.found is not None and deal_hit.found.account_id is not None:
        if contact is not None and contact.account_id != deal_hit.found.account_id:
            contact = None
        return Subject(account_id=deal_hit.found.account_id,
                       account_name=deal_hit.found.account_name, contact=contact,
                       deal=deal_hit.found)
    account_id = account_name = None
    if account is not None:
        account_id, account_name = account.id, account.name
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
    if (named := stage_for_word(phrase, stages)) is not None:
        return named
    result = resolve(NameIndex((s.id, s.name) for s in stages).search(phrase, limit=3, cutoff=70))
    if (stage := result.match) is not None:
        return next(s for s in stages if s.id == stage.id)
    return None


def new_account_name(phrase: str) -> str:
    """The company in "Bob Smith at NewCo" or "freshco yesterday": what to create."""
    phrase = clean_phrase(phrase)
    if m := _PERSON_AT.match(phrase):
        phrase = m["company"]
    return phrase.strip()[:200]
