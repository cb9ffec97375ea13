"""Putting an answer where the click came from."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from handlers.slack.answer import Answer


def replace_message(body: dict[str, Any], client: WebClient, respond: Respond,
                    answer: Answer) -> None:
    """Swap the clicked message for `answer`, so no stale buttons stay behind."""
    container = body.get("container") or {}
    if container.get("is_ephemeral") or "message_ts" not in container:
        respond(text=answer.text, blocks=answer.blocks, replace_original=True)
        return
    client.chat_update(channel=container["channel_id"], ts=container["message_ts"],
                       text=answer.text, blocks=answer.blocks)
