"""Buttons and menus on the bot's messages."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.conversation.conversation import Answer, Conversation
from handlers.deps import Deps
from handlers.language.intents import Intent
from handlers.slack import blocks as ui
from handlers.slack import modals
from handlers.slack.answer import MessageLink
from handlers.slack.delivery import replace_message
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape
from store.errors import Stale


def _value(body: dict[str, Any]) -> str:
    action = body["actions"][0]
    if action.get("type") == "static_select":
        return action["selected_option"]["value"]
    return action.get("value", "")


def _extras(data: dict[str, Any]) -> dict[str, Any]:
    """A form's follow-up date and a message link, carried through a question."""
    extras: dict[str, Any] = {}
    if data.get("fu"):
        extras["follow_up_day"] = date.fromisoformat(data["fu"])
    if data.get("pl") and data.get("ek"):
        extras["link"] = MessageLink(data["pl"], data["ek"])
    return extras


def _card_location(body: dict[str, Any]) -> dict[str, str] | None:
    """Where the clicked card is, so a form can replace it when it is submitted."""
    container = body.get("container") or {}
    if container.get("is_ephemeral") or "message_ts" not in container:
        return None
    return {"channel": container["channel_id"], "ts": container["message_ts"]}


def register(app: App, deps: Deps, conversation: Conversation) -> None:
    services = deps.services

    def _refresh_card(body: dict[str, Any], client: WebClient, respond: Respond,
                      actor: Any, opp_id: int, note: str) -> None:
        card = conversation.card(services.opportunities.get(actor.id, opp_id), actor)
        replace_message(body, client, respond, Answer(
            text=note, blocks=[ui.context(escape(note)), *card.blocks]))

    @app.action("undo")
    def undo(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
             context: BoltContext) -> None:
        ack()
        summary = escape(services.undo.undo(actor_of(context).id, int(_value(body))))
        replace_message(body, client, respond, Answer(
            text=f"Undone. {summary}", blocks=[ui.mrkdwn(f"↩️ Undone. {summary}")]))

    @app.action(re.compile(r"^choose_\d+$"))
    def choose(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
               context: BoltContext) -> None:
        ack()
        data = json.loads(_value(body))
        chosen = {k: int(v) for k, v in data.items() if k in ("deal", "account")}
        answer = conversation.answer(Intent.from_dict(data["i"]), actor_of(context),
                                     chosen=chosen, **_extras(data))
        replace_message(body, client, respond, answer)

    @app.action("choose_none")
    def choose_none(ack: Ack, body: dict[str, Any], client: WebClient,
                    respond: Respond) -> None:
        ack()
        replace_message(body, client, respond,
                        Answer(text="OK, nothing done.", blocks=[ui.mrkdwn("OK, nothing done.")]))

    @app.action("opp_next_stage")
    def next_stage(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                   context: BoltContext) -> None:
        ack()
        actor = actor_of(context)
        opp_id, shown_stage = (int(part) for part in _value(body).split(":"))
        try:
            opp = services.opportunities.advance(actor.id, opp_id, from_stage_id=shown_stage)
        except Stale as exc:
            _refresh_card(body, client, respond, actor, opp_id, str(exc))
            return
        card = conversation.card(opp, actor)
        moved = conversation.moved(opp)
        replace_message(body, client, respond,
                        Answer(text=moved.text, blocks=card.blocks + moved.blocks))

    @app.action("opp_pick_stage")
    def pick_stage(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                   context: BoltContext) -> None:
        ack()
        actor = actor_of(context)
        opp_id, shown_stage, stage_id = (int(part) for part in _value(body).split(":"))
        stage = next(s for s in deps.directory.stages() if s.id == stage_id)
        if stage.kind == "lost":
            opp = services.opportunities.get(actor.id, opp_id)
            client.views_open(trigger_id=body["trigger_id"], view=modals.close_lost(
                opp.id, escape(opp.title), card=_card_location(body)))
            return
        try:
            opp = services.opportunities.move_stage(actor.id, opp_id, stage.name,
                                                    from_stage_id=shown_stage)
        except Stale as exc:
            _refresh_card(body, client, respond, actor, opp_id, str(exc))
            return
        moved = conversation.moved(opp)
        replace_message(body, client, respond,
                        Answer(text=moved.text,
                               blocks=conversation.card(opp, actor).blocks + moved.blocks))

    @app.action("opp_close_lost")
    def close_lost(ack: Ack, body: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
        ack()
        opp = services.opportunities.get(actor_of(context).id, int(_value(body)))
        client.views_open(trigger_id=body["trigger_id"], view=modals.close_lost(
            opp.id, escape(opp.title), card=_card_location(body)))

    @app.action("opp_log_activity")
    def log_on_deal(ack: Ack, body: dict[str, Any], client: WebClient,
                    context: BoltContext) -> None:
        ack()
        opp = services.opportunities.get(actor_of(context).id, int(_value(body)))
        client.views_open(trigger_id=body["trigger_id"], view=modals.log_activity(
            about=opp.title, metadata={"opp": opp.id}))

    @app.action("opp_edit")
    def edit_deal(ack: Ack, body: dict[str, Any], client: WebClient,
                  context: BoltContext) -> None:
        ack()
        actor = actor_of(context)
        opp = services.opportunities.get(actor.id, int(_value(body)))
        owners = [(u.name, str(u.id)) for u in services.users.assignable(actor.id)]
        if str(opp.owner_id) not in {value for _, value in owners}:
            owners.insert(0, (opp.owner_name, str(opp.owner_id)))
        client.views_open(trigger_id=body["trigger_id"],
                          view=modals.edit_opportunity(opp, owners))

    @app.action("opp_new")
    def new_deal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=modals.new_opportunity(
            deps.directory.stages(), account=_value(body) or None))

    @app.action("account_new")
    def new_account(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                    context: BoltContext) -> None:
        ack()
        actor = actor_of(context)
        data = json.loads(_value(body))
        intent = Intent.from_dict(data["i"])
        account = services.accounts.create(actor.id, data.get("name") or intent.target or "")
        answer = conversation.answer(intent, actor, chosen={"account": account.id},
                                     **_extras(data))
        replace_message(body, client, respond, answer)
