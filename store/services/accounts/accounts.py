"""Accounts and contacts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.access import can_see_account, visible_account_ids
from store.db import Store
from store.errors import Conflict, InvalidInput, NotFound
from store.models import Account, Contact, User
from store.schemas import AccountView, ContactView
from store.services.people import name_changes
from store.services.people.users import require_by_id


def name_key(name: str) -> str:
    """Accounts match on this: case-folded, whitespace collapsed, typographic quotes unified."""
    return " ".join(name.replace("’", "'").split()).casefold()


def find_account(session: Session, name: str) -> Account | None:
    return session.scalar(select(Account).where(Account.name_key == name_key(name)))


def require_account(session: Session, name: str) -> Account:
    account = find_account(session, name)
    if account is None:
        raise NotFound(f"There is no account called {name!r}.", field="account")
    return account


def require_visible_account(session: Session, actor: User, name: str) -> Account:
    """The account called `name` if `actor` may see it; one they may not see gets the words
    a missing one gets (store/access.py: the account rule)."""
    account = find_account(session, name)
    if account is None or not can_see_account(session, actor, account.id):
        raise NotFound(f"There is no account called {name!r}.", field="account")
    return account


def clean_name(name: str, what: str) -> str:
    """`name` with its whitespace collapsed; InvalidInput naming `what` (an account, a
    deal…) when it is blank or too long."""
    name = " ".join((name or "").split())
    if not name:
        article = "An" if what[:1].lower() in "aeiou" else "A"
        raise InvalidInput(f"{article} {what} needs a name.", field="name")
    if len(name) > 200:
        raise InvalidInput(f"That {what} name is longer than 200 characters.", field="name")
    return name


class AccountService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(
        self,
        actor_id: int,
        name: str,
        *,
        domain: str | None = None,
        industry: str | None = None,
        employees: int | None = None,
        owner_id: int | None = None,
    ) -> AccountView:
        """A new account, owned by `owner_id` or the actor.

        Names are unique (`name_key`), so when the name is taken the actor must be told, even
        if the account is one they may not see; as a CRM's duplicate rule does, the answer
        then says only that one exists in someone else's territory and whom to ask, in the
        actor's own spelling, and names nothing of it (its spelling, owner, deals, contacts).
        An account they may see is named, so they can go to it.
        """
        name = clean_name(name, "account")
        if employees is not None and employees < 0:
            raise InvalidInput("Employees can't be negative.")
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            if (taken := find_account(s, name)) is not None:
                if can_see_account(s, actor, taken.id):
                    raise Conflict(f"An account called {taken.name!r} already exists.")
                raise Conflict(f"An account called {name!r} already exists and belongs to "
                               "someone else's territory, so I didn't create another; ask "
                               "your manager to give it to you or to share it.")
            account = Account(
                name=name, name_key=name_key(name), domain=domain, industry=industry,
                employees=employees, owner_id=owner_id or actor_id,
            )
            s.add(account)
            s.flush()
            name_changes.changed(s, "account", account.id)
            return AccountView.of(account)

    def get(self, name: str) -> AccountView:
        with self.store.transaction() as s:
            return AccountView.of(require_account(s, name))

    def visible(self, actor_id: int) -> list[AccountView]:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            query = select(Account).where(Account.archived_at.is_(None)).order_by(Account.name)
            visible = visible_account_ids(s, actor)
            if visible is not None:
                query = query.where(Account.id.in_(visible))
            return [AccountView.of(a) for a in s.scalars(query)]


class ContactService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(
        self,
        actor_id: int,
        name: str,
        *,
        account: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        title: str | None = None,
    ) -> ContactView:
        name = clean_name(name, "contact")
        with self.store.transaction() as s:
            actor: User = require_by_id(s, actor_id)
            account_row = require_visible_account(s, actor, account) if account else None
            if email and s.scalar(
                select(Contact.id).where(func.lower(Contact.email) == email.lower())
            ):
                raise Conflict(f"A contact with the email {email} already exists.")
            contact = Contact(
                name=name, email=email, phone=phone, title=title,
                account=account_row, owner_id=actor.id,
            )
            s.add(contact)
            s.flush()
            name_changes.changed(s, "contact", contact.id)
            return ContactView.of(contact)

    def get(self, contact_id: int) -> ContactView:
        with self.store.transaction() as s:
            contact = s.get(Contact, contact_id)
            if contact is None:
                raise NotFound("That contact no longer exists.")
            return ContactView.of(contact)
