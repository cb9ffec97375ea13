"""What a reminder says, read fresh at send time: a reminder whose reason has gone
(follow-up done, deal moved on) comes back as None and is not sent.

A sweep loads the context of a whole claimed batch at once (`ReminderContext.load`): each
kind in a few statements whatever the batch's size, related rows (accounts, owners,
stages) joined in, never looked up one reminder at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from store.db import Store
from store.models import Account, Activity, Case, Contract, Opportunity, Stage
from store.money import from_minor
from store.schemas import ActivityView, OpportunityView, deal_title

DIGEST_FOLLOW_UPS = 30  # a digest lists at most this many open follow-ups


@dataclass(frozen=True)
class FollowUpContext:
    activity: ActivityView
    last_note: str | None


@dataclass(frozen=True)
class RenewalContext:
    contract_id: int
    account_id: int
    account_name: str
    contract_name: str
    value: Decimal
    currency: str
    end_date: date
    days_left: int
    open_cases: int
    days_since_activity: int | None
    recent_lost: int
    renewal_opportunity_id: int | None
    renewal_title: str | None = None  # the open renewal deal, linked or found on the account


@dataclass(frozen=True)
class StaleContext:
    opportunity: OpportunityView
    quiet_days: int | None
    past_close_date: bool


@dataclass(frozen=True)
class DigestContext:
    follow_ups: list[ActivityView]
    meetings: list[ActivityView]


def digest_day(due_at: datetime, now: datetime, tz: str) -> datetime | None:
    """The start of the recipient's today (in `now`'s zone) when the digest due at `due_at`
    is today's, else None: one held back past its day (a mute, a weekend) would repeat
    today's, which goes out on its own."""
    zone = ZoneInfo(tz)
    if due_at.astimezone(zone).date() != now.astimezone(zone).date():
        return None
    return now.astimezone(zone).replace(hour=0, minute=0, second=0).astimezone(now.tzinfo)


@dataclass
class BatchContext:
    """What each reminder of a batch says, by reminder id; None where its reason has gone.
    Read in one transaction with a few statements per kind, however many reminders."""

    follow_ups: dict[int, FollowUpContext | None] = field(default_factory=dict)
    renewals: dict[int, RenewalContext | None] = field(default_factory=dict)
    stale: dict[int, StaleContext | None] = field(default_factory=dict)
    digests: dict[int, DigestContext] = field(default_factory=dict)


class Due(Protocol):
    """What the loader needs of a claimed reminder (store/services/reminders/reminders.py)."""

    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def subject_id(self) -> int: ...
    @property
    def user_timezone(self) -> str | None: ...
    @property
    def due_at(self) -> datetime: ...


_ACTIVITY_VIEW = (joinedload(Activity.owner), joinedload(Activity.account),
                  joinedload(Activity.contact), joinedload(Activity.opportunity))
_OPPORTUNITY_VIEW = (joinedload(Opportunity.account), joinedload(Opportunity.owner),
                     joinedload(Opportunity.stage))


def _follow_ups(s: Session, dues: list[Due]) -> dict[int, FollowUpContext | None]:
    activities = {a.id: a for a in s.scalars(
        select(Activity).where(Activity.id.in_({d.subject_id for d in dues}))
        .options(*_ACTIVITY_VIEW))}
    live = {d.id: a for d in dues if (a := activities.get(d.subject_id)) is not None
            and not a.done and a.follow_up_at == d.due_at}  # else done, or rescheduled
    wanting = {a.account_id for a in live.values() if not a.body and a.account_id}
    notes: dict[int, str] = {}
    if wanting:  # the latest note on the account, for a follow-up that has none itself
        ranked = select(Activity.account_id, Activity.body, func.row_number().over(
            partition_by=Activity.account_id,
            order_by=(Activity.occurred_at.desc(), Activity.id.desc())).label("n")).where(
            Activity.account_id.in_(wanting), Activity.body.is_not(None)).subquery()
        notes = {account: body for account, body in s.execute(
            select(ranked.c.account_id, ranked.c.body).where(ranked.c.n == 1))}
    return {d.id: FollowUpContext(ActivityView.of(a), a.body or notes.get(a.account_id or 0))
            if (a := live.get(d.id)) is not None else None for d in dues}


