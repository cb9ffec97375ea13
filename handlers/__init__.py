"""Slack surfaces: turn payloads into service calls and results into Block Kit.

One module per surface, each with `register`; `register_all` wires them to an app.
"""

from __future__ import annotations

from slack_bolt import App

from handlers import (
    actions,
    admin,
    commands,
    errors,
    home,
    kb,
    messages,
    middleware,
    pipeline,
    quotes,
    reminders,
    shortcuts,
    views,
)
from handlers.conversation import Conversation
from handlers.deps import Deps


def register_all(app: App, deps: Deps) -> None:
    conversation = Conversation(deps)
    middleware.register(app, deps)
    errors.register(app)
    messages.register(app, conversation)
    commands.register(app, deps, conversation)
    actions.register(app, deps, conversation)
    views.register(app, deps, conversation)
    quotes.register(app, deps, conversation.quotes)
    reminders.register(app, deps)
    pipeline.register(app, deps, conversation.pipeline)
    home.register(app, deps)
    admin.register(app, deps)
    kb.register(app, deps)
    shortcuts.register(app)


__all__ = ["Deps", "register_all"]
