"""The bot's Slack Web API client, apart from the app so that the reminder commands
(`salesbot reminders run-once`, `salesbot scheduler`) get one without building Bolt's app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from handlers.slack.outgoing import GuardedWebClient

if TYPE_CHECKING:
    from bot.settings import Settings


def web_client(settings: Settings) -> WebClient:
    """The Web API client: `SLACK_API_URL` when set (the local stand-in), retries on 429,
    every outgoing text checked (`handlers/slack/outgoing.py`)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = GuardedWebClient(token=token,
                              base_url=settings.slack_api_url or WebClient.BASE_URL)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client
