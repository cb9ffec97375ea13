"""Every feature's listeners, registered on one Bolt app in the order they must run.

Middleware and the error handler come first; each feature package then adds its own
listeners with `register(app, deps, ...)`, the way bolt-python's sample apps group
listeners by surface.
"""

from __future__ import annotations

from slack_bolt import App

from handlers.activities import shortcuts
from handlers.admin import listeners as admin
from handlers.conversation import listeners as messages
from handlers.conversation import slash_command
from handlers.conversation.conversation import Conversation
from handlers.deals import forms as deal_forms
from handlers.deals import listeners as deals
from handlers.deps import Deps
from handlers.home import listeners as home
from handlers.knowledge import listeners as knowledge
from handlers.leads import listeners as leads
from handlers.pipeline import listeners as pipeline
from handlers.quotes import listeners as quotes
from handlers.reminders import listeners as reminders
from handlers.slack import closed_views, errors, middleware


def register_all(app: App, deps: Deps) -> None:
    deps.client = app.client
    conversation = Conversation(deps)
    middleware.register(app, deps)
    errors.register(app)
    messages.register(app, conversation)
    slash_command.register(app, deps, conversation)
    deals.register(app, deps, conversation)
    deal_forms.register(app, deps, conversation)
    quotes.register(app, conversation.quotes)
    reminders.register(app, deps)
    pipeline.register(app, conversation.pipeline)
    leads.register(app, conversation.leads)
    home.register(app, deps)
    admin.register(app, deps)
    knowledge.register(app, deps)
    shortcuts.register(app)
    closed_views.register(app)
