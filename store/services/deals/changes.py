"""The one write path for a deal's stage, amount, probability and close date.

Every change to those four fields, from Slack, a command, an import, an Undo or the
system, goes through `apply_change`, in the caller's transaction, and writes exactly one
history row. The complaints that led to it (missing timeline entries, mass updates that
skipped probability) all came from a second path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from store.errors import InvalidInput, NotAllowed
from store.models import Opportunity, Stage, User
from store.money import currency_precision
from store.roles import leads_a_team
from store.services.deals.history import change_row
from store.services.people import name_changes
from store.services.system import audit

UNSET: Any = object()  # a `Change.next_step` left alone (None clears it)
_TRACKED = ("stage_id", "amount_minor", "currency", "probability", "close_date")
_UNTRACKED = ("next_step", "owner_id")  # changes go to the audit log, not the history


@dataclass
class Change:
    """What one action changes; fields left unset are left alone."""

    stage: Stage | None = None
    amount_minor: int | None = None
    currency: str | None = None
    probability: int | None = None
    close_date: date | None = None
    next_step: str | None = field(default=UNSET)
    owner: User | None = None
    lost_reason: str | None = None
    note: str | None = None
    undo: bool = False  # an Undo restores an earlier state: no reopen or lost-reason checks


def local_today(now: datetime, tz: str | None) -> date:
    return now.astimezone(ZoneInfo(tz or "UTC")).date()


def check_currency(code: str) -> None:
    """Raise InvalidInput about the currency for a code that is not ISO 4217."""
    try:
        currency_precision(code)
    except InvalidInput as exc:
        raise InvalidInput(str(exc), field="currency") from exc


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

    Nothing is written unless the whole change is valid. The returned dict is exactly
    what an Undo needs to put back.
    """
    before = _values_before(opp)
    from_stage = opp.stage
    target = change.stage if change.stage is not None and change.stage.id != opp.stage_id \
        else None
    _check_fields(opp, change)
    if target is not None:
        _check_stage_move(from_stage, target, change, actor=actor, source=source)
    if change.probability is not None:
        _check_probability(target or from_stage, change.probability)

    _write_fields(opp, change)
    if target is not None:
        _move_to_stage(opp, target, change, now=now,
                       today=local_today(now, actor.timezone if actor else None))
        if (from_stage.kind == "open") != (target.kind == "open"):  # into or out of the names
            name_changes.changed(session, "deal", opp.id)
    elif change.lost_reason is not None and from_stage.kind == "lost":
        opp.lost_reason = change.lost_reason.strip() or opp.lost_reason
    if change.probability is not None:
        opp.probability = change.probability
        opp.probability_overridden = change.probability != opp.stage.probability

    actor_id = actor.id if actor else None
    if any(before[k] != getattr(opp, k) for k in _TRACKED):
        session.flush()
        session.add(change_row(opp, from_stage_id=from_stage.id, actor_id=actor_id, now=now,
                               source=source, note=change.note))
    _audit_untracked(session, opp, before, actor_id=actor_id, now=now, source=source)
    return before


def _values_before(opp: Opportunity) -> dict[str, Any]:
    return {
        "stage_id": opp.stage_id, "amount_minor": opp.amount_minor, "currency": opp.currency,
        "probability": opp.probability, "close_date": opp.close_date,
        "next_step": opp.next_step, "owner_id": opp.owner_id, "lost_reason": opp.lost_reason,
        "probability_overridden": opp.probability_overridden, "closed_at": opp.closed_at,
        "last_open_stage_id": opp.last_open_stage_id, "stage_changed_at": opp.stage_changed_at,
    }


def _check_fields(opp: Opportunity, change: Change) -> None:
    if change.amount_minor is not None and change.amount_minor < 0:
        raise InvalidInput("An amount can't be negative.", field="amount")
    if change.currency is not None:
        check_currency(change.currency)
    if change.owner is not None and change.owner.id != opp.owner_id \
            and not change.owner.is_active:
        raise InvalidInput(f"{change.owner.name} is deactivated; pick someone active.",
                           field="owner")


def _check_stage_move(
    current: Stage, target: Stage, change: Change, *, actor: User | None, source: str,
) -> None:
    """A stage still in use; a closed deal reopened only by a manager; a reason for lost."""
    if not target.is_active:
        raise InvalidInput(f"The stage {target.name!r} is no longer in use.", field="stage")
    if current.kind != "open" and source != "import" and not change.undo and (
        actor is None or not leads_a_team(actor)
    ):
        raise NotAllowed(
            f"This deal is already {current.name}; only a manager can reopen it."
        )
    if target.kind == "lost" and not (change.lost_reason or "").strip() \
            and source != "import" and not change.undo:
        raise InvalidInput("Closing a deal lost needs a reason (who won it, or why).",
                           field="lost_reason")


def _check_probability(stage: Stage, probability: int) -> None:
    """A percentage; a closed deal keeps its stage's (100 won, 0 lost)."""
    if not 0 <= probability <= 100:
        raise InvalidInput("A probability is a percentage between 0 and 100.",
                           field="probability")
    if stage.kind != "open" and probability != stage.probability:
        raise InvalidInput(
            f"A {stage.name} deal is at {stage.probability}%; that can't change.",
            field="probability",
        )


def _write_fields(opp: Opportunity, change: Change) -> None:
    """Amount, currency, close date, next step and owner, as given."""
    if change.amount_minor is not None:
        opp.amount_minor = change.amount_minor
    if change.currency is not None:
        opp.currency = change.currency.upper()
    if change.close_date is not None:
        opp.close_date = change.close_date
    if change.next_step is not UNSET:
        opp.next_step = (change.next_step or "").strip() or None
    if change.owner is not None and change.owner.id != opp.owner_id:
        opp.owner_id = change.owner.id
        opp.owner = change.owner


def _move_to_stage(
    opp: Opportunity, target: Stage, change: Change, *, now: datetime, today: date,
) -> None:
    """The stage, and what follows from it: lost reason, closed_at, the stage's probability.

    A deal closed without a close date closes today; leaving the open stages remembers the
    last one, which reopening goes back to.
    """
    if target.kind == "lost":
        opp.lost_reason = (change.lost_reason or "").strip() or None
    else:
        opp.lost_reason = None
    if opp.stage.kind == "open" and target.kind != "open":
        opp.last_open_stage_id = opp.stage_id
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


def _audit_untracked(
    session: Session, opp: Opportunity, before: dict[str, Any], *, actor_id: int | None,
    now: datetime, source: str,
) -> None:
    """Next step and owner have no history column: their changes go to the audit log."""
    untracked = {
        k: (before[k], getattr(opp, k)) for k in _UNTRACKED if before[k] != getattr(opp, k)
    }
    if untracked:
        audit.record(
            session, at=now, actor_id=actor_id, action="opportunity.update",
            entity_type="opportunity", entity_id=opp.id,
            detail={k: {"before": b, "after": a} for k, (b, a) in untracked.items()},
            source=source,
        )
