"""Buttons on the bot's messages: the deal card (next stage, pick a stage, close lost, log,
edit), Undo, the answers to "which one did you mean?", and "create this account".

Each listener is a module-level function; `register` binds the dependencies it needs
with `functools.partial` and leaves the rest to Bolt, which passes a listener's other
arguments (ack, body, client, respond, context) by their names.
"""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.activities import modals as activity_modals
from handlers.conversation.conversation import Answer, Conversation
from handlers.deals import modals
from handlers.deps import Deps
from handlers.slack import blocks as ui
from handlers.slack.actions import (
    STALE_BUTTON,
    clicked_id,
    clicked_ids,
    clicked_intent,
    clicked_json,
)
from handlers.slack.actions import clicked_value as _value
from handlers.slack.answer import MessageLink
from handlers.slack.delivery import card_location, replace_message
from handlers.slack.form_input import MAX_ROW_ID, whole_number
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape
from store.errors import InvalidInput, Stale
from store.schemas import UserView
from store.services.deals.stages import chosen_stage


def _extras(data: dict[str, Any]) -> dict[str, Any]:
    """A form's follow-up date and a message link, carried through a question."""
    extras: dict[str, Any] = {}
    if data.get("fu"):
        try:
            extras["follow_up_day"] = date.fromisoformat(str(data["fu"]))
        except ValueError as exc:
            raise InvalidInput(STALE_BUTTON) from exc
    if isinstance(data.get("pl"), str) and isinstance(data.get("ek"), str):
        extras["link"] = MessageLink(data["pl"], data["ek"])
    return extras


def _refresh_card(deps: Deps, conversation: Conversation, body: dict[str, Any],
                  client: WebClient, respond: Respond, actor: UserView, opp_id: int,
                  note: str) -> None:
    """Show the deal as it is now, under `note`, in place of an out-of-date card."""
    card = conversation.card(deps.services.opportunities.get(actor.id, opp_id), actor)
    replace_message(body, client, respond, Answer(
        text=escape(note), blocks=[ui.context(escape(note)), *card.blocks]))


def undo(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
         context: BoltContext) -> None:
    ack()
    summary = escape(deps.services.undo.undo(actor_of(context).id, clicked_id(body)))
    replace_message(body, client, respond, Answer(
        text=f"Undone. {summary}", blocks=[ui.mrkdwn(f"↩️ Undone. {summary}")]))


def choose(conversation: Conversation, ack: Ack, body: dict[str, Any], client: WebClient,
           respond: Respond, context: BoltContext) -> None:
    """The person picked one of several deals or accounts a question could mean."""
    ack()
    data = clicked_json(body)
    read = {k: whole_number(str(v), 1, MAX_ROW_ID) for k, v in data.items()
            if k in ("deal", "account", "contact", "stage", "follow_up")}
    chosen = {k: v for k, v in read.items() if v is not None}
    if not isinstance(data.get("i"), dict) or len(chosen) != len(read):
        raise InvalidInput(STALE_BUTTON)
    answer = conversation.answer(clicked_intent(data["i"]), actor_of(context),
                                 chosen=chosen, **_extras(data))
    replace_message(body, client, respond, answer)


