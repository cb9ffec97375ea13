"""What a reminder says, read fresh at send time: a reminder whose reason has gone
(follow-up done, deal moved on) comes back as None and is not sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.db import Store
from store.models import Activity, Case, Contract, Opportunity, Stage, User
from store.money import from_minor
from store.schemas import ActivityView, OpportunityView, deal_title


def _renewal_deal(s: Session, contract: Contract) -> Opportunity | None:
    """The contract's renewal deal while it is open: the one created from it, else an open
    deal on the account named for a renewal (made by hand, or imported), so the alert does
    not offer to create a second."""
    linked = s.get(Opportunity, contract.renewal_opportunity_id) \
        if contract.renewal_opportunity_id else None
    if linked is not None and linked.archived_at is None and linked.stage.kind == "open":
        return linked
    return s.scalar(select(Opportunity).join(Stage, Opportunity.stage_id == Stage.id).where(
        Opportunity.account_id == contract.account_id, Opportunity.archived_at.is_(None),
        Stage.kind == "open", func.lower(Opportunity.name).contains("renew"))
        .order_by(Opportunity.close_date, Opportunity.id).limit(1))


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


class ReminderContext:
    def __init__(self, store: Store) -> None:
        self.store = store

    def follow_up(self, activity_id: int, due_at: datetime) -> FollowUpContext | None:
        with self.store.transaction() as s:
            activity = s.get(Activity, activity_id)
            if activity is None or activity.done or activity.follow_up_at != due_at:
                return None  # done, or rescheduled: the new date has its own reminder
            note = s.scalar(select(Activity.body).where(
                Activity.account_id == activity.account_id, Activity.id != activity.id,
                Activity.body.is_not(None)).order_by(Activity.occurred_at.desc()).limit(1))
            return FollowUpContext(ActivityView.of(activity), activity.body or note)

    def renewal(self, contract_id: int) -> RenewalContext | None:
        now = self.store.now()
        with self.store.transaction() as s:
            contract = s.get(Contract, contract_id)
            if contract is None or contract.status != "active":
                return None
            account = contract.account_id
            open_cases = s.scalar(select(func.count()).select_from(Case).where(
                Case.account_id == account, Case.status.notin_(("closed", "rejected",
                                                                 "duplicate")))) or 0
            last = s.scalar(select(func.max(Activity.occurred_at)).where(
                Activity.account_id == account))
            lost = s.scalar(select(func.count()).select_from(Opportunity).join(
                Stage, Opportunity.stage_id == Stage.id).where(
                Opportunity.account_id == account, Stage.kind == "lost",
                Opportunity.closed_at >= now - timedelta(days=180))) or 0
            from store.models import Account

            account_row = s.get(Account, account)
            renewal = _renewal_deal(s, contract)
            return RenewalContext(
                contract.id, account, account_row.name if account_row else "?", contract.name,
                from_minor(contract.value_minor, contract.currency), contract.currency,
                contract.end_date, (contract.end_date - now.date()).days, open_cases,
                (now - last).days if last else None, lost,
                renewal.id if renewal else contract.renewal_opportunity_id,
                deal_title(account_row.name if account_row else None, renewal.name)
                if renewal else None)

    def stale(self, opportunity_id: int, key: str) -> StaleContext | None:
        now = self.store.now()
        with self.store.transaction() as s:
            opp = s.get(Opportunity, opportunity_id)
            if opp is None or opp.archived_at is not None or opp.stage.kind != "open":
                return None
            spell = max(d for d in (opp.last_activity_at, opp.stage_changed_at) if d)
            if key.startswith("stale:") and key != f"stale:{opp.id}:{spell:%Y%m%dT%H%M%S}":
                return None  # activity or a move since: that spell is over
            if key.startswith("overdue:") and opp.close_date >= now.date():
                return None
            return StaleContext(OpportunityView.of(opp), opp.stage.quiet_days,
                                opp.close_date < now.date())

    def digest(self, user_id: int, day_start: datetime) -> DigestContext:
        day_end = day_start + timedelta(days=1)
        with self.store.transaction() as s:
            follow_ups = s.scalars(select(Activity).where(
                Activity.owner_id == user_id, Activity.done.is_(False),
                Activity.follow_up_at < day_end).order_by(Activity.follow_up_at).limit(30))
            meetings = s.scalars(select(Activity).where(
                Activity.owner_id == user_id, Activity.kind == "meeting",
                Activity.occurred_at >= day_start, Activity.occurred_at < day_end))
            return DigestContext([ActivityView.of(a) for a in follow_ups],
                                 [ActivityView.of(a) for a in meetings])

    def user_slack_id(self, user_id: int) -> str | None:
        with self.store.transaction() as s:
            user = s.get(User, user_id)
            return user.slack_user_id if user else None
