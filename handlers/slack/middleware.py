"""Cross-cutting listener behaviour, written once: every outgoing text guarded, other
apps' messages ignored, every event kept in the store before it is acknowledged (retries
de-duplicated by its id, its work marked done with the work), and the Slack user resolved
to a store user.

What is durable: events (DMs, mentions, Home, membership and install changes). Slack
sends each once after our 200, so `receive` stores the body in the transaction that
records the id, before Bolt acknowledges; the listener's first write marks it done in
the same transaction (store/db.py `begin_work`), and what a crash leaves unfinished is
replayed from the store (handlers/slack/resume.py). Interactions (buttons, form
submissions, slash commands) are not: their answer is the acknowledgement itself or
comes within Slack's 3 seconds through a `trigger_id` and `response_url` that a replay
after a restart no longer has, and the person who clicked sees at once whether it
worked; a replay minutes later, after they have tried again, would act twice.

Who may use the bot: every member of the workspace the app is installed in. A person is
created as a rep the first time they talk to it (an admin changes roles with `/sales admin`
or `salesbot users set-role`); a person an admin deactivated, or whom Slack deactivated,
is refused everything; bots and other apps are never answered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import Token
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_bolt.listener.listener_start_handler import ListenerStartHandler
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.slack.outgoing import guard_context
from handlers.slack.owed import keep_replies
from handlers.slack.parked_values import restore, use
from handlers.slack.profiles import fetch_profile
from store.db import Work, aside_from_work, begin_work, end_work
from store.errors import NotAllowed
from store.schemas import UserView
from store.services.system.events import EventLog, Receipt

log = logging.getLogger(__name__)
REPLAYING = "salesbot_replaying"
"""Context key of a request replayed from the store (handlers/slack/resume.py): its event id.
Only code in this process can set it; a request from outside never carries it."""
DURABLE = "salesbot_durable_event"  # context: the id of the stored event this request works on
_WORK = "salesbot_work_token"
SEEN_ALIVE = "salesbot_seen_alive"
"""Context: Slack talks to us, so the app is installed (again). Noted on the listener's
thread, after the acknowledgement: the receipt is the only transaction before it."""
LISTENER_RAN = "salesbot_listener_ran"  # context: a listener took the request
REPLAY_FINISHED = "salesbot_replay_finished"  # context: a threading.Event, set at completion
NO_LONGER_A_USER = ("Your salesbot access has been turned off by an admin, so I can't act "
                    "for you. Ask an admin (`/sales admin`) if that's a mistake.")


def slack_user_id(body: dict[str, Any]) -> str | None:
    """The person behind any payload: event, slash command, action, view or shortcut."""
    event = body.get("event") or {}
    thread = event.get("assistant_thread")
    if isinstance(thread, dict) and isinstance(thread.get("user_id"), str):
        return thread["user_id"]  # assistant_thread_started / _context_changed
    # a message typed in the assistant pane carries only an action token there
    if isinstance(event.get("user"), str):
        return event["user"]
    if isinstance(event.get("user"), dict):
        return event["user"].get("id")
    if isinstance(body.get("user_id"), str):
        return body["user_id"]
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    return None


def from_another_app(body: dict[str, Any]) -> bool:
    """A message or mention posted by a bot or an app (ours included): never answered,
    and its sender never becomes a user of salesbot."""
    event = body.get("event") or {}
    return body.get("type") == "event_callback" and event.get("type") in (
        "message", "app_mention") and bool(event.get("bot_id") or event.get("bot_profile")
                                           or event.get("subtype") == "bot_message")


def register(app: App, deps: Deps) -> None:
    use(deps.services.button_values.park)

    @app.middleware
    def guard_outgoing(context: BoltContext, next: Callable[[], None]) -> Any:
        """First of all: every call and `respond` of this request passes the guard."""
        guard_context(context)
        keep_replies(context, deps.services.owed_replies.keep)
        return next()

    @app.middleware
    def ignore_other_apps(body: dict[str, Any], next: Callable[[], None]) -> Any:
        if from_another_app(body):
            return BoltResponse(status=200, body="")
        return next()

    track_work(app, deps.services.events)
    app.middleware(partial(keep_each_event_once, deps))

    @app.middleware
    def restore_parked_values(body: dict[str, Any], next: Callable[[], None]) -> Any:
        """A button whose value was too long for Slack carries a reference: read it back."""
        if body.get("type") == "block_actions":
            restore(body, deps.services.button_values.get)
        return next()

    @app.middleware
    def resolve_actor_lazily(
        body: dict[str, Any], context: BoltContext, client: WebClient,
        next: Callable[[], None],
    ) -> Any:
        """Listeners ack first and look the user up after: the loader runs on first use."""
        user_id = slack_user_id(body)

        def load() -> UserView | None:
            if not user_id or user_id == context.bot_user_id:
                return None
            known = deps.services.users.find(user_id)
            if known is None:
                with aside_from_work():  # safe to repeat; the event's work comes after
                    known = deps.services.users.get_or_create(user_id,
                                                              **fetch_profile(client, user_id))
            return known

        context["actor_loader"] = load
        return next()


def keep_each_event_once(deps: Deps, body: dict[str, Any], context: BoltContext,
                         next: Callable[[], None]) -> Any:
    """Keep the event before Bolt acknowledges it; a retry is acknowledged only."""
    if context.get(REPLAYING):  # from our own store: recorded already
        context[DURABLE] = context[REPLAYING]
        return next()
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not isinstance(event_id, str) or not event_id:
        return next()
    receipt = deps.services.events.receive(event_id[:64], body)
    if receipt is Receipt.DUPLICATE:
        log.info("event %s already received; retry acknowledged", event_id)
        return BoltResponse(status=200, body="")
    if receipt is Receipt.NEW:
        context[DURABLE] = event_id[:64]
    kind = (body.get("event") or {}).get("type")
    if kind not in ("app_uninstalled", "tokens_revoked"):
        context[SEEN_ALIVE] = deps.services.workspace.seen_alive
    return next()


class _StartWork(ListenerStartHandler):
    """On the listener's thread, before it runs: tie its writes to the stored event."""

    def __init__(self, inner: ListenerStartHandler, events: EventLog) -> None:
        self.inner, self.events = inner, events

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        seen_alive = request.context.pop(SEEN_ALIVE, None)
        if seen_alive is not None:
            seen_alive()
        event_id = request.context.get(DURABLE)
        if event_id:
            request.context[_WORK] = begin_work(
                lambda session: self.events.record_done(session, event_id))
        self.inner.handle(request, response)


