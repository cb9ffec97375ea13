"""Shortcuts: "Log as activity" on any message, and "Log activity" from anywhere."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from handlers.activities import modals
from handlers.slack.text import from_slack


def register(app: App) -> None:
    @app.shortcut("log_message_as_activity")
    def log_message(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        message = shortcut["message"]  # a message shortcut always says which, and where
        channel: str = shortcut["channel"]["id"]
        ts: str = message["ts"]
        permalink = client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
        team = (shortcut.get("team") or {}).get("id", "")
        client.views_open(trigger_id=shortcut["trigger_id"], view=modals.log_activity(
            text=from_slack(message.get("text")),
            metadata={"permalink": permalink, "event_key": f"{team}:{channel}:{ts}"},
        ))

    @app.shortcut("log_activity")
    def log_anything(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=shortcut["trigger_id"], view=modals.log_activity())
