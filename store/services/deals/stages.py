"""Stage look-ups shared by moves, imports and reports."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.errors import InvalidInput
from store.models import Stage


def stages_in_order(session: Session, *, active_only: bool = True) -> list[Stage]:
    query = select(Stage).order_by(Stage.position)
    if active_only:
        query = query.where(Stage.is_active.is_(True))
    return list(session.scalars(query))


def require_stage(session: Session, name: str) -> Stage:
    stage = session.scalar(select(Stage).where(func.lower(Stage.name) == name.strip().lower()))
    if stage is None:
        known = ", ".join(s.name for s in stages_in_order(session))
        raise InvalidInput(f"There is no stage {name!r}. The stages are: {known}.")
    return stage


def first_open_stage(session: Session) -> Stage:
    for stage in stages_in_order(session):
        if stage.kind == "open":
            return stage
    raise InvalidInput("The pipeline has no active open stage; ask an admin to add one.")


def next_open_stage(session: Session, current: Stage) -> Stage | None:
    """The next active stage after `current` (the won stage after the last open one)."""
    later = [s for s in stages_in_order(session) if s.position > current.position]
    for stage in later:
        if stage.kind != "lost":
            return stage
    return None
