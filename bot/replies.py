"""Delivering the replies Slack refused for now (handlers/slack/owed.py keeps them): part
of every reminder sweep, through the same guarded client."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from handlers.slack.outgoing import guard_payload
from handlers.slack.owed import transient
from store.services.system.owed_replies import CLAIM_BATCH, Owed, OwedReplies

log = logging.getLogger(__name__)


def deliver_owed_replies(owed: OwedReplies, client: WebClient, *, batches: int = 4,
                         claimed: list[Owed] | None = None) -> int:
    """Send what is due, starting with the batch `claimed` already (the sweep claims it
    with its planning) if given; the number delivered. A reply Slack still refuses waits
    longer; one it refuses for good is given up (kept, with the reason)."""
    delivered = 0
    for n in range(batches):
        due = claimed if n == 0 and claimed is not None else owed.claim()
        if not due:
            break
        for reply in due:
            error, lasting = _send(reply, client)
            if error is None:
                owed.delivered(reply.id)
                delivered += 1
            elif lasting:
                owed.give_up(reply.id, error)
            else:
                owed.retry(reply, error)
        if len(due) < CLAIM_BATCH:  # a short batch: nothing more was due
            break
    if delivered:
        log.info("delivered %s owed repl%s", delivered, "y" if delivered == 1 else "ies")
    return delivered


def _send(reply: Owed, client: WebClient) -> tuple[str | None, bool]:
    """(None, _) when Slack took it, else why not and whether no retry will change it."""
    try:
        if reply.method == "respond":
            message = guard_payload("chat.respond", reply.payload["message"])
            response = WebhookClient(reply.payload["url"], proxy=client.proxy,
                                     ssl=client.ssl).send_dict(message or {})
            status = response.status_code
            return (None, False) if status == 200 else (str(status), 400 <= status < 500
                                                        and status != 429)
        client.api_call(reply.method, json=reply.payload)
        return None, False
    except (SlackApiError, OSError) as exc:
        error = transient(exc)
        if error is not None:
            return error, False
        reason = exc.response.get("error") if isinstance(exc, SlackApiError) else None
        return str(reason or type(exc).__name__), True
