"""How an answer reaches people, written once for every feature: in place of the message a
button was on, privately in a channel (with "Share in channel"), as a read-only copy for
the channel, in the clicked message's thread, or in a person's DM.

Slack describes where a click happened in `body["container"]`; an ephemeral message has
no timestamp anyone can update, so only `respond` (the response URL) reaches it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from slack_bolt import Respond
from slack_sdk import WebClient

from handlers.slack import blocks as ui
from handlers.slack.answer import Answer


class PostedMessage(NamedTuple):
    """A message in a channel that the bot can update or reply under."""

    channel: str
    ts: str


def clicked_message(body: dict[str, Any]) -> PostedMessage | None:
    """The message a button was on; None when it was ephemeral (or Slack did not say)."""
    container = body.get("container") or {}
    if container.get("is_ephemeral") or "message_ts" not in container:
        return None
    return PostedMessage(container["channel_id"], container["message_ts"])


def clicked_channel(body: dict[str, Any]) -> str | None:
    """The channel a button was clicked in, ephemeral messages included."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id")


def clicked_ephemeral(body: dict[str, Any]) -> bool:
    return bool((body.get("container") or {}).get("is_ephemeral"))


def card_location(body: dict[str, Any]) -> dict[str, str] | None:
    """Where the clicked card is, so a form can replace it when it is submitted."""
    message = clicked_message(body)
    return None if message is None else {"channel": message.channel, "ts": message.ts}


def replace_message(body: dict[str, Any], client: WebClient, respond: Respond,
                    answer: Answer) -> None:
    """Swap the clicked message for `answer`, so no stale buttons stay behind."""
    message = clicked_message(body)
    if message is None:
        respond(text=answer.text, blocks=answer.blocks, replace_original=True)
        return
    client.chat_update(channel=message.channel, ts=message.ts,
                       text=answer.text, blocks=answer.blocks)


def reply_in_thread(body: dict[str, Any], client: WebClient, respond: Respond,
                    answer: Answer) -> None:
    """Answer under the clicked message: a thread reply, or privately when it was private."""
    message = clicked_message(body)
    if message is None:
        respond(text=answer.text, blocks=answer.blocks, response_type="ephemeral",
                replace_original=False)
        return
    thread_ts = (body.get("message") or {}).get("thread_ts") or message.ts
    client.chat_postMessage(channel=message.channel, text=answer.text,
                            blocks=answer.blocks, thread_ts=thread_ts)


def share_button(action_id: str, value: str | dict[str, Any]) -> dict[str, Any]:
    """"Share in channel": its listener posts a read-only copy (see `share_in_channel`)."""
    return ui.button("Share in channel", action_id, value)


def answer_privately(client: WebClient, event: dict[str, Any], answer: Answer,
                     share: dict[str, Any] | None = None) -> None:
    """Only the asker sees it (an answer in a channel concerns one person and may show
    amounts), in the thread they asked in; `share` is a `share_button` to add."""
    blocks = list(answer.blocks)
    if share is not None:
        blocks.append(ui.actions(share))
    client.chat_postEphemeral(
        channel=event["channel"], user=event["user"], text=answer.text, blocks=blocks,
        thread_ts=event.get("thread_ts"),
    )


def shared_by(slack_user_id: str) -> str:
    return f"Shared by <@{slack_user_id}>"


def post_copy(client: WebClient, channel: str, answer: Answer, note: str) -> None:
    """A read-only copy for everyone in `channel`: no buttons or accessories (they would
    act as whoever clicks), and `note` saying who shared it."""
    blocks = [b for b in answer.blocks if b.get("type") != "actions"]
    for block in blocks:
        block.pop("accessory", None)
    blocks.append(ui.context(note))
    client.chat_postMessage(channel=channel, text=answer.text, blocks=blocks)


def share_in_channel(body: dict[str, Any], client: WebClient, respond: Respond,
                     answer: Answer, note: str) -> None:
    """"Share in channel" clicked: post the copy where the click was, and remove the
    private original, which has served its purpose."""
    channel = clicked_channel(body)
    if channel is None:
        return
    post_copy(client, channel, answer, note)
    if clicked_ephemeral(body):
        respond(delete_original=True)


def dm(client: WebClient, slack_user_id: str, answer: Answer) -> None:
    """Tell the person in their DM with the bot (forms have no channel of their own)."""
    client.chat_postMessage(channel=slack_user_id, text=answer.text, blocks=answer.blocks)


def dm_channel(client: WebClient, slack_user_id: str) -> str:
    """The id of the person's DM with the bot, for calls (file uploads) that need one."""
    return client.conversations_open(users=slack_user_id)["channel"]["id"]
