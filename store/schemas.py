"""Pydantic views the services hand back.

Services never return live ORM rows: a view is read inside the transaction, so no
caller touches a row after its session is gone.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from store.money import from_minor

if TYPE_CHECKING:  # the views are read from rows, but using a view needs no database
    from store.models import Account, Activity, Contact, Opportunity, Stage, User


def deal_title(account_name: str | None, name: str) -> str:
    """How people name a deal: "Acme — Renewal", or the deal's name alone without an
    account."""
    return f"{account_name} — {name}" if account_name else name


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class UserView(View):
    id: int
    slack_user_id: str
    name: str
    email: str | None
    role: str
    timezone: str | None
    manager_id: int | None
    team_id: int | None
    is_active: bool

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(
            id=user.id, slack_user_id=user.slack_user_id, name=user.name, email=user.email,
            role=user.role, timezone=user.timezone, manager_id=user.manager_id,
            team_id=user.team_id, is_active=user.is_active,
        )


class StageView(View):
    id: int
    name: str
    position: int
    probability: int
    kind: str
    quiet_days: int | None
    is_active: bool

    @classmethod
    def of(cls, stage: Stage) -> StageView:
        return cls(
            id=stage.id, name=stage.name, position=stage.position,
            probability=stage.probability, kind=stage.kind, quiet_days=stage.quiet_days,
            is_active=stage.is_active,
        )


class AccountView(View):
    id: int
    name: str
    domain: str | None
    industry: str | None
    employees: int | None
    owner_id: int | None

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(
            id=account.id, name=account.name, domain=account.domain, industry=account.industry,
            employees=account.employees, owner_id=account.owner_id,
        )


class ContactView(View):
    id: int
    name: str
    email: str | None
    phone: str | None
    title: str | None
    account_id: int | None
    account_name: str | None

    @classmethod
    def of(cls, contact: Contact) -> ContactView:
        return cls(
            id=contact.id, name=contact.name, email=contact.email, phone=contact.phone,
            title=contact.title, account_id=contact.account_id,
            account_name=contact.account.name if contact.account else None,
        )


class OpportunityView(View):
    id: int
    name: str
    account_id: int | None
    account_name: str | None
    owner_id: int
    owner_name: str
    owner_slack_id: str
    stage: StageView
    amount: Decimal
    currency: str
    close_date: date
    probability: int
    next_step: str | None
    lost_reason: str | None
    last_activity_at: datetime | None
    stage_changed_at: datetime
    undo_token: int | None = None  # set when the view answers an undoable action

    @property
    def is_closed(self) -> bool:
        return self.stage.kind != "open"

    @property
    def title(self) -> str:
        """How people name a deal: "Acme — Renewal"."""
        return deal_title(self.account_name, self.name)

    @classmethod
    def of(cls, opp: Opportunity) -> OpportunityView:
        return cls(
            id=opp.id, name=opp.name, account_id=opp.account_id,
            account_name=opp.account.name if opp.account else None,
            owner_id=opp.owner_id, owner_name=opp.owner.name,
            owner_slack_id=opp.owner.slack_user_id, stage=StageView.of(opp.stage),
            amount=from_minor(opp.amount_minor, opp.currency), currency=opp.currency,
            close_date=opp.close_date, probability=opp.probability, next_step=opp.next_step,
            lost_reason=opp.lost_reason, last_activity_at=opp.last_activity_at,
            stage_changed_at=opp.stage_changed_at,
        )


class HistoryView(View):
    id: int
    changed_at: datetime
    changed_by_id: int | None
    from_stage: str | None
    to_stage: str
    amount: Decimal
    currency: str
    probability: int
    close_date: date
    source: str


class ActivityView(View):
    id: int
    kind: str
    subject: str
    body: str | None
    occurred_at: datetime
    follow_up_at: datetime | None
    done: bool
    owner_id: int
    owner_name: str
    account_id: int | None
    account_name: str | None
    contact_id: int | None
    contact_name: str | None
    opportunity_id: int | None
    opportunity_name: str | None
    slack_permalink: str | None
    undo_token: int | None = None

    @classmethod
    def of(cls, activity: Activity) -> ActivityView:
        return cls(
            id=activity.id, kind=activity.kind, subject=activity.subject, body=activity.body,
            occurred_at=activity.occurred_at, follow_up_at=activity.follow_up_at,
            done=activity.done, owner_id=activity.owner_id, owner_name=activity.owner.name,
            account_id=activity.account_id,
            account_name=activity.account.name if activity.account else None,
            contact_id=activity.contact_id,
            contact_name=activity.contact.name if activity.contact else None,
            opportunity_id=activity.opportunity_id,
            opportunity_name=activity.opportunity.name if activity.opportunity else None,
            slack_permalink=activity.slack_permalink,
        )
