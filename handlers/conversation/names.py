"""The store's names as the language layer's spotter reads them, rebuilt when they change.

Every account, contact, person, stage and open deal, visible or not (the reader drops what
the rep may not see), so one prepared copy serves every rep; `Directory.name_rows` says
when the rows changed, and only then is the spotter rebuilt.
"""

from __future__ import annotations

import threading

from handlers.language.spotting import Gazetteer, Known
from handlers.language.stage_words import stage_known
from store.services.people.directory import Directory, NameRows


class Names:
    """The spotter's copy of the store's names, rebuilt when the names change."""

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._built: tuple[NameRows, Gazetteer] | None = None

    def gazetteer(self) -> Gazetteer:
        rows = self.directory.name_rows()
        with self._lock:
            if self._built is not None and self._built[0] is rows:
                return self._built[1]
        built = Gazetteer(_known(rows))
        with self._lock:
            self._built = (rows, built)
        return built


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
