"""Opportunities, and the one write path for stage, amount, probability and close date.

Every change to those four fields, from Slack, a command, an import or the system,
goes through `apply_change`, in the caller's transaction, and writes exactly one
history row. The complaints collected in crm-model.md §9 (missing timeline entries,
mass updates that skipped probability) all came from a second path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.access import (
    can_see_owner,
    require_owner_access,
    require_visible,
    visible_owner_ids,
)
from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed, NotFound, Stale
from store.models import Opportunity, OpportunityHistory, Stage, User
from store.money import currency_precision, from_minor, to_minor
from store.schemas import HistoryView, OpportunityView
from store.services.accounts.accounts import clean_name, require_account
from store.services.deals import undo
from store.services.deals.stages import first_open_stage, next_open_stage, require_stage
from store.services.people.users import require_by_id
from store.services.system import audit

_UNSET: Any = object()
DEFAULT_CLOSE_DAYS = 30  # a new open deal without a close date is expected in a month


@dataclass
class Change:
    """What one action changes; fields left unset are left alone."""

    stage: Stage | None = None
    amount_minor: int | None = None
    currency: str | None = None
    probability: int | None = None
    close_date: date | None = None
    next_step: str | None = field(default=_UNSET)
    owner: User | None = None
    lost_reason: str | None = None
    note: str | None = None
    undo: bool = False  # an Undo restores an earlier state: no reopen or lost-reason checks


def local_today(now: datetime, tz: str | None) -> date:
    return now.astimezone(ZoneInfo(tz or "UTC")).date()


def _history_row(
    opp: Opportunity, *, from_stage_id: int | None, actor_id: int | None, now: datetime,
    source: str, note: str | None,
) -> OpportunityHistory:
    return OpportunityHistory(
        opportunity_id=opp.id, changed_at=now, changed_by_id=actor_id,
        from_stage_id=from_stage_id, to_stage_id=opp.stage_id, amount_minor=opp.amount_minor,
        currency=opp.currency, probability=opp.probability, close_date=opp.close_date,
        owner_id=opp.owner_id, source=source, note=note,
    )


def apply_change(
    session: Session,
    opp: Opportunity,
    change: Change,
    *,
    actor: User | None,
    now: datetime,
    source: str = "slack",
) -> dict[str, Any]:
    """Apply `change` to `opp` and write its history row; return the previous values.

    The returned dict is exactly what an Undo needs to put back.
    """
    before = {
        "stage_id": opp.stage_id, "amount_minor": opp.amount_minor, "currency": opp.currency,
        "probability": opp.probability, "close_date": opp.close_date,
        "next_step": opp.next_step, "owner_id": opp.owner_id, "lost_reason": opp.lost_reason,
        "probability_overridden": opp.probability_overridden, "closed_at": opp.closed_at,
        "last_open_stage_id": opp.last_open_stage_id, "stage_changed_at": opp.stage_changed_at,
    }
    current: Stage = opp.stage
    from_stage_id = opp.stage_id
    today = local_today(now, actor.timezone if actor else None)

    if change.amount_minor is not None:
        if change.amount_minor < 0:
            raise InvalidInput("An amount can't be negative.")
        opp.amount_minor = change.amount_minor
    if change.currency is not None:
        currency_precision(change.currency)
        opp.currency = change.currency.upper()
    if change.close_date is not None:
        opp.close_date = change.close_date
    if change.next_step is not _UNSET:
        opp.next_step = (change.next_step or "").strip() or None
    if change.owner is not None and change.owner.id != opp.owner_id:
        if not change.owner.is_active:
            raise InvalidInput(f"{change.owner.name} is deactivated; pick someone active.")
        opp.owner_id = change.owner.id
        opp.owner = change.owner

    target = change.stage
    if target is not None and target.id != current.id:
        if not target.is_active:
            raise InvalidInput(f"The stage {target.name!r} is no longer in use.")
        if current.kind != "open" and source != "import" and not change.undo and (
            actor is None or actor.role not in ("manager", "director", "admin")
        ):
            raise NotAllowed(
                f"This deal is already {current.name}; only a manager can reopen it."
            )
        if target.kind == "lost":
            reason = (change.lost_reason or "").strip()
            if not reason and source != "import" and not change.undo:
                raise InvalidInput("Closing a deal lost needs a reason (who won it, or why).")
            opp.lost_reason = reason or None
        else:
            opp.lost_reason = None
        if current.kind == "open" and target.kind != "open":
            opp.last_open_stage_id = current.id
        if target.kind != "open":
            opp.closed_at = now
            if change.close_date is None:
                opp.close_date = today
        else:
            opp.closed_at = None
        opp.stage_id = target.id
        opp.stage = target
        opp.stage_changed_at = now
        if change.probability is None:
            opp.probability = target.probability
            opp.probability_overridden = False
    elif change.lost_reason is not None and current.kind == "lost":
        opp.lost_reason = change.lost_reason.strip() or opp.lost_reason

    if change.probability is not None:
        if not 0 <= change.probability <= 100:
            raise InvalidInput("A probability is a percentage between 0 and 100.")
        if opp.stage.kind != "open" and change.probability != opp.stage.probability:
            raise InvalidInput(
                f"A {opp.stage.name} deal is at {opp.stage.probability}%; that can't change."
            )
        opp.probability = change.probability
        opp.probability_overridden = change.probability != opp.stage.probability

    tracked = ("stage_id", "amount_minor", "currency", "probability", "close_date")
    if any(before[k] != getattr(opp, k) for k in tracked):
        session.flush()
        session.add(_history_row(
            opp, from_stage_id=from_stage_id, actor_id=actor.id if actor else None, now=now,
            source=source, note=change.note,
        ))
    untracked = {
        k: (before[k], getattr(opp, k)) for k in ("next_step", "owner_id")
        if before[k] != getattr(opp, k)
    }
    if untracked:
        audit.record(
            session, at=now, actor_id=actor.id if actor else None, action="opportunity.update",
            entity_type="opportunity", entity_id=opp.id,
            detail={k: {"before": b, "after": a} for k, (b, a) in untracked.items()},
            source=source,
        )
    return before


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
        raise InvalidInput("A deal created as lost needs a reason.")
    if amount_minor < 0:
        raise InvalidInput("An amount can't be negative.")
    if probability is not None and not 0 <= probability <= 100:
        raise InvalidInput("A probability is a percentage between 0 and 100.")
    if account is not None and session.scalar(
        select(Opportunity.id).where(Opportunity.account_id == account.id, Opportunity.name == name)
    ):
        raise Conflict(f"{account.name} already has a deal called {name!r}.")
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
    session.add(_history_row(
        opp, from_stage_id=None, actor_id=(actor or owner).id, now=now, source=source,
        note=None,
    ))
    return opp


def _require_stage_unchanged(opp: Opportunity, shown_stage_id: int | None) -> None:
    if shown_stage_id is not None and shown_stage_id != opp.stage_id:
        raise Stale(f"That card was out of date: {opp.name} is now in {opp.stage.name}. "
                    "Nothing was changed; here is the current card.")


def require_opportunity(session: Session, opp_id: int) -> Opportunity:
    opp = session.get(Opportunity, opp_id)
    if opp is None or opp.archived_at is not None:
        raise NotFound("That deal no longer exists.")
    return opp


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
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            opp = require_opportunity(s, opp_id)
            require_visible(s, actor, opp.owner_id, "deal")
            return OpportunityView.of(opp)

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
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            opp = require_opportunity(s, opp_id)
            require_owner_access(s, actor, opp.owner_id, "deals")
            _require_stage_unchanged(opp, from_stage_id)
            target = require_stage(s, stage)
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
        next_step: str | None = _UNSET,
        owner_id: int | None = None,
        source: str = "slack",
    ) -> OpportunityView:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            opp = require_opportunity(s, opp_id)
            require_owner_access(s, actor, opp.owner_id, "deals")
            new_owner = require_by_id(s, owner_id) if owner_id else None
            if new_owner is not None and new_owner.id != opp.owner_id:
                if actor.role not in ("manager", "director", "admin"):
                    manager = s.get(User, actor.manager_id) if actor.manager_id else None
                    ask = f"; ask {manager.name}" if manager else ""
                    raise NotAllowed(f"Only a manager or an admin can give a deal to someone "
                                     f"else{ask}.")
                if not can_see_owner(s, actor, new_owner.id):
                    raise NotAllowed(f"{new_owner.name} is not in your team.")
            cur = currency or opp.currency
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
            rows = s.scalars(
                select(OpportunityHistory)
                .where(OpportunityHistory.opportunity_id == opp_id)
                .order_by(OpportunityHistory.changed_at, OpportunityHistory.id)
            )
            stage_names = {st.id: st.name for st in s.scalars(select(Stage))}
            return [
                HistoryView(
                    id=h.id, changed_at=h.changed_at, changed_by_id=h.changed_by_id,
                    from_stage=stage_names.get(h.from_stage_id) if h.from_stage_id else None,
                    to_stage=stage_names[h.to_stage_id],
                    amount=from_minor(h.amount_minor, h.currency), currency=h.currency,
                    probability=h.probability, close_date=h.close_date, source=h.source,
                )
                for h in rows
            ]

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
