"""A search hit's snippet as Slack mrkdwn: the article text escaped piece by piece and only
then the matched words wrapped in `*`, so article text can never ping, forge a link, or
turn bold, italic, struck or code on its own."""

from __future__ import annotations

import re

from handlers.slack.text import escape
from knowledge import Snippet

# Slack mrkdwn has no backslash escapes: a literal `*`, `~` or `` ` `` in article text is
# shown as a look-alike that Slack does not read as formatting; `_` only where it could
# open or close italics (not inside snake_case words).
_MARKS = str.maketrans({"*": "\u2217", "~": "\u223c", "`": "\u02cb"})
_LOOSE_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")


def _literal(text: str) -> str:
    return _LOOSE_UNDERSCORE.sub("\u02cd", escape(text).translate(_MARKS))


def snippet_mrkdwn(snippet: Snippet) -> str:
    return "".join(f"*{_literal(piece.text)}*" if piece.highlighted else _literal(piece.text)
                   for piece in snippet.pieces)
