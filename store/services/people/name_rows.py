"""Every name a sentence may hold, as plain rows, and how they are read again when some of
them change: the rows `Directory.name_rows` caches for the language layer's spotter.

Read whole once; after that only the rows of the names `name_changes` lists are read again
and patched in (an account's new name is also its deals' titles)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from store.models import Account, Contact, Opportunity, Stage, User
from store.services.deals.stages import stages_in_order
from store.services.people.name_changes import Changes


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


def open_deal_rows() -> Select[int, str, int | None, str | None]:
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


def user_rows() -> Select[int, str]:
    return select(User.id, User.name).where(User.is_active.is_(True)).order_by(User.id)


def load_rows(s: Session, version: int) -> NameRows:
    return NameRows(
        accounts=tuple((r[0], r[1]) for r in s.execute(_account_rows())),
        contacts=tuple((r[0], r[1], r[2]) for r in s.execute(_contact_rows())),
        users=tuple((r[0], r[1]) for r in s.execute(user_rows())),
        stages=tuple((st.id, st.name, st.kind) for st in stages_in_order(s)),
        deals=tuple((r[0], r[1], r[2], r[3]) for r in s.execute(open_deal_rows())),
        version=version,
    )


_R = TypeVar("_R", bound=tuple[Any, ...])


def _patched(rows: tuple[_R, ...], ids: frozenset[int], fresh: Iterable[_R],
             drop: Callable[[_R], bool] | None = None) -> tuple[_R, ...]:
    """`rows` (by id) with the rows of `ids` (and those `drop` says) replaced by `fresh`."""
    kept = [r for r in rows if r[0] not in ids and not (drop is not None and drop(r))]
    return tuple(sorted([*kept, *fresh], key=lambda r: int(r[0])))


def patch_rows(s: Session, old: NameRows, changes: Changes, version: int) -> NameRows:
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
            (r[0], r[1]) for r in s.execute(user_rows().where(User.id.in_(users))))))
    if deals or accounts:  # a deal's title holds its account's name
        fresh = s.execute(open_deal_rows().where(or_(
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
