"""Free text → what the rep wants, as a small value object.

This only reads the grammar of the sentence ("move X to Y", "logged a call with
X, …"); naming the account, deal or stage is left to the resolver, which knows
the store. Anything not recognised is `unknown`, and the bot says what it can do.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

INTENTS = ("help", "kb", "edit", "followups", "reminders", "mute", "digest", "log", "create",
           "quote", "approvals", "delegate", "pipeline", "forecast", "lead", "leads", "move",
           "advance", "won", "lost", "show", "unknown")

_I = re.IGNORECASE
_END = r"[\s.!?]*$"

_HELP = re.compile(r"^(?:help|\?|what can you do\??|commands?)" + _END, _I)
_FOLLOWUPS = re.compile(
    r"^(?:show\s+)?(?:my\s+)?(?:follow[\s-]?ups?|what'?s\s+due(?:\s+today)?|due\s+today|todo)"
    + _END, _I)

_KIND_WORDS = {
    "call": "call", "phone call": "call", "meeting": "meeting", "demo": "meeting",
    "email": "email", "e-mail": "email", "note": "note", "task": "task",
}
_LOG_ACTIVITY = re.compile(
    r"^(?:i\s+)?(?:just\s+)?(?:logged|loged|logd|log|had|made|did|sent|held)\s+(?:a|an|the)?\s*"
    r"(?P<kind>phone call|call|meeting|demo|e-?mail|note|task)\s+"
    r"(?:with|w/|to|on|for|about|at)\s*(?P<rest>.+)$", _I)
_LOG_VERB = re.compile(
    r"^(?:i\s+)?(?:just\s+)?(?P<verb>called|phoned|rang|emailed|e-mailed|mailed|met with|met|"
    r"spoke (?:with|to)|talked (?:with|to)|caught up with)\s+(?P<rest>.+)$", _I)
_VERB_KIND = {"called": "call", "phoned": "call", "rang": "call", "emailed": "email",
              "e-mailed": "email", "mailed": "email", "met with": "meeting", "met": "meeting",
              "spoke with": "call", "spoke to": "call", "talked with": "call",
              "talked to": "call", "caught up with": "call"}
_NOTE = re.compile(r"^note\s+(?:on|for|about|re:?)\s+(?P<target>[^:]+?)\s*:\s*(?P<detail>.+)$",
                   _I | re.DOTALL)

_MOVE = re.compile(
    r"^(?:please\s+)?(?:move|change|put)\s+(?P<target>.+?)\s+"
    r"(?:to|into|in|at)\s+(?:stage\s+)?(?P<stage>[\w/ &-]+?)" + _END, _I)
_IS_NOW = re.compile(
    r"^(?P<target>.+?)\s+(?:is|are)\s+(?:now\s+)?(?:in|at)\s+(?:stage\s+)?"
    r"(?P<stage>[\w/ &-]+?)" + _END, _I)
_ADVANCE = re.compile(
    r"^(?:please\s+)?(?:advance|bump\s+up|move\s+forward|next\s+stage\s+(?:for|on))\s+"
    r"(?P<target>.+?)" + _END,
    _I)
_WON = re.compile(
    r"^(?:we\s+)?(?:closed[\s-]?won|won|close won|closed)\s+(?:on|for|with|the)?\s*"
    r"(?!(?:a|an|it|that|this)\b)(?P<target>.+?)"
    + _END + r"|^(?P<target2>.+?)\s+(?:is\s+)?closed[\s-]?won" + _END, _I)
_LOST = re.compile(
    r"^(?:we\s+)?(?:lost|closed[\s-]?lost(?:\s+on)?)\s+"
    r"(?!(?:track|touch|contact|sight|time|my|our|it|the\s+plot|interest)\b)"
    r"(?:the\s+)?(?P<target>.+?)"
    r"(?:\s*(?:[,:;]|\s-\s|\s+because\s+|\s+since\s+|\s+as\s+)\s*(?P<reason>.+?))?" + _END, _I)
_SHOW = re.compile(
    r"^(?:what(?:'?s|\s+is)\s+(?:next|up|new|happening)\s+(?:for|with|on)|show(?:\s+me)?|deal|"
    r"status\s+of|"
    r"how'?s|how\s+is|where\s+are\s+we\s+(?:with|on)|look\s+up|open)\s+(?:the\s+)?"
    r"(?P<target>.+?)" + _END, _I)

_CREATE = re.compile(
    r"^(?:please\s+)?(?:new|create|add|open)\s+(?:a\s+|an\s+)?(?:new\s+)?"
    r"(?:deal|opportunity|opp)\s+(?:for|with|on|at)\s+(?P<target>[^:,;]+?)"
    r"(?:\s*[:,;-]\s*(?P<detail>.+?))?" + _END, _I)

_QUOTE = re.compile(r"^(?:new\s+|make\s+a\s+|create\s+a\s+)?quote\s+(?:for\s+)?"
                    r"(?P<target>[^:]+?)\s*(?::\s*(?P<detail>.+?))?" + _END, _I | re.DOTALL)
_APPROVALS = re.compile(r"^(?:my\s+|show\s+(?:my\s+)?)?(?:approvals|approval queue|"
                        r"what (?:do i|needs my) approv\w*)" + _END, _I)
_DELEGATE = re.compile(r"^delegate\s+(?:(?:my\s+)?approvals?\s+)?(?:to\s+)?(?P<target>.+?)"
                       + _END, _I)

_REMINDERS = re.compile(r"^(?:my\s+|show\s+(?:my\s+)?)?(?:reminders|upcoming|what'?s coming)"
                        + _END, _I)
_MUTE = re.compile(r"^(?P<verb>mute|unmute|pause|resume)(?:\s+(?:my\s+)?reminders)?"
                   r"(?:\s+(?:until|till|for)\s+(?P<until>.+?))?" + _END, _I)
_DIGEST = re.compile(r"^(?:(?:send\s+)?(?:my\s+)?(?:daily\s+)?digest|set\s+(?:my\s+)?digest)"
                     r"(?:\s+(?:at|to|hour))?\s+(?P<hour>off|\d{1,2})(?::00)?\s*(?P<ampm>am|pm)?"
                     + _END, _I)

_PIPELINE = re.compile(r"^(?:show\s+(?:me\s+)?)?(?:the\s+|my\s+)?(?P<what>pipeline|forecast)"
                       r"(?:\s+(?P<rest>.+?))?" + _END, _I)
_KB = re.compile(r"^(?:kb|wiki|knowledge(?:\s+base)?|search(?:\s+the)?\s+(?:kb|knowledge base|"
                 r"wiki)(?:\s+for)?|look\s+up\s+in\s+the\s+kb)\s*[:,]?\s+(?P<query>.+)$", _I)
_QUESTION = re.compile(r"^(?:how|what|why|when|where|which|who|can|could|do|does|is|are|"
                       r"should|any)\b.+\?$|.+\?$", _I)
_REPORT = re.compile(r"^(?:please\s+)?(?:post|send|share)\s+.*\bpipeline\b.*\bto\b.+", _I)
_LEAD = re.compile(r"^(?:new|add|got\s+a)\s+lead\s*[:,-]?\s*(?P<detail>.+?)" + _END,
                   _I | re.DOTALL)
_LEADS = re.compile(r"^(?:my\s+|show\s+(?:my\s+)?)?leads" + _END, _I)

# Editing a deal's fields in words (kind says which grammar matched; detail is the rest)
_EDIT_TERMS = re.compile(r"^(?P<target>.+?)\s+(?:is|are)\s+now\s+(?P<rest>.*\d.*?)" + _END, _I)
_EDIT_CLOSE = re.compile(
    r"^(?:push|move|slip|pull|change|set)\s+(?:the\s+)?(?P<target>.+?)(?:'s)?\s+close\s*date\s+"
    r"(?:out\s+)?(?:to|into|until|by)\s+(?P<rest>.+?)" + _END, _I)
_EDIT_NEXT = re.compile(r"^next\s+step\s+(?:on|for)\s+(?P<target>[^:]+?)\s*[:,-]\s*(?P<rest>.+?)"
                        + _END, _I | re.DOTALL)
_EDIT_OWNER = re.compile(
    r"^(?:give|assign|hand(?:\s+over)?|reassign|transfer)\s+(?:the\s+)?(?P<target>.+?)"
    r"(?:\s+(?:deal|opportunity|opp))?\s+to\s+(?P<rest>.+?)" + _END, _I)
_EDIT_PROBABILITY = re.compile(
    r"^(?:set|put|change)\s+(?:the\s+)?(?P<target>.+?)(?:'s)?(?:\s+probability)?\s+(?:to|at)\s+"
    r"(?P<rest>\d{1,3})\s*%" + _END, _I)
_EDIT_AMOUNT = re.compile(
    r"^(?:set|change|update|make)\s+(?:the\s+)?(?P<target>.+?)(?:'s)?\s+(?:amount|value|deal size)"
    r"\s+(?:to|at|=)\s+(?P<rest>.+?)" + _END, _I)
_EDITS = (("close_date", _EDIT_CLOSE), ("next_step", _EDIT_NEXT), ("owner", _EDIT_OWNER),
          ("probability", _EDIT_PROBABILITY), ("amount", _EDIT_AMOUNT))

_SPLIT_DETAIL = re.compile(r"\s*(?:[,:;]|\s-\s|\s+about\s+|\s+re:?\s+|\s+regarding\s+)\s*", _I)


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
    def from_dict(cls, data: dict[str, Any]) -> Intent:
        fields = {"name", "text", "kind", "target", "stage", "detail"}
        return cls(**{k: v for k, v in data.items() if k in fields})


def _split_target(rest: str) -> tuple[str, str | None]:
    """`acme, they want pricing` → (`acme`, `they want pricing`)."""
    parts = _SPLIT_DETAIL.split(rest.strip(), maxsplit=1)
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


def parse(text: str, bot_user_id: str | None = None) -> Intent:
    """Read one message. Order matters: the most specific grammar wins."""
    text = " ".join(strip_mention(text, bot_user_id).split())
    if not text or _HELP.match(text):
        return Intent("help", text)
    if _FOLLOWUPS.match(text):
        return Intent("followups", text)
    if _REMINDERS.match(text):
        return Intent("reminders", text)
    if m := _MUTE.match(text):
        unmute = m["verb"].lower() in ("unmute", "resume")
        return Intent("mute", text, detail=None if unmute else (m["until"] or "tomorrow"))
    if m := _DIGEST.match(text):
        hour = m["hour"].lower()
        if hour != "off" and m["ampm"]:
            hour = str(int(hour) % 12 + (12 if m["ampm"].lower() == "pm" else 0))
        return Intent("digest", text, detail=hour)
    if m := _KB.match(text):
        return Intent("kb", text, detail=m["query"].strip())
    if _REPORT.match(text):  # "post the team pipeline to #sales every monday 8am"
        return Intent("pipeline", text, detail=text)
    if m := _PIPELINE.match(text):
        return Intent(m["what"].lower(), text, detail=(m["rest"] or "").strip() or None)
    if m := _LEAD.match(text):
        return Intent("lead", text, detail=m["detail"].strip())
    if _LEADS.match(text):
        return Intent("leads", text)
    if _APPROVALS.match(text):
        return Intent("approvals", text)
    if m := _DELEGATE.match(text):
        return Intent("delegate", text, target=m["target"].strip())
    if m := _QUOTE.match(text):
        return Intent("quote", text, target=m["target"].strip(),
                      detail=(m["detail"] or "").strip() or None)
    if m := _CREATE.match(text):
        return Intent("create", text, target=m["target"].strip(),
                      detail=(m["detail"] or "").strip() or None)
    if m := _NOTE.match(text):
        return Intent("log", text, kind="note", target=m["target"].strip(),
                      detail=m["detail"].strip())
    if m := _LOG_ACTIVITY.match(text):
        kind = _KIND_WORDS.get(m["kind"].lower().replace("e-mail", "email"), "call")
        target, detail = _split_target(m["rest"])
        return Intent("log", text, kind=kind, target=target, detail=detail)
    if m := _LOG_VERB.match(text):
        target, detail = _split_target(m["rest"])
        return Intent("log", text, kind=_VERB_KIND[m["verb"].lower()], target=target,
                      detail=detail)
    if m := _LOST.match(text):
        return Intent("lost", text, target=m["target"].strip(),
                      detail=(m["reason"] or "").strip() or None)
    if m := _WON.match(text):
        return Intent("won", text, target=(m["target"] or m["target2"]).strip())
    for kind, grammar in _EDITS:
        if m := grammar.match(text):
            return Intent("edit", text, kind=kind, target=m["target"].strip(),
                          detail=m["rest"].strip())
    if (m := _EDIT_TERMS.match(text)) and not _IS_NOW.match(text):
        return Intent("edit", text, kind="terms", target=m["target"].strip(),
                      detail=m["rest"].strip())
    if m := _ADVANCE.match(text):
        return Intent("advance", text, target=m["target"].strip())
    if m := _MOVE.match(text):
        return Intent("move", text, target=m["target"].strip(), stage=m["stage"].strip())
    if m := _IS_NOW.match(text):
        return Intent("move", text, target=m["target"].strip(), stage=m["stage"].strip())
    if m := _SHOW.match(text):
        return Intent("show", text, target=m["target"].strip())
    if _QUESTION.match(text):  # a question nothing else answers: the knowledge base may
        return Intent("kb", text, detail=text)
    return Intent("unknown", text)
