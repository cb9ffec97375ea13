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
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from store.access import Person, visible_account_ids, visible_owner_ids
from store.db import Store
from store.models import Account, Contact, Opportunity, Stage, User
from store.resolve import NameIndex, PatchedIndex, Within
from store.schemas import StageView, UserView, deal_title
from store.services.deals.stages import stages_in_order
from store.services.people import name_changes, turn_memo
from store.services.people.name_rows import NameRows, load_rows, patch_rows, user_rows
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
        self.version: int | None = None
        self.index: NameIndex | PatchedIndex | None = None


def _deal_refs() -> Select[int, str, int | None, str | None, int]:
    """Deals as `DealRef` rows, with their account's name (when they have an account)."""
    return (select(Opportunity.id, Opportunity.name, Opportunity.account_id, Account.name,
                   Opportunity.owner_id)
            .outerjoin(Account, Opportunity.account_id == Account.id))


def _current(built: int | None) -> bool:
    """Whether a cache built at `built` holds every name this request has seen: the names'
    version the request read (`turn_memo`), or a later one another request read since
    (versions only grow), so a request never takes a cache back to an older version."""
    seen = turn_memo.peek("names")
    return built is not None and seen is not None and built >= seen


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

    def _cached(self, cache: _Cached, kind: str, query: Select[int, str],
                id_column: InstrumentedAttribute[int]) -> NameIndex | PatchedIndex:
        """The index of every name of `kind`: the names changed since it was built are
        patched in (`PatchedIndex`), and it is built anew only after a bulk change."""
        with self._lock:
            index, built = cache.index, cache.version
        if index is not None and _current(built):
            return index
        with self.store.read() as s:
            now = self._names_version(s)
            if index is not None and built == now:
                return index
            changes = (name_changes.since(s, built, now) if index is not None
                       and built is not None else None)
            ids = changes.ids.get(kind, frozenset()) if changes is not None else frozenset()
            if index is not None and changes is not None and not changes.everything:
                patched = index if isinstance(index, PatchedIndex) else PatchedIndex(index)
                if len(patched.gone | ids) <= PatchedIndex.MAX_PATCHED:
                    if ids:
                        patched = patched.patched(
                            [(r[0], r[1]) for r in s.execute(query.where(id_column.in_(ids)))],
                            ids)
                    with self._lock:
                        cache.index, cache.version = patched if ids else index, now
                    return patched if ids else index
            index = NameIndex((row[0], row[1]) for row in s.execute(query))
        with self._lock:
            cache.index, cache.version = index, now
        return index

    def name_rows(self) -> NameRows:
        """Every name (see `NameRows`), read again only where one changed."""
        with self._lock:
            cached = self._rows
        if cached is not None and _current(cached.version):
            return cached
        with self.store.read() as s:
            now = self._names_version(s)
            if cached is not None and cached.version == now:
                return cached
            changes = (name_changes.since(s, cached.version, now) if cached is not None
                       else None)
            if cached is None or changes is None or changes.everything:
                rows = load_rows(s, now)
                self.reloads += 1
            else:
                rows = patch_rows(s, cached, changes, now)
        with self._lock:
            if self._rows is None or self._rows.version <= rows.version:
                self._rows = rows
        return rows

    @staticmethod
    def _names_version(s: Session) -> int:
        """The names' version, read once per request (`turn_memo`)."""
        return turn_memo.remembered("names", lambda: name_changes.current(s))

    @staticmethod
    def _actor(s: Session, actor_id: int) -> Person:
        """The actor, read at most once per request (none when the request's own user was
        handed to `turn`); a view, as a row expires when its transaction ends."""
        return turn_memo.remembered(("actor", actor_id),
                                    lambda: UserView.of(require_by_id(s, actor_id)))

    @classmethod
    def _seen_owners(cls, s: Session, actor_id: int) -> set[int] | None:
        """`visible_owner_ids` of the actor, worked out once per request."""
        return turn_memo.remembered(
            ("owners", actor_id), lambda: visible_owner_ids(s, cls._actor(s, actor_id)))

    @classmethod
    def _seen_accounts(cls, s: Session, actor_id: int) -> set[int] | None:
        """`visible_account_ids` of the actor, worked out once per request."""
        return turn_memo.remembered(
            ("accounts", actor_id), lambda: visible_account_ids(s, cls._actor(s, actor_id)))

    def _may_see_contact(self, s: Session, actor_id: int, contact: Contact) -> bool:
        """`can_see_contact`, from the request's remembered visibility."""
        if contact.account_id is not None:
            visible = self._seen_accounts(s, actor_id)
            return visible is None or contact.account_id in visible
        owners = self._seen_owners(s, actor_id)
        return owners is None or contact.owner_id in owners

    turn = staticmethod(turn_memo.turn)
    """One request's scope: inside it the repeated reads above are read once."""

    def visible_accounts(self, actor_id: int) -> set[int] | None:
        """Ids of the accounts the actor may see; None: every account."""
        visible = turn_memo.peek(("accounts", actor_id))
        if visible is not None:
            return set(visible)
        with self.store.read() as s:
            found = self._seen_accounts(s, actor_id)
            return None if found is None else set(found)

    def accounts(self, actor_id: int) -> NameIndex | PatchedIndex | Within:
        """Names of the accounts the actor may see (store/access.py): a name they may not
        see is never offered, so it reads exactly like a name that does not exist. One
        index of every account serves everyone, seen through the actor's ids."""
        query = select(Account.id, Account.name).where(Account.archived_at.is_(None))
        visible = self.visible_accounts(actor_id)
        index = self._cached(self._accounts, "account", query.order_by(Account.id), Account.id)
        return index if visible is None else Within(index, visible)

    def contacts(self, actor_id: int) -> NameIndex | PatchedIndex | Within:
        """Names of the contacts the actor may see: contacts follow their account."""
        query = select(Contact.id, Contact.name).where(Contact.archived_at.is_(None))
        with self.store.read() as s:
            visible = self._seen_accounts(s, actor_id)
            ids: set[int] | None = None
            if visible is not None:
                owners = self._seen_owners(s, actor_id) or set()
                ids = set(s.scalars(select(Contact.id).where(or_(
                    Contact.account_id.in_(visible),
                    Contact.account_id.is_(None) & Contact.owner_id.in_(owners),
                ))))
        index = self._cached(self._contacts, "contact", query.order_by(Contact.id), Contact.id)
        return index if ids is None else Within(index, ids)

    def users(self) -> NameIndex | PatchedIndex:
        return self._cached(self._users, "user", user_rows(), User.id)

    def contacts_of(self, actor_id: int, account_id: int) -> list[tuple[int, str]]:
        """The account's contacts, none when the actor may not see the account."""
        with self.store.read() as s:
            visible = self._seen_accounts(s, actor_id)
            if visible is not None and account_id not in visible:
                return []
            return [(row.id, row.name) for row in s.execute(
                select(Contact.id, Contact.name).where(Contact.account_id == account_id,
                                                       Contact.archived_at.is_(None)))]

    def account_name(self, actor_id: int, account_id: int) -> str | None:
        """None when the account is gone or the actor may not see it: a forged id in a
        button value names nothing."""
        with self.store.read() as s:
            account = s.get(Account, account_id)
            if account is None:
                return None
            visible = self._seen_accounts(s, actor_id)
            if visible is not None and account.id not in visible:
                return None
            return account.name

    def contact(self, actor_id: int, contact_id: int) -> ContactRef | None:
        with self.store.read() as s:
            contact = s.get(Contact, contact_id)
            if contact is None or not self._may_see_contact(s, actor_id, contact):
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
        return list(turn_memo.remembered(("open deals", actor_id, account_id),
                                         lambda: self._visible_deals(actor_id, query)))

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
            owners = self._seen_owners(s, actor_id)
            if owners is not None:
                query = query.where(Opportunity.owner_id.in_(owners))
            return [DealRef(*row) for row in s.execute(query)]

    def stages(self) -> list[StageView]:
        """The active stages in order, read once per request."""
        def read() -> list[StageView]:
            with self.store.read() as s:
                return [StageView.of(st) for st in stages_in_order(s)]
        return list(turn_memo.remembered("stages", read))

    def next_stage(self, stage_id: int) -> StageView | None:
        stages = self.stages()
        current = next((st for st in stages if st.id == stage_id), None)
        if current is None:
            return None
        later = [st for st in stages if st.position > current.position and st.kind != "lost"]
        return later[0] if later else None
