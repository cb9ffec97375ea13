"""Names people type, mapped to store rows: the resolver's view of accounts, deals,
contacts and users.

Name indexes are built once and cached. Whether they are current costs one primary-key
read per message (`name_changes.current`: the counter every name-changing write bumps),
never a scan, and writes that change no name (logging an activity) leave it alone; when
names did change, the rows of the names that changed are read again and patched in, and
everything is reloaded only after a bulk change (an import, the stages edited).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from store.access import (
    can_see_account,
    can_see_contact,
    visible_account_ids,
    visible_owner_ids,
)
from store.db import Store
from store.models import Account, Contact, Opportunity, Stage, User
from store.resolve import NameIndex
from store.schemas import StageView, deal_title
from store.services.deals.stages import stages_in_order
from store.services.people import name_changes
from store.services.people.name_changes import Changes
from store.services.people.users import require_by_id


@dataclass(frozen=True)
class DealRef:
    """An open deal as the resolver sees it."""

    id: int
    name: str
    account_id: int | None
    account_name: str | None
    owner_id: int

    @property
    def title(self) -> str:
        """What the resolver matches against: account and deal name."""
        return f"{self.account_name} {self.name}" if self.account_name else self.name

    @property
    def display(self) -> str:
        """How people read it: "Acme — Renewal"."""
        return deal_title(self.account_name, self.name)


@dataclass(frozen=True)
class ContactRef:
    id: int
    name: str
    account_id: int | None
    account_name: str | None


@dataclass(frozen=True)
class NameRows:
    """Every name a sentence may hold, as plain rows for the language layer's spotter:
    accounts (id, name), contacts (id, name, account id), active users (id, name), stages
    (id, name, kind) in pipeline order, open deals (id, deal name, account id, account
    name). All of them, visible or not: the caller drops what the rep may not see, so one
    prepared copy serves every rep."""

    accounts: tuple[tuple[int, str], ...]
    contacts: tuple[tuple[int, str, int | None], ...]
    users: tuple[tuple[int, str], ...]
    stages: tuple[tuple[int, str, str], ...]
    deals: tuple[tuple[int, str, int | None, str | None], ...]
    version: int = 0  # `name_changes.current` when these rows were read
    previous: int | None = None  # patched from the rows of this version, where
    changed: tuple[tuple[str, frozenset[int]], ...] = ()  # these ids changed, by kind


class _Cached:
    def __init__(self) -> None:
        self.version: int | None = None
        self.index: NameIndex | None = None


def _deal_refs() -> Select[int, str, int | None, str | None, int]:
    """Deals as `DealRef` rows, with their account's name (when they have an account)."""
    return (select(Opportunity.id, Opportunity.name, Opportunity.account_id, Account.name,
                   Opportunity.owner_id)
            .outerjoin(Account, Opportunity.account_id == Account.id))


def _open_deal_rows() -> Select[int, str, int | None, str | None]:
    return (select(Opportunity.id, Opportunity.name, Opportunity.account_id, Account.name)
            .outerjoin(Account, Opportunity.account_id == Account.id)
            .join(Stage, Opportunity.stage_id == Stage.id)
            .where(Stage.kind == "open", Opportunity.archived_at.is_(None))
            .order_by(Opportunity.id))


def _account_rows() -> Select[int, str]:
    return (select(Account.id, Account.name).where(Account.archived_at.is_(None))
            .order_by(Account.id))


def _contact_rows() -> Select[int, str, int | None]:
    return (select(Contact.id, Contact.name, Contact.account_id)
            .where(Contact.archived_at.is_(None)).order_by(Contact.id))


def _user_rows() -> Select[int, str]:
    return select(User.id, User.name).where(User.is_active.is_(True)).order_by(User.id)


def _load_rows(s: Session, version: int) -> NameRows:
    return NameRows(
        accounts=tuple((r[0], r[1]) for r in s.execute(_account_rows())),
        contacts=tuple((r[0], r[1], r[2]) for r in s.execute(_contact_rows())),
        users=tuple((r[0], r[1]) for r in s.execute(_user_rows())),
        stages=tuple((st.id, st.name, st.kind) for st in stages_in_order(s)),
        deals=tuple((r[0], r[1], r[2], r[3]) for r in s.execute(_open_deal_rows())),
        version=version,
    )


_R = TypeVar("_R", bound=tuple[Any, ...])


