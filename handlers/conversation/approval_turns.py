"""Turns for approvers: the queue of quotes waiting on them, and delegating while away."""

from __future__ import annotations

import re

from handlers.conversation.turn import Turn
from handlers.quotes import blocks as qb
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape

_USER_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")


def approvals(turn: Turn) -> Answer:
    steps = turn.services.approvals.queue(turn.actor.id)
    return Answer(text=f"{len(steps)} approval(s) waiting", blocks=qb.queue(steps))


def delegate(turn: Turn) -> Answer:
    """"delegate approvals to @fox" (a mention or a name); "delegate off" ends it."""
    target = (turn.intent.target or "").strip()
    if m := _USER_MENTION.match(target):
        target = m.group(1)
    off = target.lower() in ("off", "none", "nobody", "")
    return say_text(escape(qb.delegation_text(turn.services.approvals.delegate(
        turn.actor.id, None if off else target.lstrip("@")))), private=True)
