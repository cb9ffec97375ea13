"""Listeners for leads: Qualify / Disqualify (with its reason form) / Convert, the account
question, the lead form.

Each listener is a module-level function taking the flow first; `register` binds it with
`functools.partial`, whose remaining parameter names Bolt reads to inject its arguments
(`ack`, `body`, `client`, `respond`, `context`, `view`).
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.language.lead_text import LeadFields
from handlers.leads import blocks as lb
from handlers.leads.flow import LeadFlow
from handlers.slack import form_input, modals
from handlers.slack.actions import STALE_BUTTON, clicked_id, clicked_value
from handlers.slack.answer import Answer
from handlers.slack.delivery import replace_message
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape
from store.errors import InvalidInput, StoreError

ACCOUNT_PICK = re.compile(r"^lead_account_pick(_(\d+|new))?$")


def qualify(flow: LeadFlow, ack: Ack, body: dict[str, Any], client: WebClient,
            respond: Respond, context: BoltContext) -> None:
    ack()
    lead = flow.leads.qualify(actor_of(context).id, clicked_id(body))
    replace_message(body, client, respond, Answer(text=f"{escape(lead.name)} is qualified",
                                                  blocks=lb.lead_card(lead)))


def ask_reason(flow: LeadFlow, ack: Ack, body: dict[str, Any], client: WebClient,
               context: BoltContext) -> None:
    ack()
    lead = flow.leads.get(actor_of(context).id, clicked_id(body))
    client.views_open(trigger_id=body["trigger_id"], view=lb.disqualify_modal(lead))


def disqualified(flow: LeadFlow, ack: Ack, view: dict[str, Any], client: WebClient,
                 context: BoltContext) -> None:
    reason = modals.required_text(ack, view, "reason", "Say why, for whoever looks later.")
    if reason is None:
        return
    ids = form_input.required_ids(ack, view, "lead")
    if ids is None:
        return
    actor = actor_of(context)
    try:
        lead = flow.leads.disqualify(actor.id, ids["lead"], reason)
    except StoreError as exc:
        ack(response_action="errors", errors={"reason": str(exc)})
        return
    ack()
    client.chat_postMessage(channel=actor.slack_user_id, text=f"{escape(lead.name)} disqualified",
                            blocks=lb.lead_card(lead))


def convert(flow: LeadFlow, ack: Ack, body: dict[str, Any], client: WebClient,
            respond: Respond, context: BoltContext) -> None:
    ack()
    replace_message(body, client, respond,
                    flow.convert(actor_of(context), clicked_id(body)))


def account_picked(flow: LeadFlow, ack: Ack, body: dict[str, Any], client: WebClient,
                   respond: Respond, context: BoltContext) -> None:
    ack()
    lead, _, choice = clicked_value(body).partition(":")
    lead_id = form_input.whole_number(lead, 1, form_input.MAX_ROW_ID)
    if lead_id is None or not (choice == "new" or form_input.whole_number(
            choice, 1, form_input.MAX_ROW_ID)):
        raise InvalidInput(STALE_BUTTON)
    replace_message(body, client, respond, flow.convert(actor_of(context), lead_id, choice))


def open_lead_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=lb.lead_modal())


def lead_submitted(flow: LeadFlow, ack: Ack, view: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
    form = modals.values(view)
    name = form.get("name") or ""
    if not name.strip():
        ack(response_action="errors", errors={"name": "Who is the lead?"})
        return
    actor = actor_of(context)
    try:
        answer = flow.capture(actor, LeadFields(
            name=name, company=form.get("company"), title=form.get("title"),
            email=form.get("email"), phone=form.get("phone"), source=form.get("source")))
    except StoreError as exc:
        ack(response_action="errors", errors={"name": str(exc)})
        return
    ack()
    client.chat_postMessage(channel=actor.slack_user_id, text=answer.text, blocks=answer.blocks)


def register(app: App, flow: LeadFlow) -> None:
    flow.client = app.client
    app.action("lead_qualify")(partial(qualify, flow))
    app.action("lead_disqualify")(partial(ask_reason, flow))
    app.view("lead_disqualify")(partial(disqualified, flow))
    app.action("lead_convert")(partial(convert, flow))
    # lead_account_pick_0…, _new; the bare id is still on questions sent before
    app.action(ACCOUNT_PICK)(partial(account_picked, flow))
    app.action("lead_form")(open_lead_form)
    app.view("lead_new")(partial(lead_submitted, flow))
