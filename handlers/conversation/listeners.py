"""Free text: direct messages, @mentions in channels, and the assistant thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Assistant, BoltContext, Respond, Say
from slack_sdk import WebClient

from handlers.conversation.conversation import Conversation
from handlers.language.intents import Intent
from handlers.slack.actions import clicked_intent, clicked_json
from handlers.slack.answer import Answer
from handlers.slack.delivery import answer_privately, share_button, share_in_channel, shared_by
from handlers.slack.middleware import actor_of
from handlers.slack.text import from_slack

log = logging.getLogger(__name__)

SUGGESTED_PROMPTS = [
    {"title": "Log a call", "message": "logged a call with acme, they want pricing by friday"},
    {"title": "Move a deal", "message": "move the globex expansion to negotiation"},
    {"title": "My follow-ups", "message": "my follow-ups"},
    {"title": "What can you do?", "message": "help"},
]
_HANDLED_SUBTYPES = (None, "file_share", "thread_broadcast")


def _is_human_message(event: dict[str, Any]) -> bool:
    return event.get("subtype") in _HANDLED_SUBTYPES and not event.get("bot_id")


def register(app: App, conversation: Conversation) -> None:
    assistant = Assistant()

    @assistant.thread_started
    def greet(say: Say, set_suggested_prompts: Any) -> None:
        say("Hi! Tell me what happened with a customer, or ask about a deal.")
        set_suggested_prompts(prompts=SUGGESTED_PROMPTS, title="Try one of these")

    @assistant.user_message
    def assistant_message(payload: dict[str, Any], say: Say, context: BoltContext) -> None:
        if not _is_human_message(payload):
            return
        _read, answer = _answer(conversation, payload, context)
        say(text=answer.text, blocks=answer.blocks)

    app.use(assistant)

    @app.event("message")
    def direct_message(event: dict[str, Any], say: Say, context: BoltContext) -> None:
        if event.get("channel_type") != "im" or not _is_human_message(event):
            return
        if not (event.get("text") or "").strip():
            return  # a file alone, or an empty message: nothing was asked
        _read, answer = _answer(conversation, event, context)
        say(text=answer.text, blocks=answer.blocks, thread_ts=event.get("thread_ts"))

    @app.event("app_mention")
    def mention(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        intent, answer = _answer(conversation, event, context)
        deliver_in_channel(client, event, answer, intent)

    @app.action("share_in_channel")
    def share(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
              context: BoltContext) -> None:
        """Post a read-only answer for everyone, re-read now, without its buttons."""
        ack()
        actor = actor_of(context)
        intent = clicked_intent(clicked_json(body))
        if intent.name not in SHAREABLE:
            return
        share_in_channel(body, client, respond, conversation.answer(intent, actor),
                         shared_by(actor.slack_user_id))


def _answer(conversation: Conversation, event: dict[str, Any],
            context: BoltContext) -> tuple[Intent, Answer]:
    return conversation.answer_text(from_slack(event.get("text", "")), actor_of(context),
                                    bot_user_id=context.bot_user_id)


SHAREABLE = ("show",)  # pipeline answers carry their own Share button (with the chart)


def deliver_in_channel(client: WebClient, event: dict[str, Any], answer: Answer,
                       intent: Intent) -> None:
    """Privately, with "Share in channel" when the answer only reads."""
    shareable = intent.name in SHAREABLE and not answer.private
    answer_privately(client, event, answer,
                     share_button("share_in_channel", intent.to_dict()) if shareable else None)
