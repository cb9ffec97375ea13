"""Telling someone a deal is now theirs: whoever reassigns it (in words or in the edit
form), the new owner hears it in their DM, with what the deal is worth and when it closes.
A failed DM costs the notice, never the change (it is already saved)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.slack.text import day, escape, short_money
from store.schemas import OpportunityView, UserView

log = logging.getLogger(__name__)


def tell_new_owner(client: WebClient | None, actor: UserView, before: OpportunityView,
                   after: OpportunityView) -> None:
    """DM the deal's new owner, unless the owner did not change or gave it to themself."""
    if client is None or after.owner_id == before.owner_id or after.owner_id == actor.id:
        return
    text = (f":handshake: {escape(actor.name)} gave you *{escape(after.title)}* "
            f"({short_money(after.amount, after.currency)}, {escape(after.stage.name)}, "
            f"closes {day(after.close_date)}), until now {escape(before.owner_name)}'s.")
    try:
        client.chat_postMessage(channel=after.owner_slack_id, text=text,
                                blocks=[{"type": "section",
                                         "text": {"type": "mrkdwn", "text": text}}])
    except SlackApiError as exc:
        log.warning("new owner not told: %s", exc.response.get("error"))
