"""Pipeline summaries: what is open by stage, owner and close month, what changed since last
week, what is stuck, and how the period's closed deals went.

Every figure is a SQL aggregate (COUNT, SUM, AVG with GROUP BY) over the deals the actor
may see (store.access); nothing loads every deal into Python. Weighted amounts are
SUM(amount_minor * probability) / 100 over open deals, using each deal's probability (the
stage's unless the rep set one); closed deals never count in the pipeline; currencies are
never summed together; months are folded into fiscal quarters in Python
(`SALESBOT_FISCAL_YEAR_START`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, SQLColumnExpression, extract, func, select
from sqlalchemy.orm import Session

from store.db import Store
from store.models import Account, Opportunity, OpportunityHistory, Stage, Team, User
from store.money import from_minor
from store.periods import (
    Period,
    fiscal_quarter_of,
    quarter_code,
    quarter_of,
)
from store.schemas import deal_title
from store.services.people.users import require_by_id
from store.services.pipeline.changes import changes, deal_filters
from store.services.pipeline.figures import (
    ClosedStats,
    Figures,
    MonthRow,
    OwnerRow,
    QuarterRow,
    ReportScope,
    Scope,
    StageRow,
    StuckDeal,
    Summary,
    fold,
    resolve_scope,
)
from store.services.pipeline.forecast import Forecast, forecast

CHANGE_WINDOW = timedelta(days=7)
STUCK_LIMIT = 5


@dataclass(frozen=True)
class StageOwnerAmount:
    stage: str
    position: int
    owner: str
    currency: str
    amount: Decimal


def _amounts() -> tuple[ColumnElement[int], ColumnElement[int], ColumnElement[int]]:
    return (func.count(Opportunity.id), func.sum(Opportunity.amount_minor),
            func.sum(Opportunity.amount_minor * Opportunity.probability))


def _figures(currency: str, count: object, amount: object, weighted: object = 0) -> Figures:
    # PostgreSQL sums BIGINTs into NUMERIC (Decimal); both are exact integers here
    return Figures(currency, int(count or 0), int(amount or 0),  # type: ignore[call-overload]
                   int(weighted or 0))  # type: ignore[call-overload]


def _in_period(period: Period | None) -> list[ColumnElement[bool]]:
    if period is None:
        return []
    return [Opportunity.close_date >= period.start, Opportunity.close_date < period.end]


def _days_between(session: Session, later: SQLColumnExpression[datetime | None],
                  earlier: SQLColumnExpression[datetime]) -> ColumnElement[float | Decimal]:
    if session.get_bind().dialect.name == "postgresql":
        return extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def open_by_stage(session: Session, scope: ReportScope, period: Period | None
                  ) -> tuple[StageRow, ...]:
    """Every open stage in pipeline order (active ones even when empty)."""
    found: dict[int, list[Figures]] = {}
    rows = session.execute(
        select(Opportunity.stage_id, Opportunity.currency, *_amounts())
        .join(Stage, Opportunity.stage_id == Stage.id)
        .where(Stage.kind == "open", *deal_filters(scope), *_in_period(period))
        .group_by(Opportunity.stage_id, Opportunity.currency))
    for stage_id, currency, count, amount, weighted in rows:
        found.setdefault(stage_id, []).append(_figures(currency, count, amount, weighted))
    stages = session.scalars(select(Stage).where(Stage.kind == "open").order_by(Stage.position))
    return tuple(StageRow(s.id, s.name, s.position, s.probability, fold(found.get(s.id, ())))
                 for s in stages if s.is_active or s.id in found)


def open_by_owner(session: Session, scope: ReportScope, period: Period | None
                  ) -> tuple[OwnerRow, ...]:
    rows = session.execute(
        select(User.id, User.name, User.slack_user_id, Opportunity.currency, *_amounts())
        .join(Stage, Opportunity.stage_id == Stage.id)
        .join(User, Opportunity.owner_id == User.id)
        .where(Stage.kind == "open", *deal_filters(scope), *_in_period(period))
        .group_by(User.id, User.name, User.slack_user_id, Opportunity.currency))
    owners: dict[int, tuple[str, str, list[Figures]]] = {}
    for owner_id, name, slack_id, currency, count, amount, weighted in rows:
        owners.setdefault(owner_id, (name, slack_id, []))[2].append(
            _figures(currency, count, amount, weighted))
    return tuple(sorted((OwnerRow(i, n, s, fold(f)) for i, (n, s, f) in owners.items()),
                        key=lambda o: (o.name.casefold(), o.owner_id)))


def open_by_month(session: Session, scope: ReportScope, period: Period | None
                  ) -> tuple[MonthRow, ...]:
    year = extract("year", Opportunity.close_date)
    month = extract("month", Opportunity.close_date)
    rows = session.execute(
        select(year, month, Opportunity.currency, *_amounts())
        .join(Stage, Opportunity.stage_id == Stage.id)
        .where(Stage.kind == "open", *deal_filters(scope), *_in_period(period))
        .group_by(year, month, Opportunity.currency))
    months: dict[tuple[int, int], list[Figures]] = {}
    for y, m, currency, count, amount, weighted in rows:
        months.setdefault((int(y), int(m)), []).append(_figures(currency, count, amount,
                                                                weighted))
    return tuple(MonthRow(y, m, fold(f)) for (y, m), f in sorted(months.items()))


def by_fiscal_quarter(months: tuple[MonthRow, ...], fiscal_year_start: int
                      ) -> tuple[QuarterRow, ...]:
    """Months folded into fiscal quarters (integer sums of integer sums: exact)."""
    quarters: dict[str, list[Figures]] = {}
    for row in months:
        code = quarter_code(*fiscal_quarter_of(date(row.year, row.month, 1), fiscal_year_start))
        quarters.setdefault(code, []).extend(row.figures)
    return tuple(QuarterRow(code, fold(f)) for code, f in sorted(quarters.items()))


def stuck_deals(session: Session, scope: ReportScope, period: Period | None, now: datetime,
                limit: int = STUCK_LIMIT) -> tuple[StuckDeal, ...]:
    """Open deals longest in their stage (the index on stage and close date serves this)."""
    rows = session.execute(
        select(Opportunity.id, Opportunity.name, Account.name, User.name, Stage.name,
               Opportunity.stage_changed_at, Opportunity.amount_minor, Opportunity.currency)
        .join(Stage, Opportunity.stage_id == Stage.id)
        .join(User, Opportunity.owner_id == User.id)
        .outerjoin(Account, Opportunity.account_id == Account.id)
        .where(Stage.kind == "open", *deal_filters(scope), *_in_period(period))
        .order_by(Opportunity.stage_changed_at, Opportunity.id).limit(limit))
    return tuple(
        StuckDeal(opp_id, deal_title(account, name), owner, stage, since,
                  (now - since).days, from_minor(amount, currency), currency)
        for opp_id, name, account, owner, stage, since, amount, currency in rows)


def closed_in(session: Session, scope: ReportScope, period: Period) -> ClosedStats:
    rows = session.execute(
        select(Stage.kind, Opportunity.currency, func.count(Opportunity.id),
               func.sum(Opportunity.amount_minor))
        .join(Stage, Opportunity.stage_id == Stage.id)
        .where(Stage.kind.in_(("won", "lost")), *deal_filters(scope), *_in_period(period))
        .group_by(Stage.kind, Opportunity.currency))
    won: list[Figures] = []
    counts = {"won": 0, "lost": 0}
    for kind, currency, count, amount in rows:
        counts[kind] += int(count)
        if kind == "won":
            won.append(_figures(currency, count, amount))
    history = OpportunityHistory
    first_row = (select(func.min(history.changed_at))
                 .where(history.opportunity_id == Opportunity.id).scalar_subquery())
    cycle = session.scalar(
        select(func.avg(_days_between(session, Opportunity.closed_at, first_row)))
        .join(Stage, Opportunity.stage_id == Stage.id)
        .where(Stage.kind == "won", Opportunity.closed_at.is_not(None), *deal_filters(scope),
               *_in_period(period)))
    return ClosedStats(fold(won), counts["won"], counts["lost"],
                       float(cycle) if cycle is not None else None)


class PipelineService:
    """Pipeline reports for a person, computed in the database."""

    def __init__(self, store: Store, *, fiscal_year_start: int = 1,
                 default_timezone: str = "UTC") -> None:
        self.store = store
        self.fiscal_year_start = fiscal_year_start
        self.default_timezone = default_timezone

    def today(self, tz: str | None = None) -> date:
        return self.store.now().astimezone(ZoneInfo(tz or self.default_timezone)).date()

    def current_quarter(self, tz: str | None = None) -> Period:
        return quarter_of(self.today(tz), self.fiscal_year_start)

    def summary(self, actor_id: int, scope: Scope | None = None, period: Period | None = None,
                *, stuck_limit: int = STUCK_LIMIT) -> Summary:
        """Open deals (closing in `period` when given, else all of them), the changes of the
        last seven days, and the deals closed in `period` (default: this fiscal quarter)."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            report = resolve_scope(s, actor, scope or Scope())
            return self._summary(s, report, period, actor.timezone, stuck_limit)

    def company_summary(self, period: Period | None = None) -> Summary:
        """Everyone's pipeline, for the command line (`salesbot export pipeline`)."""
        with self.store.transaction() as s:
            return self._summary(s, ReportScope(None, "Everyone", "visible"), period, None,
                                 STUCK_LIMIT)

    def _summary(self, s: Session, report: ReportScope, period: Period | None,
                 tz: str | None, stuck_limit: int) -> Summary:
        now = self.store.now()
        closed_period = period or self.current_quarter(tz)
        stages = open_by_stage(s, report, period)
        months = open_by_month(s, report, period)
        totals = fold(f for row in stages for f in row.figures)
        closed = closed_in(s, report, closed_period)
        since = now - CHANGE_WINDOW
        return Summary(
            scope=report, open_period=period, closed_period=closed_period,
            stages=stages, totals=totals, owners=open_by_owner(s, report, period),
            months=months, quarters=by_fiscal_quarter(months, self.fiscal_year_start),
            changes_since=since, changes=changes(s, report, since, now),
            stuck=stuck_deals(s, report, period, now, stuck_limit), closed=closed,
            generated_at=now,
            currencies=tuple(sorted({f.currency for f in totals}
                                    | {f.currency for f in closed.won})),
        )

    def forecast(self, actor_id: int, scope: Scope | None = None,
                 quarter: Period | None = None) -> Forecast:
        """Commit, best case, pipeline and closed won per owner and team for a fiscal
        quarter (this one by default), against quotas."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            report = resolve_scope(s, actor, scope or Scope())
            return forecast(s, report, quarter or self.current_quarter(actor.timezone))

    def by_stage_and_owner(self, actor_id: int, scope: Scope | None = None,
                           period: Period | None = None) -> list[StageOwnerAmount]:
        """Open amounts per stage, owner and currency: what a stacked bar chart draws."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            report = resolve_scope(s, actor, scope or Scope())
            rows = s.execute(
                select(Stage.name, Stage.position, User.name, Opportunity.currency,
                       func.sum(Opportunity.amount_minor))
                .join(Stage, Opportunity.stage_id == Stage.id)
                .join(User, Opportunity.owner_id == User.id)
                .where(Stage.kind == "open", *deal_filters(report), *_in_period(period))
                .group_by(Stage.name, Stage.position, User.id, User.name, Opportunity.currency)
                .order_by(Stage.position, User.name))
            return [StageOwnerAmount(stage, position, owner, currency,
                                     from_minor(int(amount or 0), currency))
                    for stage, position, owner, currency, amount in rows]

    def scope_label(self, actor_id: int, scope: Scope) -> str:
        """Check `actor` may see `scope` (NotAllowed otherwise) and say what it is."""
        with self.store.transaction() as s:
            return resolve_scope(s, require_by_id(s, actor_id), scope).label

    def teams(self) -> list[tuple[int, str]]:
        """(id, name) of every team, for "pipeline for team west"."""
        with self.store.transaction() as s:
            return [(t.id, t.name) for t in s.scalars(select(Team).order_by(Team.name))]
