"""The app factory: a configured Bolt `App` with every listener from `handlers/`.

Nothing is created at import time; `create_app` is called by `serve`, the shell and
the tests, each with its own settings, store and clock.
"""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.listener_pool import ListenerPool
from bot.settings import Settings
from bot.slack_client import web_client
from handlers.deps import Deps
from handlers.registry import register_all
from knowledge.base import KnowledgeBase
from store.clock import Clock, SystemClock
from store.services import Services
from store.services.people.directory import Directory

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    services: Services,
    *,
    clock: Clock | None = None,
    process_before_response: bool = False,
    listener_threads: int = 16,
    deps: Deps | None = None,
) -> App:
    """Build the Bolt app.

    `process_before_response=True` makes a request return only after its listener has
    finished: the shell and the tests use it to read replies deterministically.
    Production keeps the default, so Slack gets its ack at once and work goes on after,
    on `listener_threads` threads (`serve` sizes them to its request threads).
    `deps` are the listeners' dependencies when the caller made them (`serve` warms them
    before it listens, `bot/warmup.py`); by default `make_deps` makes them here.
    """
    if settings.slack_signing_secret is None:
        raise ValueError("SLACK_SIGNING_SECRET is required to verify Slack's requests")
    app = App(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        process_before_response=process_before_response,
        token_verification_enabled=False,
        raise_error_for_unhandled_request=False,
        listener_executor=ListenerPool(listener_threads),
    )
    register_all(app, deps or make_deps(settings, services, clock=clock))
    return app


def make_deps(settings: Settings, services: Services, *, clock: Clock | None = None) -> Deps:
    """What every listener is handed: the services, the name directory, the clock, the
    knowledge base."""
    return Deps(
        services=services,
        directory=Directory(services.store),
        clock=clock or services.store.clock or SystemClock(),
        default_timezone=settings.timezone,
        working_hours=settings.working_hours,
        knowledge=KnowledgeBase(services.store, settings.index_dir, engine=settings.kb_engine),
        letterhead=settings.letterhead(),
        quote_accepted_stage=settings.quote_accepted_stage or None,
        quote_sent_stage=settings.quote_sent_stage or None,
    )
