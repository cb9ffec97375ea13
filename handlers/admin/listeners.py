"""Admin in Slack (`/sales admin` forms), and Slack's people and lifecycle events.

Each listener is a module-level function taking `deps` first; `register` binds it with
functools.partial, which Bolt's argument injection sees through."""

from __future__ import annotations

import logging
import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.admin import modals as admin_modals
from handlers.admin.panels import stages_answer
from handlers.deps import Deps
from handlers.slack import blocks as ui
from handlers.slack import form_input, modals
from handlers.slack.answer import say_text
from handlers.slack.middleware import actor_of
from handlers.slack.profiles import member_fields
from handlers.slack.text import escape
from store.errors import StoreError
from store.schemas import UserView
from store.services.people.people import Handover

log = logging.getLogger(__name__)


def edit_stage(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
               context: BoltContext) -> None:
    ack()
    services = deps.services
    services.people.check_admin(actor_of(context).id)
    action = body["actions"][0]
    # a button's value, or the stage picked from an Edit menu (many stages)
    value = action.get("value") or (action.get("selected_option") or {}).get("value")
    stage = next((s for s in services.stages.all() if str(s.id) == value), None)
    client.views_open(trigger_id=body["trigger_id"], view=admin_modals.stage_form(stage))


MAX_QUIET_DAYS = 3650  # ten years: beyond that a deal is not quiet, it is forgotten


def _stage_errors(probability: str, quiet: str) -> dict[str, str] | None:
    """The stage form's field errors, or None when both numbers read."""
    if form_input.whole_number(probability, 0, 100) is None:
        return {"probability": "A whole percentage from 0 to 100."}
    if quiet and form_input.whole_number(quiet, 0, MAX_QUIET_DAYS) is None:
        return {"quiet_days": f"A number of days from 0 to {MAX_QUIET_DAYS:,}."}
    return None


def save_stage(deps: Deps, ack: Ack, view: dict[str, Any], client: WebClient,
               context: BoltContext) -> None:
    form = modals.values(view)
    probability = (form.get("probability") or "").strip().rstrip("%")
    quiet = (form.get("quiet_days") or "").strip()
    errors = _stage_errors(probability, quiet)
    if errors is not None:
        ack(response_action="errors", errors=errors)
        return
    stage_id = form_input.metadata_id(view, "stage")
    if modals.metadata(view).get("stage") is not None and stage_id is None:
        form_input.refuse(ack, view)
        return
    actor = actor_of(context)
    try:
        stage = deps.services.stages.save(
            actor.id, stage_id, name=form.get("name") or "",
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


def _apply_people_form(deps: Deps, actor: UserView, form: dict[str, Any]) -> str:
    """Hand someone's work over (a successor was picked) or change their role, manager
    and team; what was done, in words."""
    people = deps.services.people
    if form.get("successor"):
        return people.deactivate(actor.id, form.get("user") or "",
                                 form["successor"]).describe()
    manager = form.get("manager")
    user = people.update(
        actor.id, form.get("user") or "", role=form.get("role"),
        manager_ref=None if manager is None else ("" if manager == "-" else manager),
        team=form.get("team"))
    return f"{user.name} is now {user.role}."


def save_people(deps: Deps, ack: Ack, view: dict[str, Any], client: WebClient,
                context: BoltContext) -> None:
    actor = actor_of(context)
    try:
        text = _apply_people_form(deps, actor, modals.values(view))
    except StoreError as exc:
        ack(response_action="errors", errors={"user": str(exc)})
        return
    ack()
    answer = say_text(escape(text))
    client.chat_postMessage(channel=actor.slack_user_id, text=answer.text,
                            blocks=answer.blocks)
    successor = modals.values(view).get("successor")
    if successor:
        _tell_successor(client, deps, actor, successor, text)


def _tell_successor(client: WebClient, deps: Deps, actor: UserView, ref: str,
                    what: str) -> None:
    """The person handed a colleague's work hears it from the bot, not by surprise."""
    successor = deps.services.users.find(ref)
    if successor is None or successor.id == actor.id:
        return
    note = escape(f"{actor.name} handed work over to you: {what} "
                  "Say `my deals` and `follow-ups` to see it.")
    try:
        client.chat_postMessage(channel=successor.slack_user_id, text=note,
                                blocks=[ui.mrkdwn(f":inbox_tray: {note}")])
    except SlackApiError as exc:
        log.warning("successor not told: %s", exc.response.get("error"))


def joined(deps: Deps, event: dict[str, Any]) -> None:
    user = event.get("user") or {}
    if user.get("id") and not user.get("is_bot"):
        deps.services.people.sync_profile(user["id"], **member_fields(user))


def changed(deps: Deps, event: dict[str, Any], client: WebClient) -> None:
    user = event.get("user") or {}
    if not user.get("id") or user.get("is_bot"):
        return
    _view, handover = deps.services.people.sync_profile(user["id"], **member_fields(user))
    if handover is not None:
        _tell_admins(client, deps, handover)


def uninstalled(deps: Deps) -> None:
    log.warning("salesbot was uninstalled from the workspace: sending stops")
    deps.services.workspace.record("uninstalled")


def revoked(deps: Deps) -> None:
    log.warning("Slack revoked salesbot's tokens: sending stops")
    deps.services.workspace.record("tokens_revoked")


def _tell_admins(client: WebClient, deps: Deps, handover: Handover) -> None:
    """Slack deactivated someone: admins hear what was waiting for them."""
    text = escape(f"{handover.describe()} Hand it over with `/sales admin`.")
    for admin in deps.services.people.admins():
        try:
            client.chat_postMessage(channel=admin.slack_user_id, text=text)
        except SlackApiError as exc:
            log.warning("could not tell admin %s: %s", admin.slack_user_id,
                        exc.response.get("error"))


def register(app: App, deps: Deps) -> None:
    app.action(re.compile(r"^stage_edit(_\d+)?$"))(partial(edit_stage, deps))
    app.action("stage_add")(partial(edit_stage, deps))
    app.view("stage_edit")(partial(save_stage, deps))
    app.view("admin_people")(partial(save_people, deps))
    app.event("team_join")(partial(joined, deps))
    app.event("user_change")(partial(changed, deps))
    app.event("app_uninstalled")(partial(uninstalled, deps))
    app.event("tokens_revoked")(partial(revoked, deps))
