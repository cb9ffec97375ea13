"""One message being answered, and the shape every intent's handler has.

`Conversation.answer` builds a `Turn` and hands it to the handler its dispatch table names
for the intent; a handler reads what it needs from the turn and returns an `Answer`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from handlers.deps import Deps
from handlers.language.intents import Intent
from handlers.slack.answer import Answer, MessageLink
from store.schemas import UserView
from store.services import Services
from store.services.people.directory import Directory


@dataclass(frozen=True)
class Turn:
    """The intent and who said it, plus what came with it: `chosen` holds ids the rep picked
    from an earlier question, `link` the Slack message an activity is logged from,
    `follow_up_day` a date picked in a form (instead of one said in words)."""

    deps: Deps
    intent: Intent
    actor: UserView
    chosen: dict[str, int] = field(default_factory=dict)
    link: MessageLink | None = None
    follow_up_day: date | None = None

    @property
    def services(self) -> Services:
        return self.deps.services

    @property
    def directory(self) -> Directory:
        return self.deps.directory

    @property
    def tz(self) -> str:
        """The rep's time zone, else the workspace's: what dates they say are read in."""
        return self.actor.timezone or self.deps.default_timezone


TurnHandler = Callable[[Turn], Answer]
