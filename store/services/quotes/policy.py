"""The quote approval policy: data, not code, loaded from YAML and checked at start-up.

A policy is a list of rules. Each rule has a level, conditions (all must hold: a
discount above, a total above, one of some products, one of some customer
segments) and who approves (the owner's manager, a role, or a named user). Rules at
the same level are decided in parallel; levels run one after another. A quote that
matches no rule needs no approval. Errors name the file and line that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from store.config_files import load_yaml_model
from store.roles import Role

DEFAULT_POLICY = Path(__file__).with_name("approval_policy.yml")
Segment = Literal["smb", "mid-market", "enterprise"]
"""Account size by employees (`segment_of`), as policy rules name it."""


class Approver(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    user: str | None = Field(default=None, description="Slack id or email of a named user")
    owner_manager: bool = False

    @model_validator(mode="after")
    def _exactly_one(self) -> Approver:
        chosen = [self.role is not None, self.user is not None, self.owner_manager]
        if sum(chosen) != 1:
            raise ValueError("an approver is exactly one of: owner_manager, role, user")
        return self

    def describe(self) -> str:
        if self.owner_manager:
            return "the owner's manager"
        return f"role {self.role}" if self.role else f"user {self.user}"


class Conditions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    discount_above: Decimal | None = Field(default=None, ge=0, le=100)
    total_above: Decimal | None = Field(default=None, ge=0)
    products: list[str] | None = None  # SKUs
    segments: list[Segment] | None = None


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    level: int = Field(ge=1, le=10)
    when: Conditions = Field(default_factory=Conditions)
    approver: Approver


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[Rule]


@dataclass(frozen=True)
class QuoteFacts:
    """What a rule can look at."""

    discount_bp: int
    total: Decimal  # major units
    skus: frozenset[str]
    segment: str


def segment_of(employees: int | None) -> Segment:
    if employees is not None and employees >= 1000:
        return "enterprise"
    if employees is not None and employees >= 100:
        return "mid-market"
    return "smb"


def matches(rule: Rule, facts: QuoteFacts) -> bool:
    when = rule.when
    if when.discount_above is not None and Decimal(facts.discount_bp) / 100 <= when.discount_above:
        return False
    if when.total_above is not None and facts.total <= when.total_above:
        return False
    if when.products is not None and not facts.skus & {p.upper() for p in when.products}:
        return False
    return when.segments is None or facts.segment in when.segments


def matching_rules(policy: Policy, facts: QuoteFacts) -> list[Rule]:
    return sorted((r for r in policy.rules if matches(r, facts)), key=lambda r: r.level)


def load_policy(path: Path | None = None) -> Policy:
    """Read and validate a policy file; PolicyError says `FILE:LINE: what is wrong`."""
    return load_yaml_model(path or DEFAULT_POLICY, Policy, "approval policy")