def _renewals(s: Session, dues: list[Due], now: datetime) -> dict[int, RenewalContext | None]:
    contracts = {c.id: c for c in s.scalars(select(Contract).where(
        Contract.id.in_({d.subject_id for d in dues}), Contract.status == "active"))}
    accounts = {c.account_id for c in contracts.values()}
    if not accounts:
        return {d.id: None for d in dues}
    open_cases: dict[int, int] = dict(s.execute(
        select(Case.account_id, func.count()).where(
        Case.account_id.in_(accounts), Case.status.notin_(("closed", "rejected", "duplicate")))
        .group_by(Case.account_id)).all())
    last = dict(s.execute(select(Activity.account_id, func.max(Activity.occurred_at)).where(
        Activity.account_id.in_(accounts)).group_by(Activity.account_id)).all())
    lost = dict(s.execute(select(Opportunity.account_id, func.count()).join(
        Stage, Opportunity.stage_id == Stage.id).where(
        Opportunity.account_id.in_(accounts), Stage.kind == "lost",
        Opportunity.closed_at >= now - timedelta(days=180))
        .group_by(Opportunity.account_id)).all())
    names = dict(s.execute(select(Account.id, Account.name)
                           .where(Account.id.in_(accounts))).all())
    deals = _renewal_deals(s, list(contracts.values()))
    found: dict[int, RenewalContext | None] = {}
    for d in dues:
        contract = contracts.get(d.subject_id)
        if contract is None:
            found[d.id] = None
            continue
        account = contract.account_id
        name = names.get(account)
        renewal = deals.get(contract.id)
        found[d.id] = RenewalContext(
            contract.id, account, name if name is not None else "?", contract.name,
            from_minor(contract.value_minor, contract.currency), contract.currency,
            contract.end_date, (contract.end_date - now.date()).days,
            open_cases.get(account, 0),
            (now - seen).days if (seen := last.get(account)) else None, lost.get(account, 0),
            renewal.id if renewal else contract.renewal_opportunity_id,
            deal_title(name, renewal.name) if renewal else None)
    return found


def _renewal_deals(s: Session, contracts: list[Contract]) -> dict[int, Opportunity]:
    """Each contract's renewal deal while it is open: the one created from it, else the
    first open deal on the account named for a renewal (made by hand, or imported), so the
    alert does not offer to create a second."""
    linked_ids = {c.renewal_opportunity_id for c in contracts if c.renewal_opportunity_id}
    linked = {o.id: o for o in s.scalars(select(Opportunity).join(
        Stage, Opportunity.stage_id == Stage.id).where(
        Opportunity.id.in_(linked_ids), Opportunity.archived_at.is_(None),
        Stage.kind == "open"))} if linked_ids else {}
    named: dict[int, Opportunity] = {}
    for o in s.scalars(select(Opportunity).join(Stage, Opportunity.stage_id == Stage.id).where(
            Opportunity.account_id.in_({c.account_id for c in contracts}),
            Opportunity.archived_at.is_(None), Stage.kind == "open",
            func.lower(Opportunity.name).contains("renew"))
            .order_by(Opportunity.close_date, Opportunity.id)):
        named.setdefault(o.account_id or 0, o)
    found = {}
    for c in contracts:
        deal = linked.get(c.renewal_opportunity_id or 0) or named.get(c.account_id)
        if deal is not None:
            found[c.id] = deal
    return found


def _stale(s: Session, dues: list[Due], now: datetime) -> dict[int, StaleContext | None]:
    opps = {o.id: o for o in s.scalars(select(Opportunity).where(
        Opportunity.id.in_({d.subject_id for d in dues})).options(*_OPPORTUNITY_VIEW))}
    found: dict[int, StaleContext | None] = {}
    for d in dues:
        opp = opps.get(d.subject_id)
        found[d.id] = None
        if opp is None or opp.archived_at is not None or opp.stage.kind != "open":
            continue
        spell = max(t for t in (opp.last_activity_at, opp.stage_changed_at) if t)
        if d.key.startswith("stale:") and d.key != f"stale:{opp.id}:{spell:%Y%m%dT%H%M%S}":
            continue  # activity or a move since: that spell is over
        if d.key.startswith("overdue:") and opp.close_date >= now.date():
            continue
        found[d.id] = StaleContext(OpportunityView.of(opp), opp.stage.quiet_days,
                                   opp.close_date < now.date())
    return found


