"""Free text → what the rep wants, as a small value object.

This only reads the grammar of the sentence ("move X to Y", "logged a call with
X, …"); naming the account, deal or stage is left to the resolver, which knows
the store. Anything not recognised is `unknown`, and the bot says what it can do.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

from handlers.language import grammar

MAX_MESSAGE_CHARS = 4_000
"""The longest message the bot reads, in characters as the rep typed it (an @mention of
the bot aside).

Slack accepts 40,000 in a message but advises keeping `text` within 4,000, and no rep types
that much to log a call or move a deal: a longer message is a paste (a log, an email thread)
or an attack, and reading it would hold a listener thread that other reps' messages wait
for. `parse` and `/sales` answer it with the `too_long` intent instead, so nothing is read,
matched or stored; a message within the limit is read and stored whole, never cut.
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


def _split_target(rest: str) -> tuple[str, str | None]:
    """`acme, they want pricing` → (`acme`, `they want pricing`)."""
    parts = grammar.SPLIT_DETAIL.split(rest.strip(), maxsplit=1)
    target = parts[0].strip()
    detail = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
    return target, detail


def strip_mention(text: str, bot_user_id: str | None = None) -> str:
    """Drop @mentions of the bot wherever they are ("hey @salesbot show acme")."""
    greeting = re.compile(r"^(?:hey|hi|hello|ok|okay)[\s,]+(?=\S)", re.I)
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


def parse(text: str, bot_user_id: str | None = None) -> Intent:
    """Read one message: the first grammar in `_RECOGNISERS` that fits decides."""
    text = strip_mention(text, bot_user_id)  # linear: a few anchored patterns
    if (refused := too_long(text)) is not None:
        return refused
    text = " ".join(text.split())
    for recognise in _RECOGNISERS:
        if (intent := recognise(text)) is not None:
            return intent
    return Intent("unknown", text)


# -- recognisers: one grammar each, text in, an intent or None out -------------------------
def _help(text: str) -> Intent | None:
    return Intent("help", text) if not text or grammar.HELP.match(text) else None


def _followups(text: str) -> Intent | None:
    return Intent("followups", text) if grammar.FOLLOWUPS.match(text) else None


def _reminders(text: str) -> Intent | None:
    return Intent("reminders", text) if grammar.REMINDERS.match(text) else None


def _mute(text: str) -> Intent | None:
    """`detail` is until when (None: unmute)."""
    if not (m := grammar.MUTE.match(text)):
        return None
    unmute = m["verb"].lower() in ("unmute", "resume")
    return Intent("mute", text, detail=None if unmute else (m["until"] or "tomorrow"))


def _digest(text: str) -> Intent | None:
    """`detail` is the hour on a 24-hour clock, or "off"."""
    if not (m := grammar.DIGEST.match(text)):
        return None
    hour = m["hour"].lower()
    if hour != "off" and m["ampm"]:
        hour = str(int(hour) % 12 + (12 if m["ampm"].lower() == "pm" else 0))
    return Intent("digest", text, detail=hour)


def _kb(text: str) -> Intent | None:
    if not (m := grammar.KB.match(text)):
        return None
    return Intent("kb", text, detail=m["query"].strip())


def _report(text: str) -> Intent | None:
    """"post the team pipeline to #sales every monday 8am": a scheduled pipeline report."""
    return Intent("pipeline", text, detail=text) if grammar.REPORT.match(text) else None


def _pipeline(text: str) -> Intent | None:
    if not (m := grammar.PIPELINE.match(text)):
        return None
    return Intent(m["what"].lower(), text, detail=(m["rest"] or "").strip() or None)


def _lead(text: str) -> Intent | None:
    if not (m := grammar.LEAD.match(text)):
        return None
    return Intent("lead", text, detail=m["detail"].strip())


def _leads(text: str) -> Intent | None:
    return Intent("leads", text) if grammar.LEADS.match(text) else None


def _approvals(text: str) -> Intent | None:
    return Intent("approvals", text) if grammar.APPROVALS.match(text) else None


