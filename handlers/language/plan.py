"""What one message asks for, as values: the plan `understanding` reads and the
conversation applies (in one transaction) or asks about (before writing anything)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from handlers.language.facts import Facts
from handlers.language.normalise import Sentence
from handlers.language.spotting import Known, Mention


@dataclass(frozen=True, slots=True)
class Ask:
    """Something the bot must ask before writing: `what` ("contact", "stage", "intent",
    "account", "deal", "subject") with the likely readings in `options`."""

    what: str
    options: tuple[Known, ...] = ()
    readings: tuple[str, ...] = ()
    typed: str | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    kind: str
    contact: Known | None
    follow_up: date | None
    body: str


@dataclass(frozen=True, slots=True)
class Edits:
    amount: Decimal | None = None
    close_date: date | None = None
    next_step: str | None = None
    probability: int | None = None
    amount_change: Decimal | None = None  # "up 10k": added to the amount the deal has

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.amount, self.close_date, self.next_step,
                                           self.probability, self.amount_change))


@dataclass(frozen=True, slots=True)
class NewDeal:
    name: str | None
    amount: Decimal | None
    close_date: date | None
    stage: Known | None


@dataclass(frozen=True, slots=True)
class Command:
    """One typed command: `name` in undo, snooze, done, quote, role; `args` its values."""

    name: str
    target: Known | None = None
    args: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Question:
    """A question: `kind` in QUESTION_KINDS (or "show", "kb"); never writes."""

    kind: str
    subject: Known | None = None
    text: str = ""
    typed: str | None = None  # the name as typed, when it is no name the store knows


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one message asks for. `account`/`deal` is the subject every change is
    about; `asks` non-empty means nothing may be written yet; `refusals` are clear reasons
    the message can't be applied (a negative amount). A message about several deals is
    intent "several" with one `Reading` per deal in `parts`, applied or asked about whole."""

    intent: str
    account: Known | None = None
    deal: Known | None = None
    activity: Activity | None = None
    stage: Known | None = None
    edits: Edits = Edits()
    new_deal: NewDeal | None = None
    command: Command | None = None
    question: Question | None = None
    asks: tuple[Ask, ...] = ()
    refusals: tuple[str, ...] = ()
    unknown_name: str | None = None  # the subject as typed, when no known name is said
    unknown_rest: str | None = None  # and what was said after it ("…, wants a demo")
    parts: tuple[Reading, ...] = ()  # "several": one reading per deal the message is about

    @property
    def changes(self) -> int:
        """How many separate writes the plan makes."""
        if self.parts:
            return sum(part.plan.changes for part in self.parts)
        return sum(1 for part in (self.activity, self.stage, self.new_deal, self.command)
                   if part is not None) + (1 if self.edits else 0)

    @property
    def writes(self) -> bool:
        if self.parts:
            return not self.refusals and all(p.plan.writes for p in self.parts)
        if self.command is not None and self.command.args.get("action") == "show":
            return False  # "where's Q-2026-0002 at": the quote shown, nothing decided
        return self.changes > 0 and not self.asks and not self.refusals


@dataclass(frozen=True, slots=True)
class Reading:
    sentence: Sentence
    mentions: tuple[Mention, ...]
    facts: Facts
    scores: Mapping[str, float]
    plan: Plan


def with_choice(plan: Plan, chosen: Known) -> Plan:
    """The plan once the rep picked `chosen` for its first ask."""
    if not plan.asks:
        return plan
    ask, rest = plan.asks[0], plan.asks[1:]
    if ask.what == "contact" and plan.activity is not None:
        account = plan.account
        if account is None and chosen.scope is not None:
            account = Known("account", chosen.scope, "")
        return replace(plan, activity=replace(plan.activity, contact=chosen), asks=rest,
                       account=account)
    if ask.what == "stage":
        return replace(plan, stage=chosen, asks=rest)
    if ask.what == "deal":
        return replace(plan, deal=chosen, asks=rest)
    if ask.what in ("account", "subject"):
        return replace(plan, account=chosen, asks=rest)
    return plan


def account_name_of(plan: Plan) -> str | None:
    """The name of the account `plan` is about: its account's, or its deal's ("Umbrella"
    for "Umbrella Security Suite"); None when neither says one."""
    if plan.account is not None and plan.account.name:
        return plan.account.name
    deal = plan.deal
    if deal is not None and deal.own_name and deal.name.endswith(deal.own_name):
        return deal.name[:-len(deal.own_name)].strip(" —-") or None
    return None
