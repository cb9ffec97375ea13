"""Admin in Slack (`/sales admin`), and Slack's people and lifecycle events."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import modals
from handlers.answer import say_text
from handlers.deps import Deps
from handlers.middleware import actor_of
from handlers.text import escape
from store.errors import StoreError
from store.models import ROLES
from store.services.people import Handover

log = logging.getLogger(__name__)


def _profile(user: dict[str, Any]) -> dict[str, Any]:
    profile = user.get("profile") or {}
    return {"name": profile.get("real_name") or user.get("real_name") or user.get("name"),
            "email": profile.get("email"), "timezone": user.get("tz"),
            "deleted": bool(user.get("deleted"))}


def open_admin(deps: Deps, client: WebClient, actor_id: int, trigger_id: str) -> None:
    deps.services.people.check_admin(actor_id)
    users = [(u.name, u.slack_user_id) for u in deps.services.users.list() if u.is_active]
    client.views_open(trigger_id=trigger_id, view=modals.people_admin(users[:99], ROLES))


def register(app: App, deps: Deps) -> None:
    services = deps.services

    @app.view("admin_people")
    def save_people(ack: Ack, view: dict[str, Any], client: WebClient,
                    context: BoltContext) -> None:
        form = modals.values(view)
        actor = actor_of(context)
        try:
            if form.get("successor"):
                text = services.people.deactivate(actor.id, form["user"] or "",
                                                  form["successor"]).describe()
            else:
                manager = form.get("manager")
                user = services.people.update(
                    actor.id, form["user"] or "", role=form.get("role"),
                    manager_ref=None if manager is None else ("" if manager == "-" else manager),
                    team=form.get("team"))
                text = f"{user.name} is now {user.role}."
        except StoreError as exc:
            ack(response_action="errors", errors={"user": str(exc)})
            return
        ack()
        answer = say_text(escape(text))
        client.chat_postMessage(channel=actor.slack_user_id, text=answer.text,
                                blocks=answer.blocks)

    @app.event("team_join")
    def joined(event: dict[str, Any]) -> None:
        user = event.get("user") or {}
        if user.get("id") and not user.get("is_bot"):
            services.people.sync_profile(user["id"], **_profile(user))

    @app.event("user_change")
    def changed(event: dict[str, Any], client: WebClient) -> None:
        user = event.get("user") or {}
        if not user.get("id") or user.get("is_bot"):
            return
        _view, handover = services.people.sync_profile(user["id"], **_profile(user))
        if handover is not None:
            _tell_admins(client, deps, handover)

    @app.event("app_uninstalled")
    def uninstalled() -> None:
        log.warning("salesbot was uninstalled from the workspace: sending stops")
        services.workspace.record("uninstalled")

    @app.event("tokens_revoked")
    def revoked() -> None:
        log.warning("Slack revoked salesbot's tokens: sending stops")
        services.workspace.record("tokens_revoked")


def _tell_admins(client: WebClient, deps: Deps, handover: Handover) -> None:
    """Slack deactivated someone: admins hear what was waiting for them."""
    text = escape(f"{handover.describe()} Hand it over with `/sales admin`.")
    for admin in deps.services.people.admins():
        try:
            client.chat_postMessage(channel=admin.slack_user_id, text=text)
        except SlackApiError as exc:
            log.warning("could not tell admin %s: %s", admin.slack_user_id,
                        exc.response.get("error"))
