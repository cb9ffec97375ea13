"""Names people type, mapped to store rows: the resolver's view of accounts, deals,
contacts and users.

Name indexes are built once and cached; a cheap fingerprint query (row count and
latest update) tells when to rebuild, so every process stays correct without
rebuilding on every message.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from store.access import visible_owner_ids
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

    def _cached(self, cache: _Cached, model: type[Account | Contact | User],
                query: Select[int, str]) -> NameIndex:
        with self.store.transaction() as s:
            fingerprint = _fingerprint(s, model, model.updated_at)
            with self._lock:
                if cache.index is not None and cache.fingerprint == fingerprint:
                    return cache.index
            index = NameIndex((row[0], row[1]) for row in s.execute(query))
        with self._lock:
            cache.index, cache.fingerprint = index, fingerprint
        return index

    def accounts(self) -> NameIndex:
        return self._cached(self._accounts, Account,
                            select(Account.id, Account.name).where(Account.archived_at.is_(None)))

    def contacts(self) -> NameIndex:
        return self._cached(self._contacts, Contact,
                            select(Contact.id, Contact.name).where(Contact.archived_at.is_(None)))

    def users(self) -> NameIndex:
        return self._cached(self._users, User,
                            select(User.id, User.name).where(User.is_active.is_(True)))

    def contacts_of(self, account_id: int) -> list[tuple[int, str]]:
        with self.store.transaction() as s:
            return [(row.id, row.name) for row in s.execute(
                select(Contact.id, Contact.name).where(Contact.account_id == account_id,
                                                       Contact.archived_at.is_(None)))]

    def account_name(self, account_id: int) -> str | None:
        with self.store.transaction() as s:
            account = s.get(Account, account_id)
            return account.name if account else None

    def contact(self, contact_id: int) -> ContactRef | None:
        with self.store.transaction() as s:
            contact = s.get(Contact, contact_id)
            if contact is None:
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
        with self.store.transaction() as s:
            owners = visible_owner_ids(s, require_by_id(s, actor_id))
            if owners is not None:
                query = query.where(Opportunity.owner_id.in_(owners))
            return [DealRef(*row) for row in s.execute(query)]

    def stages(self) -> list[StageView]:
        with self.store.transaction() as s:
            return [StageView.of(st) for st in stages_in_order(s)]

    def next_stage(self, stage_id: int) -> StageView | None:
        stages = self.stages()
        current = next((st for st in stages if st.id == stage_id), None)
        if current is None:
            return None
        later = [st for st in stages if st.position > current.position and st.kind != "lost"]
        return later[0] if later else None
