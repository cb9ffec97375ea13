"""Pipeline summaries, forecasts and leads in the conversation (being built: issue 7)."""

from __future__ import annotations

from handlers.answer import Answer, say_text
from handlers.deps import Deps
from handlers.intents import Intent
from store.schemas import UserView

NOT_YET = "Pipeline summaries, forecasts and leads are coming soon."


class PipelineFlow:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def pipeline(self, intent: Intent, actor: UserView) -> Answer:
        return say_text(NOT_YET, private=True)

    def forecast(self, intent: Intent, actor: UserView) -> Answer:
        return say_text(NOT_YET, private=True)

    def lead(self, intent: Intent, actor: UserView) -> Answer:
        return say_text(NOT_YET, private=True)

    def leads(self, intent: Intent, actor: UserView) -> Answer:
        return say_text(NOT_YET, private=True)
