"""The store's names as the language layer's spotter reads them, rebuilt when they change.

Every account, contact, person, stage and open deal, visible or not (the reader drops what
the rep may not see), so one prepared copy serves every rep; `Directory.name_rows` says
when the rows changed, and which. Building the spotter for 100,000 names takes seconds, so
a few names added, renamed or gone are patched into a copy of it (`_patched`) and only a
bulk change (an import, the stages edited) builds it anew.
"""

from __future__ import annotations

import threading
from typing import Any

from handlers.language.spotting import Gazetteer, Known
from handlers.language.stage_words import stage_known
from store.services.people.directory import Directory, NameRows


class Names:
    """The spotter's copy of the store's names, rebuilt when the names change."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._built: tuple[NameRows, Gazetteer] | None = None
        self.rebuilds = 0
        """How many times the spotter was built from every name (tests count them)."""

    def gazetteer(self) -> Gazetteer:
        rows = self.directory.name_rows()
        with self._lock:
            built = self._built
        if built is not None and built[0] is rows:
            return built[1]
        spotter: Gazetteer | None = None
        if built is not None and rows.previous == built[0].version and rows.changed:
            spotter = _patched(built[1], built[0], rows)
        if spotter is None:
            spotter = Gazetteer(_known(rows))
            self.rebuilds += 1
        with self._lock:
            if self._built is None or self._built[0].version <= rows.version:
                self._built = (rows, spotter)
        return spotter


_KIND_OF = {"account": "accounts", "contact": "contacts", "user": "users", "deal": "deals"}


def _subset(rows: NameRows, changed: dict[str, frozenset[int]]) -> NameRows:
    """Only the rows of the changed ids (no stages: a stage change rebuilds everything)."""
    def pick(kind: str) -> tuple[Any, ...]:
        ids = changed.get(kind, frozenset())
        return tuple(r for r in getattr(rows, _KIND_OF[kind]) if r[0] in ids)

    return NameRows(accounts=pick("account"), contacts=pick("contact"), users=pick("user"),
                    stages=(), deals=pick("deal"))


def _patched(base: Gazetteer, old: NameRows, new: NameRows) -> Gazetteer | None:
    """`base` with the changed names of `new` (since `old`) dropped and added again, in a
    copy: the spotter in use is never changed under a reader. The tables are shared but
    for the entries the change touches, so this costs the copy of a few dicts, not the
    preparation of every name's typos. None when the spotter's layout is not the one this
    knows (then it is built anew)."""
    changed = dict(new.changed)
    gone = {(k.kind, k.id) for k in _known(_subset(old, changed))}
    fresh = _known(_subset(new, changed))
    try:
        phrases = list(base._phrases)
        by_word = dict(base._by_word)
        deals_of = dict(base._deals_of)
        stems, slips, prefixes = dict(base._stems), dict(base._slips), dict(base._prefixes)
    except AttributeError:
        return None
    if gone:
        dropped = {i for i, phrase in enumerate(phrases)
                   if (phrase.known.kind, phrase.known.id) in gone}
        for i in dropped:
            for word in set(phrases[i].words):
                if word in by_word:
                    by_word[word] = [p for p in by_word[word] if p != i]
        for scope, deals in list(deals_of.items()):
            if any((d.kind, d.id) in gone for d, _ in deals):
                deals_of[scope] = [(d, own) for d, own in deals if (d.kind, d.id) not in gone]
    patch = Gazetteer(fresh)  # the new names alone, prepared as a build prepares them
    offset = len(phrases)
    phrases.extend(patch._phrases)
    for word, positions in patch._by_word.items():
        by_word[word] = [*by_word.get(word, ()), *(offset + p for p in positions)]
    for scope, deals in patch._deals_of.items():
        deals_of[scope] = sorted([*deals_of.get(scope, ()), *deals], key=lambda d: d[0].id)
    for table, extra in ((stems, patch._stems), (slips, patch._slips),
                         (prefixes, patch._prefixes)):
        for key, words in extra.items():
            table[key] = table.get(key, set()) | words
    spotter = Gazetteer(())
    spotter._phrases, spotter._by_word, spotter._deals_of = phrases, by_word, deals_of
    spotter._stems, spotter._slips, spotter._prefixes = stems, slips, prefixes
    return spotter


def _known(rows: NameRows) -> list[Known]:
    known = [Known("account", i, name) for i, name in rows.accounts]
    known += [Known("contact", i, name, scope=account, first_name_ok=True)
              for i, name, account in rows.contacts]
    known += [Known("user", i, name, first_name_ok=True) for i, name in rows.users]
    known += [stage_known(i, name, is_won=kind == "won", is_lost=kind == "lost")
              for i, name, kind in rows.stages]
    known += [Known("deal", i, f"{account_name} {name}" if account_name else name,
                    scope=account_id, own_name=name)
              for i, name, account_id, account_name in rows.deals]
    return known


def shown_name(option: Known, directory: Directory, actor_id: int) -> str:
    """A deal as the bot shows one ("Vandelay Industries — Services"), a contact with their
    company ("Tom Roe (Acme)": two Toms are told apart by it), else the name."""
    if option.kind == "contact" and option.scope is not None:
        company = directory.account_name(actor_id, option.scope)
        return f"{option.name} ({company})" if company else option.name
    if option.kind == "deal" and option.own_name and option.name.endswith(option.own_name):
        account = option.name[: -len(option.own_name)].strip()
        return f"{account} — {option.own_name}" if account else option.own_name
    return option.name