def choose_none(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
    ack()
    replace_message(body, client, respond,
                    Answer(text="OK, nothing done.", blocks=[ui.mrkdwn("OK, nothing done.")]))


def next_stage(deps: Deps, conversation: Conversation, ack: Ack, body: dict[str, Any],
               client: WebClient, respond: Respond, context: BoltContext) -> None:
    ack()
    actor = actor_of(context)
    opp_id, shown_stage = clicked_ids(body, 2)
    try:
        opp = deps.services.opportunities.advance(actor.id, opp_id, from_stage_id=shown_stage)
    except Stale as exc:
        _refresh_card(deps, conversation, body, client, respond, actor, opp_id, str(exc))
        return
    card = conversation.card(opp, actor)
    moved = conversation.moved(opp)
    replace_message(body, client, respond,
                    Answer(text=moved.text, blocks=card.blocks + moved.blocks))


def pick_stage(deps: Deps, conversation: Conversation, ack: Ack, body: dict[str, Any],
               client: WebClient, respond: Respond, context: BoltContext) -> None:
    """A stage picked from the card's menu; a lost one first asks why, in a form."""
    ack()
    actor = actor_of(context)
    opp_id, shown_stage, stage_id = clicked_ids(body, 3)
    stage = chosen_stage(stage_id, deps.directory.stages())
    if stage.kind == "lost":
        opp = deps.services.opportunities.get(actor.id, opp_id)
        client.views_open(trigger_id=body["trigger_id"], view=modals.close_lost(
            opp.id, escape(opp.title), card=card_location(body)))
        return
    try:
        opp = deps.services.opportunities.move_stage(actor.id, opp_id, stage.name,
                                                     from_stage_id=shown_stage)
    except Stale as exc:
        _refresh_card(deps, conversation, body, client, respond, actor, opp_id, str(exc))
        return
    moved = conversation.moved(opp)
    replace_message(body, client, respond,
                    Answer(text=moved.text,
                           blocks=conversation.card(opp, actor).blocks + moved.blocks))


def open_close_lost(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                    context: BoltContext) -> None:
    ack()
    opp = deps.services.opportunities.get(actor_of(context).id, clicked_id(body))
    client.views_open(trigger_id=body["trigger_id"], view=modals.close_lost(
        opp.id, escape(opp.title), card=card_location(body)))


def open_log_activity(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                      context: BoltContext) -> None:
    ack()
    opp = deps.services.opportunities.get(actor_of(context).id, clicked_id(body))
    client.views_open(trigger_id=body["trigger_id"], view=activity_modals.log_activity(
        about=opp.title, metadata={"opp": opp.id}))


def open_edit_deal(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
    """The edit form; its owner menu keeps the current owner even if not assignable."""
    ack()
    actor = actor_of(context)
    opp = deps.services.opportunities.get(actor.id, clicked_id(body))
    owners = [(u.name, str(u.id)) for u in deps.services.users.assignable(actor.id)]
    if str(opp.owner_id) not in {value for _, value in owners}:
        owners.insert(0, (opp.owner_name, str(opp.owner_id)))
    client.views_open(trigger_id=body["trigger_id"],
                      view=modals.edit_opportunity(opp, owners))


def open_new_deal(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=modals.new_opportunity(
        deps.directory.stages(), account=_value(body) or None))


def new_account(deps: Deps, conversation: Conversation, ack: Ack, body: dict[str, Any],
                client: WebClient, respond: Respond, context: BoltContext) -> None:
    """Create the account a question named, then answer the question about it."""
    ack()
    actor = actor_of(context)
    data = clicked_json(body)
    name = data.get("name")
    if not isinstance(name, str | None):
        raise InvalidInput(STALE_BUTTON)
    intent, extras = clicked_intent(data.get("i")), _extras(data)  # read all before writing
    account = deps.services.accounts.create(actor.id, name or intent.target or "")
    answer = conversation.answer(intent, actor, chosen={"account": account.id}, **extras)
    replace_message(body, client, respond, answer)


def register(app: App, deps: Deps, conversation: Conversation) -> None:
    app.action("undo")(partial(undo, deps))
    app.action(re.compile(r"^choose_\d+$"))(partial(choose, conversation))
    app.action("choose_none")(choose_none)
    app.action("opp_next_stage")(partial(next_stage, deps, conversation))
    app.action("opp_pick_stage")(partial(pick_stage, deps, conversation))
    app.action("opp_close_lost")(partial(open_close_lost, deps))
    app.action("opp_log_activity")(partial(open_log_activity, deps))
    app.action("opp_edit")(partial(open_edit_deal, deps))
    app.action("opp_new")(partial(open_new_deal, deps))
    app.action("account_new")(partial(new_account, deps, conversation))