class _FinishWork(ListenerCompletionHandler):
    """On the listener's thread, once it returned or failed (and the person was told): an
    event whose work wrote nothing is done now. If even that cannot be recorded (the
    database is away), the event stays received and is replayed later."""

    def __init__(self, inner: ListenerCompletionHandler, events: EventLog) -> None:
        self.inner, self.events = inner, events

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        token: Token[Work | None] | None = request.context.pop(_WORK, None)
        try:
            if token is not None:
                work = end_work(token)
                if work is None or not work.recorded:
                    self.events.done(request.context[DURABLE])
        except Exception:  # any database error: the event is resumed later
            log.exception("could not mark event %s done", request.context[DURABLE])
        finally:
            finished = request.context.get(REPLAY_FINISHED)
            if finished is not None:
                finished.set()
        self.inner.handle(request, response)


def track_work(app: App, events: EventLog) -> None:
    """Hook the stored event into Bolt's listener runner: its start and completion (on the
    listener's thread, where the work's transactions run), and whether any listener took
    the request at all (one nobody handles is done at once when it is replayed)."""
    runner = app.listener_runner
    runner.listener_start_handler = _StartWork(runner.listener_start_handler, events)
    runner.listener_completion_handler = _FinishWork(runner.listener_completion_handler,
                                                     events)
    run = runner.run

    def run_noting(request: BoltRequest, *args: Any, **kwargs: Any) -> BoltResponse | None:
        request.context[LISTENER_RAN] = True
        return run(request, *args, **kwargs)

    runner.run = run_noting  # type: ignore[method-assign]


def actor_of(context: BoltContext) -> UserView:
    """The store user behind this request (created from their Slack profile on first sight)."""
    if "actor" not in context:
        context["actor"] = context["actor_loader"]()
    actor = context["actor"]
    if actor is None:
        raise LookupError("no Slack user in this request")
    if not actor.is_active:
        raise NotAllowed(NO_LONGER_A_USER)
    return actor
