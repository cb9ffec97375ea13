"""Listeners for pipeline reports and leads: Share in channel, CSV, stop a scheduled report,
Qualify / Disqualify (with its reason form) / Convert, the account question, the lead form."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.pipeline import blocks as pb
from handlers.pipeline.flow import PipelineFlow, Request, SubscriptionRequest
from handlers.slack import modals
from handlers.slack.answer import Answer
from handlers.slack.delivery import replace_message
from handlers.slack.middleware import actor_of
from store.errors import StoreError


def _value(body: dict[str, Any]) -> str:
    return body["actions"][0].get("value", "")


def _channel(body: dict[str, Any]) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id")


def register(app: App, deps: Deps, flow: PipelineFlow) -> None:
    flow.client = app.client
    leads = flow.lead_service

    @app.action("pipeline_share")
    def share(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        channel = _channel(body)
        if channel is None:
            return
        summary = flow.share(actor_of(context), Request.from_value(json.loads(_value(body))),
                             channel)
        respond(text=f"Shared the pipeline of {summary.scope.label} here.",
                response_type="ephemeral", replace_original=False)

    @app.action("pipeline_csv")
    def csv(ack: Ack, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        actor = actor_of(context)
        request = Request.from_value(json.loads(_value(body)))
        answer = flow.send_csv(actor, flow.reports.summary(actor.id, request.scope,
                                                           request.period))
        respond(text=answer.text, blocks=answer.blocks, response_type="ephemeral",
                replace_original=False)

    @app.action("pipeline_subscribe_channel")
    def channel_picked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                       context: BoltContext) -> None:
        ack()
        action = body["actions"][0]
        channel = action.get("selected_conversation") or action.get("selected_channel")
        if not channel:
            return
        request = SubscriptionRequest.from_block_id(action["block_id"])
        replace_message(body, client, respond, flow.subscribe(actor_of(context), request,
                                                              channel))

    @app.action("pipeline_unsubscribe")
    def unsubscribe(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                    context: BoltContext) -> None:
        ack()
        actor = actor_of(context)
        flow.subscriptions.unsubscribe(actor.id, int(_value(body)))
        replace_message(body, client, respond, Answer(
            text="Scheduled pipeline reports",
            blocks=pb.subscriptions_blocks(flow.subscriptions.mine(actor.id))))

    @app.action("lead_qualify")
    def qualify(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                context: BoltContext) -> None:
        ack()
        lead = leads.qualify(actor_of(context).id, int(_value(body)))
        replace_message(body, client, respond, Answer(text=f"{lead.name} is qualified",
                                                      blocks=pb.lead_card(lead)))

    @app.action("lead_disqualify")
    def ask_reason(ack: Ack, body: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
        ack()
        lead = leads.get(actor_of(context).id, int(_value(body)))
        client.views_open(trigger_id=body["trigger_id"], view=pb.disqualify_modal(lead))

    @app.view("lead_disqualify")
    def disqualified(ack: Ack, view: dict[str, Any], client: WebClient,
                     context: BoltContext) -> None:
        reason = (modals.values(view).get("reason") or "").strip()
        if not reason:
            ack(response_action="errors", errors={"reason": "Say why, for whoever looks later."})
            return
        actor = actor_of(context)
        try:
            lead = leads.disqualify(actor.id, int(json.loads(view["private_metadata"])["lead"]),
                                    reason)
        except StoreError as exc:
            ack(response_action="errors", errors={"reason": str(exc)})
            return
        ack()
        client.chat_postMessage(channel=actor.slack_user_id, text=f"{lead.name} disqualified",
                                blocks=pb.lead_card(lead))

    @app.action("lead_convert")
    def convert(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                context: BoltContext) -> None:
        ack()
        replace_message(body, client, respond,
                        flow.convert(actor_of(context), int(_value(body))))

    @app.action("lead_account_pick")
    def account_picked(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                       context: BoltContext) -> None:
        ack()
        lead_id, choice = _value(body).split(":")
        replace_message(body, client, respond,
                        flow.convert(actor_of(context), int(lead_id), choice))

    @app.action("lead_form")
    def open_lead_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=pb.lead_modal())

    @app.view("lead_new")
    def lead_submitted(ack: Ack, view: dict[str, Any], client: WebClient,
                       context: BoltContext) -> None:
        form = modals.values(view)
        if not (form.get("name") or "").strip():
            ack(response_action="errors", errors={"name": "Who is the lead?"})
            return
        actor = actor_of(context)
        try:
            answer = flow.capture(actor, **{k: form.get(k) for k in (
                "name", "company", "title", "email", "phone", "source")})
        except StoreError as exc:
            ack(response_action="errors", errors={"name": str(exc)})
            return
        ack()
        client.chat_postMessage(channel=actor.slack_user_id, text=answer.text,
                                blocks=answer.blocks)
