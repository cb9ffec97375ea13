"""Name → id look-ups for one import, cached for its whole run.

A 100,000-row file names the same few owners, accounts and stages again and again;
asking the database once per name, not once per row, is what makes a bulk import
fast. The caches grow with the number of distinct names, never with the file.
Resolution follows the services' rules (`find_user`, `name_key`, `require_stage`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Account, Stage, Team, User
from store.services.accounts.accounts import name_key
from store.transfer.salesforce import header_key

_CHUNK = 900  # stays under every dialect's limit of bound parameters per statement


def chunks(items: list[str], size: int = _CHUNK) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True)
class Person:
    """What an import needs to know about a user."""

    id: int
    slack_id: str
    email: str | None
    name: str
    timezone: str | None
    is_active: bool


class ImportLookups:
    """Users, accounts, stages and teams by the names a CSV file uses for them, cached
    for one import (not the people directory of `store.services.people`)."""

    def __init__(self, session: Session, stage_names: Mapping[str, str]) -> None:
        self._session = session
        self._stage_names = stage_names
        self._people: dict[int, Person] | None = None
        self._by_slack: dict[str, int] = {}
        self._by_email: dict[str, int] = {}
        self._by_name: dict[str, set[int]] = {}
        self._accounts: dict[str, int | None] = {}
        self._stages: dict[str, Stage] | None = None
        self._teams: dict[str, int] | None = None

    # -- users: a Slack id, an email, or a full name when it is unique --------------------

    def _load_people(self) -> dict[int, Person]:
        if self._people is None:
            self._people = {}
            rows = self._session.execute(select(
                User.id, User.slack_user_id, User.email, User.name, User.timezone,
                User.is_active,
            ))
            for row in rows:
                self.remember_person(Person(*row))
        assert self._people is not None
        return self._people

    def remember_person(self, person: Person) -> None:
        """Add or refresh a user written by this import, so later rows can name them."""
        people = self._people if self._people is not None else self._load_people()
        old = people.get(person.id)
        if old is not None:
            if old.email:
                self._by_email.pop(old.email.lower(), None)
            self._by_name.get(old.name.lower(), set()).discard(old.id)
        people[person.id] = person
        self._by_slack[person.slack_id] = person.id
        if person.email:
            self._by_email[person.email.lower()] = person.id
        self._by_name.setdefault(person.name.lower(), set()).add(person.id)

    def person(self, ref: str) -> Person | None:
        people = self._load_people()
        ref = ref.strip()
        found = self._by_slack.get(ref)
        if found is None and "@" in ref:
            found = self._by_email.get(ref.lower())
        if found is None:
            named = self._by_name.get(ref.lower(), set())
            found = next(iter(named)) if len(named) == 1 else None
        return people[found] if found is not None else None

    # -- accounts: by name_key ------------------------------------------------------------

    def prefetch_accounts(self, names: Iterable[str]) -> None:
        """Look up, in a few queries, every account a batch names that is not cached yet."""
        wanted = sorted({name_key(n) for n in names if n.strip()} - self._accounts.keys())
        for chunk in chunks(wanted):
            self._accounts.update(dict.fromkeys(chunk))
            rows = self._session.execute(
                select(Account.name_key, Account.id).where(Account.name_key.in_(chunk))
            )
            self._accounts.update({row.name_key: row.id for row in rows})

    def account_id(self, name: str) -> int | None:
        key = name_key(name)
        if key not in self._accounts:
            self.prefetch_accounts([name])
        return self._accounts[key]

    def remember_account(self, key: str, account_id: int) -> None:
        self._accounts[key] = account_id

    # -- stages: case-insensitive, after the file's stage-name mapping --------------------

    def _load_stages(self) -> dict[str, Stage]:
        if self._stages is None:
            stages = self._session.scalars(select(Stage).order_by(Stage.position))
            self._stages = {header_key(stage.name): stage for stage in stages}
        return self._stages

    def stage(self, name: str) -> Stage | None:
        key = header_key(name)
        return self._load_stages().get(header_key(self._stage_names.get(key, name)))

    def stage_list(self) -> str:
        return ", ".join(s.name for s in self._load_stages().values() if s.is_active)

    def first_open_stage(self) -> Stage | None:
        return next((s for s in self._load_stages().values()
                     if s.kind == "open" and s.is_active), None)

    # -- teams: case-insensitive names ----------------------------------------------------

    def team_id(self, name: str) -> int | None:
        if self._teams is None:
            rows = self._session.execute(select(Team.id, Team.name))
            self._teams = {row.name.lower(): row.id for row in rows}
        return self._teams.get(name.strip().lower())

    def remember_team(self, name: str, team_id: int) -> None:
        self.team_id(name)
        assert self._teams is not None
        self._teams[name.strip().lower()] = team_id
