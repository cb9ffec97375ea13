"""A message with several facts about one deal, written as one action.

"had a demo with luis at oscorp, went great, moving them to proposal" is an activity and a
stage move; "acme renewal is now 120k, closing eoq" two field changes. The rep said them in
one breath, so they are one action: one transaction (all or nothing: a refused stage move
leaves no half-logged demo), one history entry for the deal's fields, and one Undo that
reverses every part. A message about several deals ("initech to proposal and hooli to
needs analysis") is the same: `apply_all` writes every deal's part in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from store.access import require_owner_access
from store.db import Store
from store.errors import Conflict, InvalidInput
from store.models import Opportunity, Stage
from store.money import to_minor
from store.schemas import ActivityView, OpportunityView
from store.services.accounts.accounts import require_visible_account
from store.services.activities.activities import (
    ActivityService,
    add_activity,
    finish_follow_up,
    move_follow_up,
)
from store.services.deals import undo
from store.services.deals.changes import UNSET, Change, apply_change, check_currency
from store.services.deals.opportunities import create_opportunity, require_opportunity
from store.services.deals.stages import next_open_stage
from store.services.people.users import require_by_id


@dataclass(frozen=True)
class ActivitySpec:
    kind: str
    subject: str
    body: str | None = None
    occurred_at: datetime | None = None
    follow_up_at: datetime | None = None
    contact_id: int | None = None
    slack_permalink: str | None = None
    slack_event_key: str | None = None


@dataclass(frozen=True)
class DealChangeSpec:
    """The deal's side of the message; None is "not said" (`next_step` UNSET likewise)."""

    stage_id: int | None = None
    advance: bool = False
    lost_reason: str | None = None
    amount: Decimal | None = None
    close_date: date | None = None
    probability: int | None = None
    next_step: Any = UNSET

    def __bool__(self) -> bool:
        return bool(self.stage_id or self.advance or self.amount is not None
                    or self.close_date or self.probability is not None
                    or self.next_step is not UNSET)


@dataclass(frozen=True)
class NewDealSpec:
    """A deal the message creates ("new opp for hooli: expansion, 75k, closing eoq"); the
    part's activity is then logged on it, in the same transaction."""

    name: str
    account: str
    currency: str
    amount: Decimal | None = None
    close_date: date | None = None
    stage_id: int | None = None


@dataclass(frozen=True)
class FollowUpSpec:
    """A follow-up finished ("done w the wayne follow up - close date 12/15") or given a
    new day (`until`), said beside deal changes, so both land in one transaction."""

    activity_id: int
    until: datetime | None = None  # None: done


@dataclass(frozen=True)
class Applied:
    opportunity: OpportunityView
    activity: ActivityView | None
    undo_token: int


@dataclass(frozen=True)
class Part:
    """One deal's share of a message about several: `opp_id`, or (an activity alone on an
    account with no open deal) `account_id`, or a deal the message creates (`new_deal`)."""

    opp_id: int | None
    account_id: int | None = None
    activity: ActivitySpec | None = None
    deal: DealChangeSpec = DealChangeSpec()
    new_deal: NewDealSpec | None = None
    follow_up: FollowUpSpec | None = None


@dataclass(frozen=True)
class AppliedPart:
    opportunity: OpportunityView | None
    activity: ActivityView | None