def _delegate(text: str) -> Intent | None:
    if not (m := grammar.DELEGATE.match(text)):
        return None
    return Intent("delegate", text, target=m["target"].strip())


def _quote(text: str) -> Intent | None:
    if not (m := grammar.QUOTE.match(text)):
        return None
    return Intent("quote", text, target=m["target"].strip(),
                  detail=(m["detail"] or "").strip() or None)


def _create(text: str) -> Intent | None:
    if not (m := grammar.CREATE.match(text)):
        return None
    return Intent("create", text, target=m["target"].strip(),
                  detail=(m["detail"] or "").strip() or None)


def _note(text: str) -> Intent | None:
    if not (m := grammar.NOTE.match(text)):
        return None
    return Intent("log", text, kind="note", target=m["target"].strip(),
                  detail=m["detail"].strip())


def _log_activity(text: str) -> Intent | None:
    """"logged a call with acme, …": the kind is named."""
    if not (m := grammar.LOG_ACTIVITY.match(text)):
        return None
    kind = grammar.KIND_WORDS.get(m["kind"].lower().replace("e-mail", "email"), "call")
    target, detail = _split_target(m["rest"])
    return Intent("log", text, kind=kind, target=target, detail=detail)


def _log_verb(text: str) -> Intent | None:
    """"called acme, …": the verb says the kind."""
    if not (m := grammar.LOG_VERB.match(text)):
        return None
    target, detail = _split_target(m["rest"])
    return Intent("log", text, kind=grammar.VERB_KIND[m["verb"].lower()], target=target,
                  detail=detail)


def _lost(text: str) -> Intent | None:
    if not (m := grammar.LOST.match(text)):
        return None
    return Intent("lost", text, target=m["target"].strip(),
                  detail=(m["reason"] or "").strip() or None)


def _won(text: str) -> Intent | None:
    if not (m := grammar.WON.match(text)):
        return None
    return Intent("won", text, target=(m["target"] or m["target2"]).strip())


def _edit_field(text: str) -> Intent | None:
    """One named field: close date, next step, owner, probability or amount."""
    for kind, pattern in grammar.EDITS:
        if m := pattern.match(text):
            return Intent("edit", text, kind=kind, target=m["target"].strip(),
                          detail=m["rest"].strip())
    return None


def _edit_terms(text: str) -> Intent | None:
    """"acme renewal is now 120k, closing end of march" (but not "… is now in negotiation")."""
    if not (m := grammar.EDIT_TERMS.match(text)) or grammar.IS_NOW.match(text):
        return None
    return Intent("edit", text, kind="terms", target=m["target"].strip(),
                  detail=m["rest"].strip())


def _advance(text: str) -> Intent | None:
    if not (m := grammar.ADVANCE.match(text)):
        return None
    return Intent("advance", text, target=m["target"].strip())


def _move(text: str) -> Intent | None:
    """"move acme to negotiation" or "acme is now in negotiation"."""
    if not (m := grammar.MOVE.match(text) or grammar.IS_NOW.match(text)):
        return None
    return Intent("move", text, target=m["target"].strip(), stage=m["stage"].strip())


def _show(text: str) -> Intent | None:
    if not (m := grammar.SHOW.match(text)):
        return None
    return Intent("show", text, target=m["target"].strip())


def _question(text: str) -> Intent | None:
    """A question nothing else answers: the knowledge base may."""
    return Intent("kb", text, detail=text) if grammar.QUESTION.match(text) else None


# Order matters: the most specific grammar comes first ("show my pipeline" is the pipeline,
# not a deal called "my pipeline"; "move acme close date to friday" edits the close date,
# it does not look for a stage called "friday").
_RECOGNISERS: tuple[Callable[[str], Intent | None], ...] = (
    _help, _followups, _reminders, _mute, _digest, _kb, _report, _pipeline, _lead, _leads,
    _approvals, _delegate, _quote, _create, _note, _log_activity, _log_verb, _lost, _won,
    _edit_field, _edit_terms, _advance, _move, _show, _question,
)
