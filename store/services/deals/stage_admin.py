"""Stages as data: admins rename them, re-weight them, set their "gone quiet" days, add
one, or deactivate one (never delete: history keeps pointing at it). A stage with
open deals in it can't be deactivated until they move."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import Conflict, InvalidInput, NotAllowed
from store.models import STAGE_KINDS, Opportunity, Stage, User
from store.roles import is_admin
from store.schemas import StageView
from store.services.people import name_changes
from store.services.people.users import require_by_id
from store.services.system import audit


def check_stage(name: str, probability: int, kind: str, quiet_days: int | None) -> None:
    """The rules a stage must keep, in words (the database enforces them too)."""
    if not name.strip():
        raise InvalidInput("A stage needs a name.")
    if kind not in STAGE_KINDS:
        raise InvalidInput(f"A stage is {', '.join(STAGE_KINDS)}, not {kind!r}.")
    if not 0 <= probability <= 100:
        raise InvalidInput("A probability is a percentage between 0 and 100.")
    if kind == "won" and probability != 100:
        raise InvalidInput("A won stage is 100%.")
    if kind == "lost" and probability != 0:
        raise InvalidInput("A lost stage is 0%.")
    if quiet_days is not None and quiet_days <= 0:
        raise InvalidInput("Gone-quiet days are a number above zero (or blank).")


def open_deals_in(session: Session, stage: Stage) -> int:
    return session.scalar(select(func.count()).select_from(Opportunity).where(
        Opportunity.stage_id == stage.id, Opportunity.archived_at.is_(None))) or 0


class StageAdmin:
    def __init__(self, store: Store) -> None:
        self.store = store

    def all(self) -> list[StageView]:
        with self.store.transaction() as s:
            return [StageView.of(st) for st in s.scalars(select(Stage).order_by(Stage.position))]

    def save(self, actor_id: int, stage_id: int | None, *, name: str, probability: int,
             kind: str, quiet_days: int | None, active: bool = True) -> StageView:
        """Add (no id: placed last) or change a stage; order changes come by CSV import."""
        check_stage(name, probability, kind, quiet_days)
        with self.store.transaction() as s:
            actor: User = require_by_id(s, actor_id)
            if not is_admin(actor):
                raise NotAllowed("Only an admin can change the pipeline's stages.")
            stage = s.get(Stage, stage_id) if stage_id else None
            clash = s.scalar(select(Stage).where(func.lower(Stage.name) == name.strip().lower()))
            if clash is not None and clash is not stage:
                raise Conflict(f"There is already a stage called {clash.name}.")
            if stage is None:
                last = s.scalar(select(func.max(Stage.position))) or 0
                stage = Stage(position=last + 1, is_active=True)
                s.add(stage)
            elif not active and stage.is_active and (waiting := open_deals_in(s, stage)):
                raise Conflict(f"{stage.name} still has {waiting} deal(s); move them before "
                               "you deactivate it.")
            before = StageView.of(stage).model_dump() if stage.id else None
            stage.name, stage.probability, stage.kind = name.strip(), probability, kind
            stage.quiet_days, stage.is_active = quiet_days, active
            s.flush()
            name_changes.changed(s, "all")  # stage names, and which deals are open
            audit.record(s, at=self.store.now(), actor_id=actor.id, action="stage.save",
                         entity_type="stage", entity_id=stage.id,
                         detail={"before": before, "after": StageView.of(stage).model_dump()})
            return StageView.of(stage)