def _patched(rows: tuple[_R, ...], ids: frozenset[int], fresh: Iterable[_R],
             drop: Callable[[_R], bool] | None = None) -> tuple[_R, ...]:
    """`rows` (by id) with the rows of `ids` (and those `drop` says) replaced by `fresh`."""
    kept = [r for r in rows if r[0] not in ids and not (drop is not None and drop(r))]
    return tuple(sorted([*kept, *fresh], key=lambda r: int(r[0])))


def _patch_rows(s: Session, old: NameRows, changes: Changes, version: int) -> NameRows:
    """`old` with the names that `changes` lists read again: one statement per kind."""
    accounts = changes.ids.get("account", frozenset())
    contacts = changes.ids.get("contact", frozenset())
    users = changes.ids.get("user", frozenset())
    deals = changes.ids.get("deal", frozenset())
    rows = old
    if accounts:
        rows = replace(rows, accounts=_patched(rows.accounts, accounts, (
            (r[0], r[1]) for r in s.execute(_account_rows().where(Account.id.in_(accounts))))))
    if contacts:
        rows = replace(rows, contacts=_patched(rows.contacts, contacts, (
            (r[0], r[1], r[2]) for r in s.execute(
                _contact_rows().where(Contact.id.in_(contacts))))))
    if users:
        rows = replace(rows, users=_patched(rows.users, users, (
            (r[0], r[1]) for r in s.execute(_user_rows().where(User.id.in_(users))))))
    if deals or accounts:  # a deal's title holds its account's name
        fresh = s.execute(_open_deal_rows().where(or_(
            Opportunity.id.in_(deals), Opportunity.account_id.in_(accounts)))).all()
        rows = replace(rows, deals=_patched(
            rows.deals, deals, ((r[0], r[1], r[2], r[3]) for r in fresh),
            drop=lambda r: r[2] in accounts))
    changed = {kind: ids for kind, ids in changes.ids.items()}
    if accounts:
        changed["deal"] = deals | {r[0] for r in old.deals if r[2] in accounts} | {
            r[0] for r in rows.deals if r[2] in accounts}
    return replace(rows, version=version, previous=old.version,
                   changed=tuple((k, v) for k, v in changed.items()))


