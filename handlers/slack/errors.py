"""Every failure reaches the person as a short private message, never a stack trace.

A `StoreError` carries words meant for the user; anything else is logged with its
traceback and the user hears only that something went wrong on our side.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.slack.middleware import slack_user_id
from handlers.slack.owed import ReplyKept, ReplyRefused
from handlers.slack.text import escape
from store.errors import StoreError
from store.services.system.events import EventAlreadyHandled

log = logging.getLogger(__name__)
GENERIC = "Sorry, something went wrong on my side. Please try again in a moment."


def user_message(error: Exception) -> str:
    return escape(str(error)) if isinstance(error, StoreError) else GENERIC


def tell_privately(body: dict[str, Any], context: BoltContext, client: WebClient,
                   text: str) -> None:
    """Ephemeral where Slack allows it: response_url first, else postEphemeral, else a DM."""
    respond = context.get("respond")
    if respond is not None and (body.get("response_url") or body.get("response_urls")):
        respond(text=text, response_type="ephemeral", replace_original=False)
        return
    user = slack_user_id(body)
    event = body.get("event") or {}
    channel = event.get("channel") or (body.get("channel") or {}).get("id")
    if user is None:
        return
    if channel and not str(channel).startswith("D"):
        client.chat_postEphemeral(channel=channel, user=user, text=text,
                                  thread_ts=event.get("thread_ts"))
    else:
        client.chat_postMessage(channel=channel or user, text=text,
                                thread_ts=event.get("thread_ts"))


def refusal_response(request: BoltRequest) -> BoltResponse:
    """What Slack gets for a request a `StoreError` refused: the listener's ack (a form's
    errors, say) when it acked, else a plain 200. The refusal was told to the person, so it
    is no server error; Bolt would answer 500 when it runs listeners before responding."""
    acked = request.context.ack.response
    if acked is not None:
        return BoltResponse(status=200, body=acked.body, headers=acked.headers)
    return BoltResponse(status=200, body="")


def register(app: App) -> None:
    @app.error
    def explain_failure(error: Exception, body: dict[str, Any], context: BoltContext,
                        client: WebClient, request: BoltRequest) -> BoltResponse | None:
        if isinstance(error, EventAlreadyHandled):  # done by another delivery: acts once
            log.info("event %s was handled already; this delivery did nothing", error)
            return refusal_response(request)
        if isinstance(error, ReplyKept):  # the change stands; its reply comes with the sweep
            log.info("a reply Slack refused for now is kept for the next sweep")
            return refusal_response(request)
        if isinstance(error, ReplyRefused):  # the change stands; Slack won't take its reply
            cause = error.__cause__
            reason = cause.response.get("error") if isinstance(cause, SlackApiError) else cause
            log.warning("Slack refused a reply for good (%s): %s", error, reason)
            return refusal_response(request)
        if not isinstance(error, StoreError):
            log.exception("listener failed", exc_info=error)
        try:
            tell_privately(body, context, client, user_message(error))
        except SlackApiError:
            log.exception("could not tell the user about a failure")
        return refusal_response(request) if isinstance(error, StoreError) else None
