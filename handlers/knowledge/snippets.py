"""A search hit's snippet as Slack mrkdwn: the article text escaped piece by piece and only
then the matched words wrapped in `*`, so article text can never ping, forge a link, or
turn bold on its own."""

from __future__ import annotations

from handlers.slack.text import escape
from knowledge import Snippet


def snippet_mrkdwn(snippet: Snippet) -> str:
    return "".join(f"*{escape(piece.text)}*" if piece.highlighted else escape(piece.text)
                   for piece in snippet.pieces)
