"""How an account is doing, in one look: "how's acme doing", "show acme", "when does the
pied piper contract renew?".

Its open deals (stage, amount, close date), the next contract renewal, the open support
cases, and the latest activity, as the asker may see them. An account can have thousands of
activities and dozens of deals, so the whole read is a fixed number of statements (the
deals with their stage and owner loaded together, the latest activities with their names),
never one per deal or per activity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from store.access import require_account_access, visible_owner_ids
from store.db import Store
from store.models import Activity, Case, Contract, Opportunity, Stage
from store.money import from_minor
from store.schemas import ActivityView, OpportunityView
from store.services.people.users import require_by_id

OPEN_CASE_STATUSES = ("new", "assigned", "pending")
SHOWN = 15  # deals listed; the rest are counted


@dataclass(frozen=True)
class Renewal:
    contract: str
    end_date: date
    value: object  # Decimal in the contract's currency
    currency: str


@dataclass(frozen=True)
class AccountHealth:
    account_id: int
    name: str
    deals: list[OpportunityView]
    more_deals: int
    renewal: Renewal | None
    open_cases: int
    case_subjects: list[str]
    last_activity: list[ActivityView]


class AccountHealthService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def of(self, actor_id: int, account_id: int, *, activities: int = 3) -> AccountHealth:
        """The account's health as `actor_id` may see it (NotFound when they may not)."""
        today = self.store.now().date()
        with self.store.read() as s:
            actor = require_by_id(s, actor_id)
            account = require_account_access(s, actor, account_id,
                                             "I can't find that account.")
            owners = visible_owner_ids(s, actor)
            deals_q = (select(Opportunity).join(Stage, Opportunity.stage_id == Stage.id)
                       .where(Opportunity.account_id == account_id, Stage.kind == "open",
                              Opportunity.archived_at.is_(None))
                       .options(joinedload(Opportunity.stage), joinedload(Opportunity.owner),
                                joinedload(Opportunity.account))
                       .order_by(Opportunity.close_date, Opportunity.id))
            if owners is not None:
                deals_q = deals_q.where(Opportunity.owner_id.in_(owners))
            deals = list(s.scalars(deals_q.limit(SHOWN + 1)).unique())
            more = 0
            if len(deals) > SHOWN:
                count_q = (select(func.count()).select_from(Opportunity)
                           .join(Stage, Opportunity.stage_id == Stage.id)
                           .where(Opportunity.account_id == account_id, Stage.kind == "open",
                                  Opportunity.archived_at.is_(None)))
                if owners is not None:
                    count_q = count_q.where(Opportunity.owner_id.in_(owners))
                more = int(s.scalar(count_q) or 0) - SHOWN
                deals = deals[:SHOWN]
            contract = s.scalars(
                select(Contract).where(Contract.account_id == account_id,
                                       Contract.status == "active",
                                       Contract.end_date >= today)
                .order_by(Contract.end_date).limit(1)).first()
            cases = list(s.execute(
                select(Case.subject, func.count().over())
                .where(Case.account_id == account_id, Case.status.in_(OPEN_CASE_STATUSES))
                .order_by(Case.opened_at.desc(), Case.id.desc()).limit(3)))
            acts_q = (select(Activity).where(Activity.account_id == account_id)
                      .options(joinedload(Activity.owner), joinedload(Activity.account),
                               joinedload(Activity.contact), joinedload(Activity.opportunity))
                      .order_by(Activity.occurred_at.desc(), Activity.id.desc()))
            if owners is not None:
                acts_q = acts_q.where(Activity.owner_id.in_(owners))
            recent = list(s.scalars(acts_q.limit(activities)).unique())
            renewal = (Renewal(contract.name, contract.end_date,
                               from_minor(contract.value_minor, contract.currency),
                               contract.currency) if contract is not None else None)
            return AccountHealth(
                account.id, account.name, [OpportunityView.of(o) for o in deals], more,
                renewal, int(cases[0][1]) if cases else 0, [c[0] for c in cases],
                [ActivityView.of(a) for a in recent])
