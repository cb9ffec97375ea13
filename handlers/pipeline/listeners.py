"""Listeners for pipeline reports: Share in channel, CSV, the scheduled report's channel
picker, stop a scheduled report.

Each listener is a module-level function taking the flow first; `register` binds it with
`functools.partial`, whose remaining parameter names Bolt reads to inject its arguments.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.pipeline import blocks as pb
from handlers.pipeline.flow import PipelineFlow
from handlers.pipeline.requests import Request, SubscriptionRequest
from handlers.slack.actions import clicked_id, clicked_json
from handlers.slack.answer import Answer
from handlers.slack.delivery import clicked_channel, replace_message
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape


def share(flow: PipelineFlow, ack: Ack, body: dict[str, Any], respond: Respond,
          context: BoltContext) -> None:
    ack()
    channel = clicked_channel(body)
    if channel is None:
        return
    summary = flow.share(actor_of(context), Request.from_value(clicked_json(body)),
                         channel)
    respond(text=f"Shared the pipeline of {escape(summary.scope.label)} here.",
            response_type="ephemeral", replace_original=False)


def csv(flow: PipelineFlow, ack: Ack, body: dict[str, Any], respond: Respond,
        context: BoltContext) -> None:
    ack()
    actor = actor_of(context)
    request = Request.from_value(clicked_json(body))
    answer = flow.send_csv(actor, flow.reports.summary(actor.id, request.scope,
                                                       request.period))
    respond(text=answer.text, blocks=answer.blocks, response_type="ephemeral",
            replace_original=False)


def channel_picked(flow: PipelineFlow, ack: Ack, body: dict[str, Any], client: WebClient,
                   respond: Respond, context: BoltContext) -> None:
    ack()
    action = body["actions"][0]
    channel = action.get("selected_conversation") or action.get("selected_channel")
    if not channel:
        return
    request = SubscriptionRequest.from_block_id(action["block_id"])
    replace_message(body, client, respond, flow.subscribe(actor_of(context), request,
                                                          channel))


def unsubscribe(flow: PipelineFlow, ack: Ack, body: dict[str, Any], client: WebClient,
                respond: Respond, context: BoltContext) -> None:
    ack()
    actor = actor_of(context)
    flow.subscriptions.unsubscribe(actor.id, clicked_id(body))
    replace_message(body, client, respond, Answer(
        text="Scheduled pipeline reports",
        blocks=pb.subscriptions_blocks(flow.subscriptions.mine(actor.id))))


def register(app: App, flow: PipelineFlow) -> None:
    flow.client = app.client
    app.action("pipeline_share")(partial(share, flow))
    app.action("pipeline_csv")(partial(csv, flow))
    app.action("pipeline_subscribe_channel")(partial(channel_picked, flow))
    app.action("pipeline_unsubscribe")(partial(unsubscribe, flow))
