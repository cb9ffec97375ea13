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
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    extract,
    func,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

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
    QuarterRow,
    ReportScope,
    Scope,
    StuckDeal,
    Summary,
    fold,
    resolve_scope,
)
from store.services.pipeline.forecast import Forecast, forecast
from store.services.pipeline.open_deals import (
    in_period,
    open_deals_join,
    open_figures,
    scope_owner,
)
from store.services.pipeline.plans import plus, unindexed, wide_scope

CHANGE_WINDOW = timedelta(days=7)
STUCK_LIMIT = 5


@dataclass(frozen=True)
class StageOwnerAmount:
    stage: str
    position: int
    owner: str
    currency: str
    amount: Decimal


def _figures(currency: str, count: object, amount: object, weighted: object = 0) -> Figures:
    # PostgreSQL sums BIGINTs into NUMERIC (Decimal); both are exact integers here
    return Figures(currency, int(count or 0), int(amount or 0),  # type: ignore[call-overload]
                   int(weighted or 0))  # type: ignore[call-overload]


def _days_between(session: Session, later: SQLColumnExpression[datetime | None],
                  earlier: SQLColumnExpression[datetime]) -> ColumnElement[float | Decimal]:
    if session.get_bind().dialect.name == "postgresql":
        return extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def by_fiscal_quarter(months: tuple[MonthRow, ...], fiscal_year_start: int
                      ) -> tuple[QuarterRow, ...]:
    """Months folded into fiscal quarters (integer sums of integer sums: exact)."""
    quarters: dict[str, list[Figures]] = {}
    for row in months:
        code = quarter_code(*fiscal_quarter_of(date(row.year, row.month, 1), fiscal_year_start))
        quarters.setdefault(code, []).extend(row.figures)
    return tuple(QuarterRow(code, fold(f)) for code, f in sorted(quarters.items()))


@cache
def _stuck_statement(owners: bool, period: bool, time_first: bool) -> Executable:
    """The stuck-deals read for one shape of report, built once: a report asks it often
    and the statement is the same but for its parameters (`owners`, `start`, `end`,
    `limit`). `time_first` (SQLite, a wide scope) keeps the stage and owner columns off
    their indexes, so the index on (stage_changed_at, id) leads and the read stops after
    the first few open deals of the scope instead of sorting all of them."""
    stage_id = plus(Opportunity.stage_id) if time_first else Opportunity.stage_id
    owner_id = plus(Opportunity.owner_id) if time_first else Opportunity.owner_id
    statement = (
        select(Opportunity.id, Opportunity.name, Account.name, User.name, Stage.name,
               Opportunity.stage_changed_at, Opportunity.amount_minor, Opportunity.currency)
        .join(Stage, stage_id == Stage.id)
        .join(User, Opportunity.owner_id == User.id)
        .outerjoin(Account, Opportunity.account_id == Account.id)
        .where(Stage.kind == "open", Opportunity.archived_at.is_(None)))
    if owners:
        statement = statement.where(owner_id.in_(bindparam("owners", expanding=True)))
    if period:
        day = Opportunity.__table__.c.close_date.type
        statement = statement.where(Opportunity.close_date >= bindparam("start", type_=day),
                                    Opportunity.close_date < bindparam("end", type_=day))
    return (statement.order_by(Opportunity.stage_changed_at, Opportunity.id)
            .limit(bindparam("limit", type_=Integer)))


def stuck_deals(session: Session, scope: ReportScope, period: Period | None, now: datetime,
                limit: int = STUCK_LIMIT) -> tuple[StuckDeal, ...]:
    """Open deals longest in their stage: one statement built once per report shape
    (`_stuck_statement`), run on the session's connection (no ORM result handling)."""
    owners = scope.owner_ids
    statement = _stuck_statement(owners is not None, period is not None,
                                 owners is not None and period is None
                                 and wide_scope(session, owners))
    params: dict[str, Any] = {"limit": limit}
    if owners is not None:
        params["owners"] = sorted(owners)
    if period is not None:
        params |= {"start": period.start, "end": period.end}
    rows = session.connection().execute(statement, params).all()  # one fetch, not five
    return tuple(
        StuckDeal(opp_id, deal_title(account, name), owner, stage, since,
                  (now - since).days, from_minor(amount, currency), currency)
        for opp_id, name, account, owner, stage, since, amount, currency in rows)


