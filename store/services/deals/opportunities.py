"""Deals: creating them, reading them, and the actions a person takes on them.

Every change of stage, amount, probability or close date goes through the one write
path, `store.services.deals.changes.apply_change`; this module checks who may act and
what the card showed, and makes each action undoable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.access import (
    can_see_owner,
    require_owner_access,
    require_visible,
    visible_owner_ids,
)
from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed, Stale
from store.models import Opportunity, OpportunityHistory, Stage, User
from store.money import currency_precision, to_minor
from store.roles import leads_a_team
from store.schemas import HistoryView, OpportunityView
from store.services.accounts.accounts import (
    clean_name,
    require_account,
    require_visible_account,
)
from store.services.deals import undo
from store.services.deals.changes import UNSET, Change, apply_change, check_currency, local_today
from store.services.deals.deal_reads import require_opportunity, visible_deal
from store.services.deals.history import first_history_row, history_views, state_of
from store.services.deals.stages import (
    Outcome,
    closing_stage,
    first_open_stage,
    next_open_stage,
    require_stage,
)
from store.services.people import name_changes
from store.services.people.users import require_by_id

DEFAULT_CLOSE_DAYS = 30  # a new open deal without a close date is expected in a month


def create_opportunity(
    session: Session,
    *,
    name: str,
    owner: User,
    now: datetime,
    currency: str,
    account_name: str | None = None,
    stage: Stage | None = None,
    amount_minor: int = 0,
    close_date: date | None = None,
    probability: int | None = None,
    next_step: str | None = None,
    lost_reason: str | None = None,
    actor: User | None = None,
    source: str = "slack",
) -> Opportunity:
    """Insert an opportunity and its first history row (from no stage)."""
    name = clean_name(name, "deal")
    account = require_account(session, account_name) if account_name else None
    stage = stage or first_open_stage(session)
    if stage.kind == "lost" and not (lost_reason or "").strip() and source != "import":
        raise InvalidInput("A deal created as lost needs a reason.", field="lost_reason")
    if amount_minor < 0:
        raise InvalidInput("An amount can't be negative.", field="amount")
    if probability is not None and not 0 <= probability <= 100:
        raise InvalidInput("A probability is a percentage between 0 and 100.",
                           field="probability")
    if account is not None and session.scalar(
        select(Opportunity.id).where(Opportunity.account_id == account.id, Opportunity.name == name,
                                     Opportunity.archived_at.is_(None))
    ):
        raise Conflict(f"{account.name} already has a deal called {name!r}.", field="name")
    currency_precision(currency)
    opp = Opportunity(
        name=name, account=account, owner=owner, owner_id=owner.id, stage=stage,
        stage_id=stage.id, amount_minor=amount_minor, currency=currency.upper(),
        close_date=close_date or (local_today(now, owner.timezone) + timedelta(
            days=0 if stage.kind != "open" else DEFAULT_CLOSE_DAYS)),
        probability=stage.probability if probability is None or stage.kind != "open"
        else probability,
        probability_overridden=probability is not None and probability != stage.probability,
        next_step=next_step, lost_reason=lost_reason, stage_changed_at=now,
        closed_at=now if stage.kind != "open" else None,
    )
    session.add(opp)
    session.flush()
    session.add(OpportunityHistory(**first_history_row(
        opp.id, state_of(opp), actor_id=(actor or owner).id, now=now, source=source,
    )))
    name_changes.changed(session, "deal", opp.id)
    return opp


def _require_stage_unchanged(opp: Opportunity, shown_stage_id: int | None) -> None:
    if shown_stage_id is not None and shown_stage_id != opp.stage_id:
        raise Stale(f"That card was out of date: {opp.name} is now in {opp.stage.name}. "
                    "Nothing was changed; here is the current card.")


def _require_may_hand_over(session: Session, actor: User, new_owner: User) -> None:
    """Only a manager or an admin gives a deal to someone else, and only within reach."""
    if not leads_a_team(actor):
        manager = session.get(User, actor.manager_id) if actor.manager_id else None
        ask = f"; ask {manager.name}" if manager else ""
        raise NotAllowed(f"Only a manager or an admin can give a deal to someone "
                         f"else{ask}.", field="owner")
    if not can_see_owner(session, actor, new_owner.id):
        raise NotAllowed(f"{new_owner.name} is not in your team.", field="owner")


class OpportunityService:
    def __init__(self, store: Store, *, default_currency: str = "USD") -> None:
        self.store = store
        self.default_currency = default_currency

    def create(
        self,
        actor_id: int,
        name: str,
        *,
        account: str | None = None,
        amount: Decimal | None = None,
        currency: str | None = None,
        stage: str | None = None,
        close_date: date | None = None,
        next_step: str | None = None,
        owner_id: int | None = None,
        undoable: bool = False,
    ) -> OpportunityView:
        """Create a deal; with `undoable` the view carries an Undo token (archives it)."""
        currency = (currency or self.default_currency).upper()
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            owner = require_by_id(s, owner_id) if owner_id else actor
            require_owner_access(s, actor, owner.id, "deals")
            if account:
                require_visible_account(s, actor, account)
            opp = create_opportunity(
                s, name=name, owner=owner, actor=actor, now=self.store.now(), currency=currency,
                account_name=account, stage=require_stage(s, stage) if stage else None,
                amount_minor=to_minor(amount, currency) if amount is not None else 0,
                close_date=close_date, next_step=next_step,
            )
            view = OpportunityView.of(opp)
            if undoable:
                token = undo.remember(s, actor=actor, kind="created", entity_type="opportunity",
                                      entity_id=opp.id, before={}, now=self.store.now())
                view = view.model_copy(update={"undo_token": token})
            return view

    def get(self, actor_id: int, opp_id: int) -> OpportunityView:
        """A deal as the actor may see it, in one statement and no commit (`visible_deal`)."""
        return visible_deal(self.store, actor_id, opp_id)

    def move_stage(
        self,
        actor_id: int,
        opp_id: int,
        stage: str,
        *,
        lost_reason: str | None = None,
        source: str = "slack",
        from_stage_id: int | None = None,
    ) -> OpportunityView:
        """Move to the stage named `stage` (any case)."""
        return self._move(actor_id, opp_id, lambda s: require_stage(s, stage),
                          lost_reason=lost_reason, source=source, from_stage_id=from_stage_id)

    def close(self, actor_id: int, opp_id: int, outcome: Outcome, *,
              lost_reason: str | None = None, source: str = "slack") -> OpportunityView:
        """Close won or lost, whatever the pipeline calls its closing stages."""
        return self._move(actor_id, opp_id, lambda s: closing_stage(s, outcome),
                          lost_reason=lost_reason, source=source)

    def _move(self, actor_id: int, opp_id: int, pick: Callable[[Session], Stage], *,
              lost_reason: str | None, source: str, from_stage_id: int | None = None,
              ) -> OpportunityView:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            opp = require_opportunity(s, opp_id)
            require_owner_access(s, actor, opp.owner_id, "deals")
            _require_stage_unchanged(opp, from_stage_id)
            target = pick(s)
            if target.id == opp.stage_id:
                raise Conflict(f"{opp.name} is already in {target.name}.")
            before = apply_change(
                s, opp, Change(stage=target, lost_reason=lost_reason), actor=actor,
                now=self.store.now(), source=source,
            )
            return self._undoable(s, opp, actor, before)

    def advance(self, actor_id: int, opp_id: int, *, source: str = "slack",
                from_stage_id: int | None = None) -> OpportunityView:
        """Move to the next stage of the pipeline (never to Closed Lost).

        `from_stage_id` is the stage the button showed: a double click or an old card
        must not skip a stage.
        """
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            opp = require_opportunity(s, opp_id)
            require_owner_access(s, actor, opp.owner_id, "deals")
            _require_stage_unchanged(opp, from_stage_id)
            if opp.stage.kind != "open":
                raise Conflict(f"{opp.name} is already {opp.stage.name}.")
            target = next_open_stage(s, opp.stage)
            if target is None:
                raise Conflict(f"{opp.name} is at the last stage already.")
            before = apply_change(s, opp, Change(stage=target), actor=actor,
                                  now=self.store.now(), source=source)
            return self._undoable(s, opp, actor, before)

    def update(
        self,
        actor_id: int,
        opp_id: int,
        *,
        amount: Decimal | None = None,
        currency: str | None = None,
        probability: int | None = None,
        close_date: date | None = None,
        next_step: str | None = UNSET,
        owner_id: int | None = None,
        source: str = "slack",
    ) -> OpportunityView:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            opp = require_opportunity(s, opp_id)
            require_owner_access(s, actor, opp.owner_id, "deals")
            new_owner = require_by_id(s, owner_id) if owner_id else None
            if new_owner is not None and new_owner.id != opp.owner_id:
                _require_may_hand_over(s, actor, new_owner)
            cur = currency or opp.currency
            if amount is not None:
                check_currency(cur)
            before = apply_change(
                s, opp,
                Change(
                    amount_minor=to_minor(amount, cur) if amount is not None else None,
                    currency=currency, probability=probability, close_date=close_date,
                    next_step=next_step, owner=new_owner,
                ),
                actor=actor, now=self.store.now(), source=source,
            )
            return self._undoable(s, opp, actor, before)

    def _undoable(
        self, session: Session, opp: Opportunity, actor: User, before: dict[str, Any]
    ) -> OpportunityView:
        token = undo.remember(
            session, actor=actor, kind="opportunity", entity_type="opportunity",
            entity_id=opp.id, before=before, now=self.store.now(),
        )
        return OpportunityView.of(opp).model_copy(update={"undo_token": token})

    def history(self, actor_id: int, opp_id: int) -> list[HistoryView]:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            opp = require_opportunity(s, opp_id)
            require_visible(s, actor, opp.owner_id, "deal")
            return history_views(s, opp_id)

    def visible(self, actor_id: int, *, open_only: bool = True) -> list[OpportunityView]:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            query = (
                select(Opportunity).join(Stage, Opportunity.stage_id == Stage.id)
                .where(Opportunity.archived_at.is_(None))
                .order_by(Stage.position, Opportunity.close_date, Opportunity.id)
            )
            if open_only:
                query = query.where(Stage.kind == "open")
            owners = visible_owner_ids(s, actor)
            if owners is not None:
                query = query.where(Opportunity.owner_id.in_(owners))
            return [OpportunityView.of(o) for o in s.scalars(query)]
