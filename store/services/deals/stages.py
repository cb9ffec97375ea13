"""Stages: the look-ups shared by moves, imports and reports, and the words people use
for them. Stages are data (admins rename and add them), so nothing outside this module
names one: code asks for the closing stage of an outcome, or resolves what a person typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.errors import InvalidInput
from store.models import Stage

Outcome = Literal["won", "lost"]

OUTCOME_WORDS: dict[str, Outcome] = {
    "won": "won", "closed won": "won", "close won": "won",
    "lost": "lost", "closed lost": "lost", "close lost": "lost",
}
"""Words for a closing stage, whatever the pipeline calls it."""

DEFAULT_STAGE_WORDS: dict[str, str] = {
    "qualification": "Needs Analysis", "discovery": "Needs Analysis",
    "proposal": "Proposal/Price Review", "quote": "Proposal/Price Review",
    "negotiation": "Negotiation/Review", "negotiating": "Negotiation/Review",
    "prospect": "Prospecting",
}
"""Everyday words for the default pipeline's open stages (store/seed.py); a word whose
stage an admin renamed away simply stops matching, and fuzzy matching takes over."""


class NamedStage(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def position(self) -> int: ...
    @property
    def is_active(self) -> bool: ...


S = TypeVar("S", bound=NamedStage)


def stage_for_word(word: str, stages: Sequence[S]) -> S | None:
    """The stage an everyday word means ("won", "negotiation"), among `stages`, or None."""
    word = word.strip().lower()
    if (outcome := OUTCOME_WORDS.get(word)) is not None:
        closing = [s for s in stages if s.kind == outcome]
        return min(closing, key=lambda s: s.position) if closing else None
    target = DEFAULT_STAGE_WORDS.get(word, "").lower()
    return next((s for s in stages if target and s.name.lower() == target), None)


RETIRED_STAGE = ("That stage is no longer in the pipeline, so nothing was moved; "
                 "ask me for the deal again for a fresh card.")


def chosen_stage(stage_id: int, stages: Sequence[S]) -> S:
    """The active stage a menu's value names, among `stages`; InvalidInput in words when
    there is none: a forged id, or a stage an admin retired since the menu was shown.
    (Whether the move itself is allowed, reopening or a lost reason, is `apply_change`'s.)"""
    found = next((s for s in stages if s.id == stage_id and s.is_active), None)
    if found is None:
        raise InvalidInput(RETIRED_STAGE, field="stage")
    return found


def closing_stage(session: Session, outcome: Outcome) -> Stage:
    """The first active stage of that outcome (the pipeline's Closed Won or Closed Lost)."""
    for stage in stages_in_order(session):
        if stage.kind == outcome:
            return stage
    raise InvalidInput(f"The pipeline has no active {outcome} stage; ask an admin to add one.")


def stages_in_order(session: Session, *, active_only: bool = True) -> list[Stage]:
    query = select(Stage).order_by(Stage.position)
    if active_only:
        query = query.where(Stage.is_active.is_(True))
    return list(session.scalars(query))


def require_stage(session: Session, name: str) -> Stage:
    """The active stage called `name` (any case): what a new deal starts in or a move goes
    to. A retired one is refused in words, whether a form listed it before an admin retired
    it or a forged value names it."""
    stage = session.scalar(select(Stage).where(func.lower(Stage.name) == name.strip().lower()))
    if stage is None:
        known = ", ".join(s.name for s in stages_in_order(session))
        raise InvalidInput(f"There is no stage {name!r}. The stages are: {known}.",
                           field="stage")
    if not stage.is_active:
        raise InvalidInput(f"The stage {stage.name!r} is no longer in use.", field="stage")
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
