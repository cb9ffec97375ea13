"""Putting a pipeline summary in Slack: posted in a channel, the chart as an image, the CSV
as a file, in the asker's DM unless a channel is named.

The text of a summary already holds every figure, so a chart that can't be drawn or sent
costs a note, never the answer.
"""

from __future__ import annotations

import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.pipeline import blocks as pb
from handlers.pipeline.chart import pipeline_png
from handlers.pipeline.requests import Request
from handlers.slack.answer import Answer, say_text
from handlers.slack.delivery import dm_channel, post_copy, shared_by
from handlers.slack.text import escape
from store.schemas import UserView
from store.services.pipeline.export import summary_csv
from store.services.pipeline.figures import Summary
from store.services.pipeline.summary import PipelineService

log = logging.getLogger(__name__)


def post_summary(client: WebClient, actor: UserView, summary: Summary, channel: str) -> None:
    """The summary for everyone in `channel`, saying who shared it."""
    post_copy(client, channel, Answer(pb.summary_text(summary), pb.summary_blocks(summary)),
              f"{shared_by(actor.slack_user_id)}.")


def send_chart(client: WebClient, reports: PipelineService, actor: UserView, request: Request,
               summary: Summary, channel: str | None = None) -> str | None:
    """Upload the chart (to the asker's DM unless a channel is given); a note when it
    could not be sent."""
    if not summary.totals:
        return None
    try:
        cells = reports.by_stage_and_owner(actor.id, request.scope, request.period)
        png = pipeline_png(cells, [s.name for s in summary.stages],
                           f"Open pipeline by stage and owner · {summary.scope.label}")
        if png is None:
            return None
        client.files_upload_v2(
            channel=channel or dm_channel(client, actor.slack_user_id), file=png,
            filename="pipeline.png", title=f"Pipeline · {summary.scope.label}",
            alt_txt="Open pipeline by stage, stacked by owner")
    except SlackApiError as exc:
        log.warning("pipeline chart not uploaded: %s", exc.response.get("error"))
        return "The chart couldn't be sent; every figure is in the text above."
    except Exception:
        log.exception("pipeline chart failed")
        return "The chart couldn't be drawn; every figure is in the text above."
    return None


def send_csv(client: WebClient | None, actor: UserView, summary: Summary) -> Answer:
    """The CSV in the asker's DM; without a Slack client, in the answer itself."""
    content = summary_csv(summary)
    period = "open"
    if summary.open_period is not None:
        period = summary.open_period.code or summary.open_period.label
    filename = f"pipeline-{re.sub(r'[^A-Za-z0-9-]+', '-', period)}.csv"
    if client is None:
        return say_text(f"```{content[:2900]}```", private=True)
    client.files_upload_v2(channel=dm_channel(client, actor.slack_user_id), content=content,
                           filename=filename, title=f"Pipeline · {summary.scope.label}")
    return say_text(f"The pipeline of {escape(summary.scope.label)} as CSV is in our DM: "
                    f"`{filename}`.", private=True)


def channel_named(client: WebClient, name: str) -> str | None:
    """The id of the channel called `name` (as Slack lists them), or None."""
    try:
        for page in client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=500):
            for channel in page.get("channels", []):
                if channel.get("name") == name.lower():
                    return channel["id"]
    except SlackApiError as exc:
        log.warning("conversations.list failed: %s", exc.response.get("error"))
    return None
