"""Roles and what each may do beyond its own records: the one place a role is named.

Reps see and change their own records; managers and directors their team's, recursively
(store/access.py walks the tree); finance reads every quote and approval; admins do
everything. Services ask these questions instead of comparing role strings, so a new role,
or a role that gains a right, is one edit here.
"""

from __future__ import annotations

from typing import Final, Literal, Protocol

Role = Literal["rep", "manager", "director", "finance", "admin"]
REP: Final = "rep"
MANAGER: Final = "manager"
DIRECTOR: Final = "director"
FINANCE: Final = "finance"
ADMIN: Final = "admin"
ROLES: tuple[Role, ...] = (REP, MANAGER, DIRECTOR, FINANCE, ADMIN)
SUPERVISING_ROLES: tuple[Role, ...] = (MANAGER, DIRECTOR)
"""Roles that see and change the records of everyone under them."""


class HasRole(Protocol):
    @property
    def role(self) -> str: ...


def is_admin(person: HasRole) -> bool:
    """Admins see and change everything: people, stages, quotas, articles, every deal."""
    return person.role == ADMIN


def supervises(person: HasRole) -> bool:
    """Managers and directors: their team's records, recursively (not the whole company)."""
    return person.role in SUPERVISING_ROLES


def leads_a_team(person: HasRole) -> bool:
    """May act for a team: reassign or reopen deals, schedule team reports (admins too)."""
    return supervises(person) or is_admin(person)


def reads_all_quotes(person: HasRole) -> bool:
    """Finance and admins read every quote and approval, whoever owns the deal."""
    return person.role in (FINANCE, ADMIN)
