"""Admin in Slack (`/sales admin`), and Slack's people and lifecycle events."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.admin import modals as admin_modals
from handlers.deps import Deps
from handlers.slack import blocks as ui
from handlers.slack import modals
from handlers.slack.answer import Answer, say_text
from handlers.slack.middleware import actor_of
from handlers.slack.profiles import member_fields
from handlers.slack.text import escape
from store.errors import StoreError
from store.models import ROLES
from store.services.people.people import Handover

log = logging.getLogger(__name__)


def open_admin(deps: Deps, client: WebClient, actor_id: int, trigger_id: str) -> None:
    deps.services.people.check_admin(actor_id)
    users = [(u.name, u.slack_user_id) for u in deps.services.users.list() if u.is_active]
    client.views_open(trigger_id=trigger_id, view=admin_modals.people_admin(users[:99], ROLES))


def stages_answer(deps: Deps, actor_id: int) -> Answer:
    """The pipeline as admins tune it: each stage with an Edit button, and Add."""
    deps.services.people.check_admin(actor_id)
    blocks = []
    for stage in deps.services.stages.all():
        state = "" if stage.is_active else " · _deactivated_"
        quiet = f", quiet after {stage.quiet_days} days" if stage.quiet_days else ""
        blocks.append({**ui.mrkdwn(f"{stage.position}. *{escape(stage.name)}* — "
                                   f"{stage.probability}% ({stage.kind}{quiet}){state}"),
                       "accessory": ui.button("Edit", "stage_edit", str(stage.id))})
    blocks.append(ui.actions(ui.button("Add a stage", "stage_add", "new")))
    return Answer(text="Pipeline stages", blocks=blocks)


def register(app: App, deps: Deps) -> None:
    services = deps.services

    @app.action("stage_edit")
    @app.action("stage_add")
    def edit_stage(ack: Ack, body: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
        ack()
        services.people.check_admin(actor_of(context).id)
        value = body["actions"][0]["value"]
        stage = next((s for s in services.stages.all() if str(s.id) == value), None)
        client.views_open(trigger_id=body["trigger_id"], view=admin_modals.stage_form(stage))

    @app.view("stage_edit")
    def save_stage(ack: Ack, view: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
        form = modals.values(view)
        probability = (form.get("probability") or "").strip().rstrip("%")
        quiet = (form.get("quiet_days") or "").strip()
        if not probability.isdigit():
            ack(response_action="errors", errors={"probability": "A whole percentage."})
            return
        if quiet and not quiet.isdigit():
            ack(response_action="errors", errors={"quiet_days": "A number of days."})
            return
        actor = actor_of(context)
        try:
            stage = services.stages.save(
                actor.id, modals.metadata(view).get("stage"), name=form.get("name") or "",
                probability=int(probability), kind=form.get("kind") or "open",
                quiet_days=int(quiet) if quiet else None, active=form.get("active") != "no")
        except StoreError as exc:
            ack(response_action="errors", errors={"name": str(exc)})
            return
        ack()
        answer = stages_answer(deps, actor.id)
        client.chat_postMessage(channel=actor.slack_user_id,
                                text=escape(f"Saved the stage {stage.name}."),
                                blocks=[ui.mrkdwn(escape(f"Saved the stage {stage.name}.")),
                                        *answer.blocks])

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
            services.people.sync_profile(user["id"], **member_fields(user))

    @app.event("user_change")
    def changed(event: dict[str, Any], client: WebClient) -> None:
        user = event.get("user") or {}
        if not user.get("id") or user.get("is_bot"):
            return
        _view, handover = services.people.sync_profile(user["id"], **member_fields(user))
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
