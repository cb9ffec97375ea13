"""Workflow rules: data, not code (YAML, checked at start-up like the approval policy).

Events are read back from what the store already records (history rows, new accounts,
opened cases) in a recent window on every sweep, so no write path needs to know the
rules. Each rule's effect is keyed by rule and event — a reminder row (notify) or a
follow-up task with a unique key — so it happens once, whichever process sweeps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from store.config_files import load_yaml_model
from store.roles import Role

DEFAULT_RULES = Path(__file__).with_name("workflow_rules.yml")
WINDOW = timedelta(days=2)  # how far back each sweep looks for events it may have missed


class When(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: Literal["opportunity.created", "opportunity.moved", "opportunity.amount",
                   "account.created", "case.opened"]
    amount_above: Decimal | None = Field(default=None, ge=0)
    to_stage: str | None = None
    employees_above: int | None = Field(default=None, ge=0)
    open_renewal: bool | None = None

    @model_validator(mode="after")
    def _fits_the_event(self) -> When:
        if self.event == "opportunity.amount" and self.amount_above is None:
            raise ValueError("opportunity.amount needs amount_above")
        if self.to_stage and self.event != "opportunity.moved":
            raise ValueError("to_stage only applies to opportunity.moved")
        if self.employees_above is not None and self.event != "account.created":
            raise ValueError("employees_above only applies to account.created")
        return self


class Notify(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner: bool = False
    owner_manager: bool = False
    role: Role | None = None
    user: str | None = None
    channel: str | None = Field(default=None, pattern=r"^[CG][A-Z0-9]+$")

    @model_validator(mode="after")
    def _exactly_one(self) -> Notify:
        if sum([self.owner, self.owner_manager, self.role is not None, self.user is not None,
                self.channel is not None]) != 1:
            raise ValueError("notify exactly one of: owner, owner_manager, role, user, channel")
        return self


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=0, le=365)
    subject: str = Field(min_length=1, max_length=200)


class Then(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notify: Notify | None = None
    message: str | None = Field(default=None, max_length=500)
    task: Task | None = None

    @model_validator(mode="after")
    def _something(self) -> Then:
        if self.notify is None and self.task is None:
            raise ValueError("a rule needs notify or task")
        if self.notify is not None and not self.message:
            raise ValueError("notify needs a message")
        return self


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    when: When
    then: Then

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:60]


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[Rule] = Field(default_factory=list)
    # lead assignment rules live in the same file; store/services/leads.py reads them
    leads: list[dict[str, Any]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> Rules:
        slugs = [r.slug for r in self.rules]
        if len(slugs) != len(set(slugs)):
            raise ValueError("two rules have the same name")
        return self

    def by_slug(self, slug: str) -> Rule | None:
        return next((r for r in self.rules if r.slug == slug), None)


def load_rules(path: Path | None = None) -> Rules:
    """Read and validate a rules file; PolicyError says `FILE:LINE: what is wrong`."""
    return load_yaml_model(path or DEFAULT_RULES, Rules, "rules file")


@dataclass(frozen=True)
class Event:
    """Something that happened, as the rules see it."""

    kind: str
    key: str  # unique per event: the rule's effect is keyed by rule + this
    at: datetime
    owner_id: int | None
    subject_type: str
    subject_id: int
    facts: dict[str, object]