class Directory:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._accounts = _Cached()
        self._contacts = _Cached()
        self._users = _Cached()
        self._rows: NameRows | None = None
        self.reloads = 0
        """How many times every name was read again (tests and benchmarks count them)."""

    def _cached(self, cache: _Cached, kind: str, query: Select[int, str]) -> NameIndex:
        """The index of every name of `kind`, rebuilt only when one of them changed."""
        with self.store.read() as s:
            now = name_changes.current(s)
            with self._lock:
                index, built = cache.index, cache.version
            if index is not None and built == now:
                return index
            if index is not None and built is not None and not name_changes.since(
                    s, built, now).touches(kind):
                with self._lock:
                    cache.version = max(now, cache.version or 0)
                return index
            index = NameIndex((row[0], row[1]) for row in s.execute(query))
        with self._lock:
            cache.index, cache.version = index, now
        return index

    def name_rows(self) -> NameRows:
        """Every name (see `NameRows`), read again only where one changed."""
        with self.store.read() as s:
            now = name_changes.current(s)
            with self._lock:
                cached = self._rows
            if cached is not None and cached.version == now:
                return cached
            changes = (name_changes.since(s, cached.version, now) if cached is not None
                       else None)
            if cached is None or changes is None or changes.everything:
                rows = _load_rows(s, now)
                self.reloads += 1
            else:
                rows = _patch_rows(s, cached, changes, now)
        with self._lock:
            if self._rows is None or self._rows.version <= rows.version:
                self._rows = rows
        return rows

    def visible_accounts(self, actor_id: int) -> set[int] | None:
        """Ids of the accounts the actor may see; None: every account."""
        with self.store.read() as s:
            return visible_account_ids(s, require_by_id(s, actor_id))

    def accounts(self, actor_id: int) -> NameIndex:
        """Names of the accounts the actor may see (store/access.py): a name they may not
        see is never offered, so it reads exactly like a name that does not exist."""
        query = select(Account.id, Account.name).where(Account.archived_at.is_(None))
        with self.store.read() as s:
            visible = visible_account_ids(s, require_by_id(s, actor_id))
            if visible is not None:
                return NameIndex((row[0], row[1]) for row in s.execute(
                    query.where(Account.id.in_(visible)).order_by(Account.id)))
        return self._cached(self._accounts, "account", query.order_by(Account.id))

    def contacts(self, actor_id: int) -> NameIndex:
        """Names of the contacts the actor may see: contacts follow their account."""
        query = select(Contact.id, Contact.name).where(Contact.archived_at.is_(None))
        with self.store.read() as s:
            actor = require_by_id(s, actor_id)
            visible = visible_account_ids(s, actor)
            if visible is not None:
                owners = visible_owner_ids(s, actor) or set()
                return NameIndex((row[0], row[1]) for row in s.execute(query.where(or_(
                    Contact.account_id.in_(visible),
                    Contact.account_id.is_(None) & Contact.owner_id.in_(owners),
                )).order_by(Contact.id)))
        return self._cached(self._contacts, "contact", query.order_by(Contact.id))

    def users(self) -> NameIndex:
        return self._cached(self._users, "user", _user_rows())

    def contacts_of(self, actor_id: int, account_id: int) -> list[tuple[int, str]]:
        """The account's contacts, none when the actor may not see the account."""
        with self.store.read() as s:
            if not can_see_account(s, require_by_id(s, actor_id), account_id):
                return []
            return [(row.id, row.name) for row in s.execute(
                select(Contact.id, Contact.name).where(Contact.account_id == account_id,
                                                       Contact.archived_at.is_(None)))]

    def account_name(self, actor_id: int, account_id: int) -> str | None:
        """None when the account is gone or the actor may not see it: a forged id in a
        button value names nothing."""
        with self.store.read() as s:
            account = s.get(Account, account_id)
            if account is None or not can_see_account(s, require_by_id(s, actor_id), account.id):
                return None
            return account.name

    def contact(self, actor_id: int, contact_id: int) -> ContactRef | None:
        with self.store.read() as s:
            contact = s.get(Contact, contact_id)
            if contact is None or not can_see_contact(s, require_by_id(s, actor_id), contact):
                return None
            return ContactRef(contact.id, contact.name, contact.account_id,
                              contact.account.name if contact.account else None)

    def open_deals(self, actor_id: int, *, account_id: int | None = None) -> list[DealRef]:
        """Open deals the actor may see (few per rep; a manager's team at most thousands)."""
        query = (_deal_refs()
                 .join(Stage, Opportunity.stage_id == Stage.id)
                 .where(Stage.kind == "open", Opportunity.archived_at.is_(None))
                 .order_by(Opportunity.id))
        if account_id is not None:
            query = query.where(Opportunity.account_id == account_id)
        return self._visible_deals(actor_id, query)

    def open_deals_of(self, actor_id: int, account_ids: list[int]) -> list[DealRef]:
        """Open deals of these accounts the actor may see, by id."""
        return self._visible_deals(actor_id, _deal_refs()
                                   .join(Stage, Opportunity.stage_id == Stage.id)
                                   .where(Stage.kind == "open", Opportunity.archived_at.is_(None),
                                          Opportunity.account_id.in_(account_ids))
                                   .order_by(Opportunity.id))

    def open_deal(self, actor_id: int, deal_id: int) -> DealRef | None:
        """One open deal the actor may see, or None (closed, gone, or not theirs to see)."""
        found = self._visible_deals(actor_id, _deal_refs()
                                    .join(Stage, Opportunity.stage_id == Stage.id)
                                    .where(Stage.kind == "open",
                                           Opportunity.archived_at.is_(None),
                                           Opportunity.id == deal_id))
        return found[0] if found else None

    def deals_named(self, actor_id: int, account_id: int) -> list[DealRef]:
        """Every deal of an account the actor may see, open or closed (for "we lost X")."""
        return self._visible_deals(actor_id, _deal_refs().where(
            Opportunity.account_id == account_id, Opportunity.archived_at.is_(None)))

    def _visible_deals(self, actor_id: int, query: Select[int, str, int | None, str | None, int]
                       ) -> list[DealRef]:
        """QUERY's deals, narrowed to the owners the actor may see."""
        with self.store.read() as s:
            owners = visible_owner_ids(s, require_by_id(s, actor_id))
            if owners is not None:
                query = query.where(Opportunity.owner_id.in_(owners))
            return [DealRef(*row) for row in s.execute(query)]

    def stages(self) -> list[StageView]:
        with self.store.read() as s:
            return [StageView.of(st) for st in stages_in_order(s)]

    def next_stage(self, stage_id: int) -> StageView | None:
        stages = self.stages()
        current = next((st for st in stages if st.id == stage_id), None)
        if current is None:
            return None
        later = [st for st in stages if st.position > current.position and st.kind != "lost"]
        return later[0] if later else None
