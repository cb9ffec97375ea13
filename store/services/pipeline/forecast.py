"""The quarter's forecast per owner, per team and in total, against quotas.

For deals closing in the fiscal quarter: commit = open deals in stages at 90 % or more,
best case = open deals in stages at 50 % or more (commit included, as forecast roll-ups
usually do), pipeline = every open deal, closed won = won deals. Amounts are unweighted,
per currency; a quota counts against closed won in its own currency only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import ColumnElement, Row, and_, case, func, select
from sqlalchemy.orm import Session

from store.models import Opportunity, Quota, Stage, Team, User
from store.money import from_minor
from store.periods import Period
from store.services.pipeline.changes import deal_filters
from store.services.pipeline.figures import ReportScope, fold

COMMIT_PROBABILITY = 90
BEST_CASE_PROBABILITY = 50


@dataclass(frozen=True)
class ForecastFigures:
    currency: str
    commit_minor: int = 0
    best_case_minor: int = 0
    pipeline_minor: int = 0
    won_minor: int = 0
    quota_minor: int | None = None

    @property
    def commit(self) -> Decimal:
        return from_minor(self.commit_minor, self.currency)

    @property
    def best_case(self) -> Decimal:
        return from_minor(self.best_case_minor, self.currency)

    @property
    def pipeline(self) -> Decimal:
        return from_minor(self.pipeline_minor, self.currency)

    @property
    def won(self) -> Decimal:
        return from_minor(self.won_minor, self.currency)

    @property
    def quota(self) -> Decimal | None:
        return None if self.quota_minor is None else from_minor(self.quota_minor, self.currency)

    @property
    def attainment(self) -> Decimal | None:
        """Closed won as a percent of quota, one decimal; None without a quota."""
        if not self.quota_minor:
            return None
        return (Decimal(100 * self.won_minor) / self.quota_minor).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_EVEN)

    def __add__(self, other: ForecastFigures) -> ForecastFigures:
        if other.currency != self.currency:
            raise ValueError("figures in different currencies are never added")
        quota = (None if self.quota_minor is None and other.quota_minor is None
                 else (self.quota_minor or 0) + (other.quota_minor or 0))
        return ForecastFigures(self.currency, self.commit_minor + other.commit_minor,
                               self.best_case_minor + other.best_case_minor,
                               self.pipeline_minor + other.pipeline_minor,
                               self.won_minor + other.won_minor, quota)


@dataclass(frozen=True)
class OwnerForecast:
    owner_id: int
    name: str
    slack_id: str
    team_id: int | None
    team_name: str | None
    figures: tuple[ForecastFigures, ...]


@dataclass(frozen=True)
class TeamForecast:
    team_id: int | None
    name: str  # "No team" for people without one
    figures: tuple[ForecastFigures, ...]


@dataclass(frozen=True)
class Forecast:
    scope: ReportScope
    quarter: Period
    owners: tuple[OwnerForecast, ...]
    teams: tuple[TeamForecast, ...]
    totals: tuple[ForecastFigures, ...]


def forecast(session: Session, scope: ReportScope, quarter: Period) -> Forecast:
    """One GROUP BY owner and currency with conditional sums, plus the quarter's quotas."""
    is_open = Stage.kind == "open"
    amount = Opportunity.amount_minor

    def when(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, amount), else_=0))

    rows = session.execute(
        select(Opportunity.owner_id, Opportunity.currency,
               when(and_(is_open, Stage.probability >= COMMIT_PROBABILITY)),
               when(and_(is_open, Stage.probability >= BEST_CASE_PROBABILITY)),
               when(is_open), when(Stage.kind == "won"))
        .join(Stage, Opportunity.stage_id == Stage.id)
        .where(Stage.kind.in_(("open", "won")), *deal_filters(scope),
               Opportunity.close_date >= quarter.start, Opportunity.close_date < quarter.end)
        .group_by(Opportunity.owner_id, Opportunity.currency))
    per_owner: dict[int, dict[str, ForecastFigures]] = {}
    for owner_id, currency, commit, best, pipeline, won in rows:
        per_owner.setdefault(owner_id, {})[currency] = ForecastFigures(
            currency, int(commit or 0), int(best or 0), int(pipeline or 0), int(won or 0))
    quotas = select(Quota.user_id, Quota.amount_minor, Quota.currency).where(
        Quota.period == quarter.code)
    if scope.owner_ids is not None:
        quotas = quotas.where(Quota.user_id.in_(sorted(scope.owner_ids)))
    for user_id, quota_minor, currency in session.execute(quotas):
        mine = per_owner.setdefault(user_id, {})
        base = mine.get(currency, ForecastFigures(currency))
        mine[currency] = ForecastFigures(currency, base.commit_minor, base.best_case_minor,
                                         base.pipeline_minor, base.won_minor, int(quota_minor))
    people: Iterable[Row[int, str, str, int | None, str | None]] = session.execute(
        select(User.id, User.name, User.slack_user_id, User.team_id, Team.name)
        .outerjoin(Team, User.team_id == Team.id)
        .where(User.id.in_(sorted(per_owner)))) if per_owner else []
    owners = sorted(
        (OwnerForecast(user_id, name, slack_id, team_id, team_name,
                       tuple(per_owner[user_id][c] for c in sorted(per_owner[user_id])))
         for user_id, name, slack_id, team_id, team_name in people),
        key=lambda o: (o.name.casefold(), o.owner_id))
    teams: dict[int | None, tuple[str, list[ForecastFigures]]] = {}
    for owner in owners:
        teams.setdefault(owner.team_id, (owner.team_name or "No team", []))[1].extend(
            owner.figures)
    team_rows = sorted((TeamForecast(team_id, name, fold(f))
                        for team_id, (name, f) in teams.items()),
                       key=lambda t: (t.team_id is None, t.name.casefold()))
    return Forecast(scope, quarter, tuple(owners), tuple(team_rows),
                    fold(f for o in owners for f in o.figures))
