"""What a turn is asked to do, as a small value object, and the limits on what is read.

`Intent` is what the conversation's turns take: the language layer's reading of a message
(`understanding`) becomes one when an existing turn answers it, and buttons, forms and
`/sales` sub-commands carry one (in a button's value, as `to_dict` writes it). Free text is
read by `handlers.language.understanding` alone; nothing here reads a sentence.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import Any

MAX_MESSAGE_CHARS = 4_000
"""The longest message the bot reads, in characters as the rep typed it (an @mention of
the bot aside).

Slack accepts 40,000 in a message but advises keeping `text` within 4,000, and no rep types
that much to log a call or move a deal: a longer message is a paste (a log, an email thread)
or an attack, and reading it would hold a listener thread that other reps' messages wait
for. The conversation and `/sales` answer it with the `too_long` intent instead, so nothing
is read, matched or stored; a message within the limit is read and stored whole, never cut.
"""


@dataclass(frozen=True)
class Intent:
    """What a sentence asks for. `target` names the account/deal/contact as typed."""

    name: str
    text: str
    kind: str | None = None
    target: str | None = None
    stage: str | None = None
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """For a button value (Slack allows 2,000 characters): long text is clipped."""
        data = {k: v for k, v in asdict(self).items() if v is not None}
        for key, limit in (("text", 400), ("detail", 600), ("target", 150)):
            if isinstance(data.get(key), str):
                data[key] = data[key][:limit]
        return data

    @classmethod
    def from_dict(cls, data: object) -> Intent:
        """The intent `to_dict` wrote, read back from a button's value; ValueError when
        DATA is not one (a forged or mangled value): not an object, `name` or `text` not a
        string, another field neither a string nor absent. Unknown keys are ignored."""
        if not isinstance(data, dict):
            raise ValueError("an intent is an object")
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if not all(isinstance(values.get(k), str) for k in ("name", "text")) \
                or not all(isinstance(v, str | None) for v in values.values()):
            raise ValueError("an intent's fields are strings")
        return cls(**values)


def strip_mention(text: str, bot_user_id: str | None = None) -> str:
    """Drop @mentions of the bot wherever they are ("hey @salesbot show acme")."""
    greeting = re.compile(r"^(?:hey|hi|hello|ok|okay)[\s,]+(?=\S+\s+\S)", re.I)  # not "hey bot"
    text = greeting.sub("", (text or "").strip())
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>\s*[:,]?", " ", text)
    text = re.sub(r"^\s*<@[A-Z0-9]+>\s*[:,]?\s*", "", text)
    return greeting.sub("", text.strip())


def too_long(text: str) -> Intent | None:
    """`too_long` for a message over `MAX_MESSAGE_CHARS`, with its length in `detail` and only
    its opening in `text` (it is not read, so there is nothing more to keep)."""
    if len(text) <= MAX_MESSAGE_CHARS:
        return None
    return Intent("too_long", text[:100], detail=str(len(text)))
