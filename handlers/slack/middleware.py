"""Cross-cutting listener behaviour, written once: every outgoing text guarded, other
apps' messages ignored, retries de-duplicated by event id, and the Slack user resolved to a
store user.

Who may use the bot: every member of the workspace the app is installed in. A person is
created as a rep the first time they talk to it (an admin changes roles with `/sales admin`
or `salesbot users set-role`); a person an admin deactivated, or whom Slack deactivated,
is refused everything; bots and other apps are never answered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.slack.outgoing import guard_context
from handlers.slack.owed import keep_replies
from handlers.slack.parked_values import restore, use
from handlers.slack.profiles import fetch_profile
from store.errors import NotAllowed
from store.schemas import UserView

log = logging.getLogger(__name__)
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

    @app.middleware
    def process_each_event_once(body: dict[str, Any], next: Callable[[], None]) -> Any:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not deps.services.events.first_time(event_id):
            log.info("event %s already processed; retry acknowledged", event_id)
            return BoltResponse(status=200, body="")
        kind = (body.get("event") or {}).get("type")
        if event_id and kind not in ("app_uninstalled", "tokens_revoked"):
            deps.services.workspace.seen_alive()  # Slack talks to us: installed again
        return next()

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
                known = deps.services.users.get_or_create(user_id, **fetch_profile(client, user_id))
            return known

        context["actor_loader"] = load
        return next()


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