def closed_in(session: Session, scope: ReportScope, period: Period) -> ClosedStats:
    """Won and lost deals closing in `period`, and the won deals' average cycle (first
    history row to closing), in one GROUP BY kind and currency; the cycle's days are
    summed and counted there and divided here, which is what AVG does."""
    history = OpportunityHistory
    first_row = (select(func.min(history.changed_at))
                 .where(history.opportunity_id == Opportunity.id).scalar_subquery())
    cycle = case((and_(Stage.kind == "won", Opportunity.closed_at.is_not(None)),
                  _days_between(session, Opportunity.closed_at, first_row)))
    # materialized, so the first history row is looked up once per deal, not once per use
    deals = (select(Stage.kind.label("kind"), Opportunity.currency,
                    Opportunity.amount_minor, cycle.label("days"))
             .join(Stage, Opportunity.stage_id == Stage.id)
             .where(Stage.kind.in_(("won", "lost")), *deal_filters(scope),
                    *in_period(period))
             .cte("closed_deals").prefix_with("MATERIALIZED"))
    rows = session.execute(
        select(deals.c.kind, deals.c.currency, func.count(), func.sum(deals.c.amount_minor),
               func.sum(deals.c.days), func.count(deals.c.days))
        .group_by(deals.c.kind, deals.c.currency))
    won: list[Figures] = []
    counts = {"won": 0, "lost": 0}
    cycle_days, cycles = 0.0, 0
    for kind, currency, count, amount, days, timed in rows:
        counts[kind] += int(count)
        if kind == "won":
            won.append(_figures(currency, count, amount))
        if timed:
            cycle_days += float(days)
            cycles += int(timed)
    return ClosedStats(fold(won), counts["won"], counts["lost"],
                       cycle_days / cycles if cycles else None)


def stage_owner_amounts(session: Session, scope: ReportScope, period: Period | None
                        ) -> list[StageOwnerAmount]:
    """Open amounts per stage, owner and currency, by stage position then owner name: the
    deals grouped on their own (one scan, or the close-date index for a period), then the
    few groups joined to their stage and owner."""
    keys = (unindexed(session, Opportunity.stage_id), unindexed(session, Opportunity.owner_id),
            Opportunity.currency)
    groups = (select(keys[0].label("stage_id"), keys[1].label("owner_id"),
                     Opportunity.currency.label("currency"),
                     func.sum(Opportunity.amount_minor).label("amount"))
              .select_from(Opportunity).join(Stage, and_(*open_deals_join(session, period)))
              .where(*deal_filters(scope, scope_owner(session, scope)), *in_period(period))
              .group_by(*keys).subquery())
    rows = session.execute(
        select(Stage.name, Stage.position, User.name, groups.c.currency, groups.c.amount)
        .select_from(groups)
        .join(Stage, groups.c.stage_id == Stage.id)
        .join(User, groups.c.owner_id == User.id)
        .order_by(Stage.position, User.name, groups.c.currency))
    return [StageOwnerAmount(stage, position, owner, currency,
                             from_minor(int(amount or 0), currency))
            for stage, position, owner, currency, amount in rows]


class PipelineService:
    """Pipeline reports for a person, computed in the database; each report reads in one
    read-only transaction (`Store.read`: on SQLite it queues behind no writer)."""

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
        with self.store.read() as s:
            actor = require_by_id(s, actor_id)
            report = resolve_scope(s, actor, scope or Scope())
            return self._summary(s, report, period, actor.timezone, stuck_limit)

    def company_summary(self, period: Period | None = None) -> Summary:
        """Everyone's pipeline, for the command line (`salesbot export pipeline`)."""
        with self.store.read() as s:
            return self._summary(s, ReportScope(None, "Everyone", "visible"), period, None,
                                 STUCK_LIMIT)

    def _summary(self, s: Session, report: ReportScope, period: Period | None,
                 tz: str | None, stuck_limit: int) -> Summary:
        now = self.store.now()
        closed_period = period or self.current_quarter(tz)
        open_now = open_figures(s, report, period)
        stages, months = open_now.stages, open_now.months
        totals = fold(f for row in stages for f in row.figures)
        closed = closed_in(s, report, closed_period)
        since = now - CHANGE_WINDOW
        return Summary(
            scope=report, open_period=period, closed_period=closed_period,
            stages=stages, totals=totals, owners=open_now.owners,
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
        with self.store.read() as s:
            actor = require_by_id(s, actor_id)
            report = resolve_scope(s, actor, scope or Scope())
            return forecast(s, report, quarter or self.current_quarter(actor.timezone))

    def by_stage_and_owner(self, actor_id: int, scope: Scope | None = None,
                           period: Period | None = None) -> list[StageOwnerAmount]:
        """Open amounts per stage, owner and currency: what a stacked bar chart draws."""
        with self.store.read() as s:
            actor = require_by_id(s, actor_id)
            report = resolve_scope(s, actor, scope or Scope())
            return stage_owner_amounts(s, report, period)

    def scope_label(self, actor_id: int, scope: Scope) -> str:
        """Check `actor` may see `scope` (NotAllowed otherwise) and say what it is."""
        with self.store.read() as s:
            return resolve_scope(s, require_by_id(s, actor_id), scope).label

    def teams(self) -> list[tuple[int, str]]:
        """(id, name) of every team, for "pipeline for team west"."""
        with self.store.read() as s:
            return [(t.id, t.name) for t in s.scalars(select(Team).order_by(Team.name))]