class PlanService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def apply(self, actor_id: int, opp_id: int, *, activity: ActivitySpec | None = None,
              deal: DealChangeSpec = DealChangeSpec()) -> Applied:
        """Log `activity` on the deal and change it as `deal` says, in one transaction."""
        [applied], token = self.apply_all(actor_id, [Part(opp_id, None, activity, deal)])
        assert applied.opportunity is not None
        return Applied(applied.opportunity, applied.activity, token)

    def apply_all(self, actor_id: int, parts: list[Part]) -> tuple[list[AppliedPart], int]:
        """Every part of one message ("initech to proposal and hooli to needs analysis"),
        in one transaction with one Undo token: all of them, or (an error) none."""
        if not parts or any(p.activity is None and not p.deal and p.new_deal is None
                            and p.follow_up is None for p in parts):
            raise InvalidInput("There is nothing to change.")
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            tokens: list[int] = []
            done = [self._one(s, actor, part, tokens) for part in parts]
            token = tokens[0] if len(tokens) == 1 else undo.remember(
                s, actor=actor, kind="bundle", entity_type="audit", entity_id=tokens[0],
                before={"tokens": json.dumps(tokens)}, now=self.store.now())
            s.flush()
            return done, token

    def _one(self, s: Any, actor: Any, part: Part, tokens: list[int]) -> AppliedPart:
        """One deal's (or, with no deal, one account's) share of the message."""
        if part.follow_up is not None:
            return self._follow_up(s, actor, part.follow_up, tokens)
        opp = None
        if part.new_deal is not None:
            opp = self._create(s, actor, part.new_deal, tokens)
        elif part.opp_id is not None:
            opp = require_opportunity(s, part.opp_id, with_parts=True)
            require_owner_access(s, actor, opp.owner_id, "deals")
        elif part.deal:
            raise InvalidInput("A deal change needs a deal.")
        logged = None
        activity = part.activity
        if activity is not None:
            account, contact = ActivityService._account_and_contact(
                s, actor, opp, opp.account_id if opp is not None else part.account_id,
                activity.contact_id)
            before = {"opportunity_last_activity_at": opp.last_activity_at if opp else None}
            logged = add_activity(
                s, owner=actor, kind=activity.kind, subject=activity.subject,
                body=activity.body, occurred_at=activity.occurred_at or self.store.now(),
                follow_up_at=activity.follow_up_at, account=account, contact=contact,
                opportunity=opp, slack_permalink=activity.slack_permalink,
                slack_event_key=activity.slack_event_key)
            s.flush()
            tokens.append(undo.remember(
                s, actor=actor, kind="activity", entity_type="activity",
                entity_id=logged.id, before=before, now=self.store.now()))
        if part.deal and opp is not None:
            tokens.append(self._change(s, actor, opp, part.deal))
        return AppliedPart(OpportunityView.of(opp) if opp is not None else None,
                           ActivityView.of(logged) if logged is not None else None)

    def _follow_up(self, s: Any, actor: Any, spec: FollowUpSpec,
                   tokens: list[int]) -> AppliedPart:
        now = self.store.now()
        if spec.until is None:
            activity, token = finish_follow_up(s, actor, spec.activity_id, now)
        else:
            activity, token = move_follow_up(s, actor, spec.activity_id, spec.until, now)
        tokens.append(token)
        return AppliedPart(None, ActivityView.of(activity))

    def _create(self, s: Any, actor: Any, new: NewDealSpec, tokens: list[int]) -> Opportunity:
        """The new deal, on an account the actor may see, remembered for the one Undo."""
        require_visible_account(s, actor, new.account)
        stage = s.get(Stage, new.stage_id) if new.stage_id else None
        if new.stage_id and (stage is None or not stage.is_active):
            raise InvalidInput("That stage is no longer in the pipeline; say it again.")
        opp = create_opportunity(
            s, name=new.name, owner=actor, actor=actor, now=self.store.now(),
            currency=new.currency, account_name=new.account, stage=stage,
            amount_minor=to_minor(new.amount, new.currency) if new.amount is not None else 0,
            close_date=new.close_date)
        tokens.append(undo.remember(s, actor=actor, kind="created", entity_type="opportunity",
                                    entity_id=opp.id, before={}, now=self.store.now()))
        return opp

    def _change(self, s: Any, actor: Any, opp: Opportunity, deal: DealChangeSpec) -> int:
        stage = None
        if deal.stage_id:
            stage = s.get(Stage, deal.stage_id)
            if stage is None or not stage.is_active:
                raise InvalidInput("That stage is no longer in the pipeline; say it again.")
        if deal.advance:
            if opp.stage.kind != "open":
                raise Conflict(f"{opp.name} is already {opp.stage.name}.")
            stage = next_open_stage(s, opp.stage)
            if stage is None:
                raise Conflict(f"{opp.name} is at the last stage already.")
        if stage is not None and stage.id == opp.stage_id:
            stage = None  # already there: the other facts still apply
        if deal.amount is not None:
            check_currency(opp.currency)
        before = apply_change(
            s, opp,
            Change(stage=stage, lost_reason=deal.lost_reason,
                   amount_minor=to_minor(deal.amount, opp.currency)
                   if deal.amount is not None else None,
                   probability=deal.probability, close_date=deal.close_date,
                   next_step=deal.next_step),
            actor=actor, now=self.store.now(), source="slack")
        return undo.remember(s, actor=actor, kind="opportunity", entity_type="opportunity",
                             entity_id=opp.id, before=before, now=self.store.now())
