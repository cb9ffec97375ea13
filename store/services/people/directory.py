"""Names people type, mapped to store rows: the resolver's view of accounts, deals,
contacts and users.

Name indexes are built once and cached; a cheap fingerprint query (row count and
latest update) tells when to rebuild, so every process stays correct without
rebuilding on every message.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
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


class _Cached:
    def __init__(self) -> None:
        self.fingerprint: tuple[object, ...] | None = None
        self.index: NameIndex | None = None


def _deal_refs() -> Select[int, str, int | None, str | None, int]:
    """Deals as `DealRef` rows, with their account's name (when they have an account)."""
    return (select(Opportunity.id, Opportunity.name, Opportunity.account_id, Account.name,
                   Opportunity.owner_id)
            .outerjoin(Account, Opportunity.account_id == Account.id))


def _fingerprint(session: Session, model: type, updated: object) -> tuple[object, ...]:
    row = session.execute(select(func.count(), func.max(updated)).select_from(model)).one()
    return tuple(row)


class Directory:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._accounts = _Cached()
        self._contacts = _Cached()
        self._users = _Cached()
        self._rows: tuple[tuple[object, ...], NameRows] | None = None

    def _cached(self, cache: _Cached, model: type[Account | Contact | User],
                query: Select[int, str]) -> NameIndex:
        with self.store.read() as s:
            fingerprint = _fingerprint(s, model, model.updated_at)
            with self._lock:
                if cache.index is not None and cache.fingerprint == fingerprint:
                    return cache.index
            index = NameIndex((row[0], row[1]) for row in s.execute(query))
        with self._lock:
            cache.index, cache.fingerprint = index, fingerprint
        return index

    def name_rows(self) -> NameRows:
        """Every name (see `NameRows`), re-read only when one of the tables changed."""
        with self.store.read() as s:
            fingerprint = tuple(s.execute(select(*(  # one statement, not five
                part for model in (Account, Contact, User, Stage, Opportunity)
                for part in (select(func.count()).select_from(model).scalar_subquery(),
                             select(func.max(model.updated_at)).scalar_subquery())))).one())
            with self._lock:
                if self._rows is not None and self._rows[0] == fingerprint:
                    return self._rows[1]
            rows = NameRows(
                accounts=tuple((r[0], r[1]) for r in s.execute(
                    select(Account.id, Account.name).where(Account.archived_at.is_(None))
                    .order_by(Account.id))),
                contacts=tuple((r[0], r[1], r[2]) for r in s.execute(
                    select(Contact.id, Contact.name, Contact.account_id)
                    .where(Contact.archived_at.is_(None)).order_by(Contact.id))),
                users=tuple((r[0], r[1]) for r in s.execute(
                    select(User.id, User.name).where(User.is_active.is_(True))
                    .order_by(User.id))),
                stages=tuple((st.id, st.name, st.kind) for st in stages_in_order(s)),
                deals=tuple((r[0], r[1], r[2], r[3]) for r in s.execute(
                    _deal_refs().join(Stage, Opportunity.stage_id == Stage.id)
                    .where(Stage.kind == "open", Opportunity.archived_at.is_(None))
                    .order_by(Opportunity.id))),
            )
        with self._lock:
            self._rows = (fingerprint, rows)
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
        return self._cached(self._accounts, Account, query)

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
        return self._cached(self._contacts, Contact, query)

    def users(self) -> NameIndex:
        return self._cached(self._users, User,
                            select(User.id, User.name).where(User.is_active.is_(True)))

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
