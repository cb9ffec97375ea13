"""The value objects of pipeline reports, and whose deals a report may count.

Amounts are kept as the integer sums SQL returned, one `Figures` per currency (currencies
are never added together: no exchange rate is known). The weighted amount is kept exact as
SUM(amount_minor * probability), a hundredth of a minor unit, and rounded half-even to the
currency's decimals only when shown, so a total is rounded once, not summed from rounded
parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol, Self, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.access import people_under, visible_owner_ids
from store.errors import NotAllowed, NotFound
from store.models import Team, User
from store.money import from_minor
from store.periods import Period
from store.roles import leads_a_team, supervises
from store.services.people.users import require_by_id


def round_weighted(weighted_centi: int) -> int:
    """SUM(amount_minor * probability) → minor units, half-even (exact integer arithmetic)."""
    return int((Decimal(weighted_centi) / 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class Figures:
    """Count, amount and weighted amount of some deals in one currency."""

    currency: str
    count: int = 0
    amount_minor: int = 0
    weighted_centi: int = 0

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.currency)

    @property
    def weighted_minor(self) -> int:
        return round_weighted(self.weighted_centi)

    @property
    def weighted(self) -> Decimal:
        return from_minor(self.weighted_minor, self.currency)

    def __add__(self, other: Figures) -> Figures:
        if other.currency != self.currency:
            raise ValueError("figures in different currencies are never added")
        return Figures(self.currency, self.count + other.count,
                       self.amount_minor + other.amount_minor,
                       self.weighted_centi + other.weighted_centi)


class PerCurrency(Protocol):
    """Amounts in one currency that add up only with amounts in the same currency."""

    @property
    def currency(self) -> str: ...

    def __add__(self, other: Self) -> Self: ...


PerCurrencyT = TypeVar("PerCurrencyT", bound=PerCurrency)


def fold(figures: Iterable[PerCurrencyT]) -> tuple[PerCurrencyT, ...]:
    """Add figures up per currency (sums of exact integer sums), currencies in code order;
    pipeline figures and forecast figures alike."""
    by_currency: dict[str, PerCurrencyT] = {}
    for f in figures:
        by_currency[f.currency] = by_currency[f.currency] + f if f.currency in by_currency else f
    return tuple(by_currency[c] for c in sorted(by_currency))


@dataclass(frozen=True)
class StageRow:
    stage_id: int
    name: str
    position: int
    probability: int
    figures: tuple[Figures, ...]


@dataclass(frozen=True)
class OwnerRow:
    owner_id: int
    name: str
    slack_id: str
    figures: tuple[Figures, ...]


@dataclass(frozen=True)
class MonthRow:
    year: int
    month: int
    figures: tuple[Figures, ...]

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class QuarterRow:
    code: str  # fiscal quarter, `2026-Q4`
    figures: tuple[Figures, ...]


CHANGE_KINDS = ("new", "forward", "back", "slipped", "won", "lost")


@dataclass(frozen=True)
class ChangeRow:
    """One kind of change since last week: how many history rows, and their amounts."""

    kind: str
    figures: tuple[Figures, ...]

    @property
    def count(self) -> int:
        return sum(f.count for f in self.figures)


@dataclass(frozen=True)
class StuckDeal:
    opportunity_id: int
    title: str
    owner_name: str
    stage_name: str
    since: datetime
    days_in_stage: int
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class ClosedStats:
    """Deals closed (won or lost) with a close date in the period."""

    won: tuple[Figures, ...]
    won_count: int
    lost_count: int
    average_cycle_days: float | None  # won deals: first history row to closing

    @property
    def win_rate(self) -> Decimal | None:
        """Percent of closed deals that were won, one decimal; None when nothing closed."""
        closed = self.won_count + self.lost_count
        if not closed:
            return None
        return (Decimal(100 * self.won_count) / closed).quantize(Decimal("0.1"),
                                                                  rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class ReportScope:
    """Whose deals a report counts (None: everyone's) and how to name them."""

    owner_ids: frozenset[int] | None
    label: str
    kind: str  # "visible", "owner" or "team"


@dataclass(frozen=True)
class Scope:
    """What was asked for: everything the actor sees, one person, or a team.

    A team is a named team (`team_id`) or the people under a manager (`user_id`, the actor
    when neither is given).
    """

    kind: str = "visible"
    user_id: int | None = None
    team_id: int | None = None


@dataclass(frozen=True)
class Summary:
    scope: ReportScope
    open_period: Period | None  # None: open deals whatever their close date
    closed_period: Period
    stages: tuple[StageRow, ...]
    totals: tuple[Figures, ...]
    owners: tuple[OwnerRow, ...]
    months: tuple[MonthRow, ...]
    quarters: tuple[QuarterRow, ...]
    changes_since: datetime
    changes: tuple[ChangeRow, ...]
    stuck: tuple[StuckDeal, ...]
    closed: ClosedStats
    generated_at: datetime
    currencies: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.totals and not self.closed.won_count and not self.closed.lost_count \
            and not any(c.figures for c in self.changes)


# -- scope ---------------------------------------------------------------------------------

def resolve_scope(session: Session, actor: User, scope: Scope) -> ReportScope:
    """The owners a report for `actor` counts; NotAllowed (with the reason) beyond their role."""
    visible = visible_owner_ids(session, actor)
    team_wide = leads_a_team(actor)
    if scope.kind == "visible":
        label = ("Everyone" if visible is None else
                 f"{actor.name}'s team" if supervises(actor) else actor.name)
        return ReportScope(None if visible is None else frozenset(visible), label, "visible")
    if scope.kind == "owner":
        target = require_by_id(session, scope.user_id or actor.id)
        if visible is not None and target.id not in visible:
            if not team_wide:
                raise NotAllowed(f"You can see only your own pipeline; {target.name}'s is for "
                                 "their manager or an admin.")
            raise NotAllowed(f"{target.name} is not in your team, so their pipeline isn't "
                             "yours to see.")
        return ReportScope(frozenset({target.id}), target.name, "owner")
    if scope.kind != "team":
        raise ValueError(f"unknown scope {scope.kind!r}")
    if scope.team_id is not None:
        team = session.get(Team, scope.team_id)
        if team is None:
            raise NotFound("That team no longer exists.")
        members = set(session.scalars(select(User.id).where(User.team_id == team.id)))
        if team.manager_id is not None:
            members.add(team.manager_id)
        if visible is not None and not members <= visible:
            raise NotAllowed(f"{team.name} is not your team; its pipeline is for its manager "
                             "or an admin.")
        return ReportScope(frozenset(members), team.name, "team")
    target = require_by_id(session, scope.user_id or actor.id)
    if not team_wide:
        raise NotAllowed("Team pipelines are for managers; say `pipeline` for your own.")
    if visible is not None and target.id not in visible:
        raise NotAllowed(f"{target.name} is not in your team.")
    if target.id == actor.id:
        # their own team is what they may see, already read: no second recursive walk
        return (ReportScope(None, "Everyone", "team") if visible is None else
                ReportScope(frozenset(visible), f"{target.name}'s team", "team"))
    people = people_under(session, target.id)
    if visible is not None:
        people &= visible
    return ReportScope(frozenset(people), f"{target.name}'s team", "team")
