"""Turns for approvers: the queue of quotes waiting on them, and delegating while away."""

from __future__ import annotations

import re

from handlers.conversation.turn import Turn
from handlers.quotes import blocks as qb
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape
from store.resolve import resolve

_USER_MENTION = re.compile(r"^<@([A-Z0-9]+)(?:\|[^>]*)?>$")


def approvals(turn: Turn) -> Answer:
    steps, waiting = turn.services.approvals.waiting(turn.actor.id, limit=qb.QUEUE_SHOWN)
    return Answer(text=f"{waiting} approval(s) waiting",
                  blocks=qb.queue(steps, waiting=waiting))


def delegate(turn: Turn) -> Answer:
    """"delegate approvals to @fox" (a mention or a name); "delegate off" ends it."""
    target = (turn.intent.target or "").strip()
    if m := _USER_MENTION.match(target):
        target = m.group(1)
    off = target.lower() in ("off", "none", "nobody", "")
    if not off and not m:
        found = _person(turn, target.lstrip("@"))
        if isinstance(found, Answer):
            return found
        target = found
    return say_text(escape(qb.delegation_text(turn.services.approvals.delegate(
        turn.actor.id, None if off else target))), private=True)


def _person(turn: Turn, name: str) -> str | Answer:
    """A plain "@dana" or "Dana": the Slack id of the one active person it names (an exact
    Slack id, email or full name first, then a close name), or a question back."""
    exact = turn.services.users.find(name)
    if exact is not None:
        return exact.slack_user_id
    result = resolve(turn.directory.users().search(name, limit=5, cutoff=75))
    if result.kind == "found" and result.match is not None:
        ids = {u.id: u.slack_user_id for u in turn.services.users.list()}
        return ids[result.match.id]
    if result.kind == "ambiguous":
        names = ", ".join(escape(c.name) for c in result.candidates)
        return say_text(f"Delegate to whom: {names}? Say the full name.", private=True)
    return say_text(f"I don't know anyone called “{escape(name)}”. Try `delegate to @name`.",
                    private=True)