def _digests(s: Session, days: dict[int, tuple[int, datetime]]) -> dict[int, DigestContext]:
    """`days`: reminder id -> (user id, start of the user's day); one pair of statements
    per distinct day start (recipients in one time zone share it)."""
    by_start: dict[datetime, set[int]] = {}
    for user_id, start in days.values():
        by_start.setdefault(start, set()).add(user_id)
    follow_ups: dict[tuple[int, datetime], list[ActivityView]] = {}
    meetings: dict[tuple[int, datetime], list[ActivityView]] = {}
    for start, users in by_start.items():
        end = start + timedelta(days=1)
        ranked = select(Activity.id, func.row_number().over(
            partition_by=Activity.owner_id,
            order_by=(Activity.follow_up_at, Activity.id)).label("n")).where(
            Activity.owner_id.in_(users), Activity.done.is_(False),
            Activity.follow_up_at < end).subquery()
        for a in s.scalars(select(Activity).join(ranked, ranked.c.id == Activity.id)
                           .where(ranked.c.n <= DIGEST_FOLLOW_UPS).options(*_ACTIVITY_VIEW)
                           .order_by(Activity.follow_up_at, Activity.id)):
            follow_ups.setdefault((a.owner_id, start), []).append(ActivityView.of(a))
        for a in s.scalars(select(Activity).where(
                Activity.owner_id.in_(users), Activity.kind == "meeting",
                Activity.occurred_at >= start, Activity.occurred_at < end)
                .options(*_ACTIVITY_VIEW).order_by(Activity.occurred_at, Activity.id)):
            meetings.setdefault((a.owner_id, start), []).append(ActivityView.of(a))
    return {rid: DigestContext(follow_ups.get(day, []), meetings.get(day, []))
            for rid, day in days.items()}


class ReminderContext:
    def __init__(self, store: Store) -> None:
        self.store = store

    def load(self, dues: Sequence[Due], now: datetime, default_tz: str) -> BatchContext:
        """The context of every reminder in a claimed batch, in one transaction."""
        by_kind: dict[str, list[Due]] = {}
        for d in dues:
            by_kind.setdefault(d.kind, []).append(d)
        batch = BatchContext()
        with self.store.transaction() as s:
            if wanted := by_kind.get("follow_up"):
                batch.follow_ups = _follow_ups(s, wanted)
            if wanted := by_kind.get("renewal"):
                batch.renewals = _renewals(s, wanted, now)
            if wanted := by_kind.get("stale_deal"):
                batch.stale = _stale(s, wanted, now)
            days = {d.id: (d.subject_id, start) for d in by_kind.get("digest", [])
                    if (start := digest_day(d.due_at, now, d.user_timezone or default_tz))}
            if days:
                batch.digests = _digests(s, days)
        return batch

    # One reminder's context (the batch loader for a batch of one).
    def follow_up(self, activity_id: int, due_at: datetime) -> FollowUpContext | None:
        with self.store.transaction() as s:
            return _follow_ups(s, [_One(0, "", "follow_up", activity_id, None, due_at)])[0]

    def renewal(self, contract_id: int) -> RenewalContext | None:
        with self.store.transaction() as s:
            return _renewals(s, [_One(0, "", "renewal", contract_id, None, self.store.now())],
                             self.store.now())[0]

    def stale(self, opportunity_id: int, key: str) -> StaleContext | None:
        with self.store.transaction() as s:
            return _stale(s, [_One(0, key, "stale_deal", opportunity_id, None,
                                   self.store.now())], self.store.now())[0]

    def digest(self, user_id: int, day_start: datetime) -> DigestContext:
        with self.store.transaction() as s:
            return _digests(s, {0: (user_id, day_start)})[0]


@dataclass(frozen=True)
class _One:
    id: int
    key: str
    kind: str
    subject_id: int
    user_timezone: str | None
    due_at: datetime
