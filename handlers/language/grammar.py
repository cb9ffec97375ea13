"""The sentence shapes `intents.parse` recognises, one compiled pattern per shape.

Kept apart from the recognisers so the patterns can be read in one place; which shape wins
when several fit is decided by the order in `intents._RECOGNISERS`, not here.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE
_END = r"[\s.!?]*$"

HELP = re.compile(r"^(?:help|\?|what can you do\??|commands?)" + _END, _I)
FOLLOWUPS = re.compile(
    r"^(?:show\s+)?(?:my\s+)?(?:follow[\s-]?ups?|what'?s\s+due(?:\s+today)?|due\s+today|todo)"
    + _END, _I)

KIND_WORDS = {
    "call": "call", "phone call": "call", "meeting": "meeting", "demo": "meeting",
    "email": "email", "e-mail": "email", "note": "note", "task": "task",
}
LOG_ACTIVITY = re.compile(
    r"^(?:i\s+)?(?:just\s+)?(?:logged|loged|logd|log|had|made|did|sent|held)\s+(?:a|an|the)?\s*"
    r"(?P<kind>phone call|call|meeting|demo|e-?mail|note|task)\s+"
    r"(?:with|w/|to|on|for|about|at)\s*(?P<rest>.+)$", _I)
LOG_VERB = re.compile(
    r"^(?:i\s+)?(?:just\s+)?(?P<verb>called|phoned|rang|emailed|e-mailed|mailed|met with|met|"
    r"spoke (?:with|to)|talked (?:with|to)|caught up with)\s+(?P<rest>.+)$", _I)
VERB_KIND = {"called": "call", "phoned": "call", "rang": "call", "emailed": "email",
             "e-mailed": "email", "mailed": "email", "met with": "meeting", "met": "meeting",
             "spoke with": "call", "spoke to": "call", "talked with": "call",
             "talked to": "call", "caught up with": "call"}
NOTE = re.compile(r"^note\s+(?:on|for|about|re:?)\s+(?P<target>[^:]+?)\s*:\s*(?P<detail>.+)$",
                  _I | re.DOTALL)

MOVE = re.compile(
    r"^(?:please\s+)?(?:move|change|put)\s+(?P<target>.+?)\s+"
    r"(?:to|into|in|at)\s+(?:stage\s+)?(?P<stage>[\w/ &-]+?)" + _END, _I)
IS_NOW = re.compile(
    r"^(?P<target>.+?)\s+(?:is|are)\s+(?:now\s+)?(?:in|at)\s+(?:stage\s+)?"
    r"(?P<stage>[\w/ &-]+?)" + _END, _I)
ADVANCE = re.compile(
    r"^(?:please\s+)?(?:advance|bump\s+up|move\s+forward|next\s+stage\s+(?:for|on))\s+"
    r"(?P<target>.+?)" + _END,
    _I)
WON = re.compile(
    r"^(?:we\s+)?(?:closed[\s-]?won|won|close won|closed)\s+(?:on|for|with|the)?\s*"
    r"(?!(?:a|an|it|that|this)\b)(?P<target>.+?)"
    + _END + r"|^(?P<target2>.+?)\s+(?:is\s+)?closed[\s-]?won" + _END, _I)
LOST = re.compile(
    r"^(?:we\s+)?(?:lost|closed[\s-]?lost(?:\s+on)?)\s+"
    r"(?!(?:track|touch|contact|sight|time|my|our|it|the\s+plot|interest)\b)"
    r"(?:the\s+)?(?P<target>.+?)"
    r"(?:\s*(?:[,:;]|\s-\s|\s+because\s+|\s+since\s+|\s+as\s+)\s*(?P<reason>.+?))?" + _END, _I)
SHOW = re.compile(
    r"^(?:what(?:'?s|\s+is)\s+(?:next|up|new|happening)\s+(?:for|with|on)|show(?:\s+me)?|deal|"
    r"status\s+of|"
    r"how'?s|how\s+is|where\s+are\s+we\s+(?:with|on)|look\s+up|open)\s+(?:the\s+)?"
    r"(?P<target>.+?)" + _END, _I)

CREATE = re.compile(
    r"^(?:please\s+)?(?:new|create|add|open)\s+(?:a\s+|an\s+)?(?:new\s+)?"
    r"(?:deal|opportunity|opp)\s+(?:for|with|on|at)\s+(?P<target>[^:,;]+?)"
    r"(?:\s*[:,;-]\s*(?P<detail>.+?))?" + _END, _I)

QUOTE = re.compile(r"^(?:new\s+|make\s+a\s+|create\s+a\s+)?quote\s+(?:for\s+)?"
                   r"(?P<target>[^:]+?)\s*(?::\s*(?P<detail>.+?))?" + _END, _I | re.DOTALL)
APPROVALS = re.compile(r"^(?:my\s+|show\s+(?:my\s+)?)?(?:approvals|approval queue|"
                       r"what (?:do i|needs my) approv\w*)" + _END, _I)
DELEGATE = re.compile(r"^delegate\s+(?:(?:my\s+)?approvals?\s+)?(?:to\s+)?(?P<target>.+?)"
                      + _END, _I)

REMINDERS = re.compile(r"^(?:my\s+|show\s+(?:my\s+)?)?(?:reminders|upcoming|what'?s coming)"
                       + _END, _I)
MUTE = re.compile(r"^(?P<verb>mute|unmute|pause|resume)(?:\s+(?:my\s+)?reminders)?"
                  r"(?:\s+(?:until|till|for)\s+(?P<until>.+?))?" + _END, _I)
DIGEST = re.compile(r"^(?:(?:send\s+)?(?:my\s+)?(?:daily\s+)?digest|set\s+(?:my\s+)?digest)"
                    r"(?:\s+(?:at|to|hour))?\s+(?P<hour>off|\d{1,2})(?::00)?\s*(?P<ampm>am|pm)?"
                    + _END, _I)

PIPELINE = re.compile(r"^(?:show\s+(?:me\s+)?)?(?:the\s+|my\s+)?(?P<what>pipeline|forecast)"
                      r"(?:\s+(?P<rest>.+?))?" + _END, _I)
KB = re.compile(r"^(?:kb|wiki|knowledge(?:\s+base)?|search(?:\s+the)?\s+(?:kb|knowledge base|"
                r"wiki)(?:\s+for)?|look\s+up\s+in\s+the\s+kb)\s*[:,]?\s+(?P<query>.+)$", _I)
QUESTION = re.compile(r"^(?:how|what|why|when|where|which|who|can|could|do|does|is|are|"
                      r"should|any)\b.+\?$|.+\?$", _I)
REPORT = re.compile(r"^(?:please\s+)?(?:post|send|share)\s+.*\bpipeline\b.*\bto\b.+", _I)
LEAD = re.compile(r"^(?:new|add|got\s+a)\s+lead\s*[:,-]?\s*(?P<detail>.+?)" + _END,
                  _I | re.DOTALL)
LEADS = re.compile(r"^(?:my\s+|show\s+(?:my\s+)?)?leads" + _END, _I)

# Editing a deal's fields in words (kind says which grammar matched; detail is the rest)
EDIT_TERMS = re.compile(r"^(?P<target>.+?)\s+(?:is|are)\s+now\s+(?P<rest>.*\d.*?)" + _END, _I)
EDIT_CLOSE = re.compile(
    r"^(?:push|move|slip|pull|change|set)\s+(?:the\s+)?(?P<target>.+?)(?:'s)?\s+close\s*date\s+"
    r"(?:out\s+)?(?:to|into|until|by)\s+(?P<rest>.+?)" + _END, _I)
EDIT_NEXT = re.compile(r"^next\s+step\s+(?:on|for)\s+(?P<target>[^:]+?)\s*[:,-]\s*(?P<rest>.+?)"
                       + _END, _I | re.DOTALL)
EDIT_OWNER = re.compile(
    r"^(?:give|assign|hand(?:\s+over)?|reassign|transfer)\s+(?:the\s+)?(?P<target>.+?)"
    r"(?:\s+(?:deal|opportunity|opp))?\s+to\s+(?P<rest>.+?)" + _END, _I)
EDIT_PROBABILITY = re.compile(
    r"^(?:set|put|change)\s+(?:the\s+)?(?P<target>.+?)(?:'s)?(?:\s+probability)?\s+(?:to|at)\s+"
    r"(?P<rest>\d{1,3})\s*%" + _END, _I)
EDIT_AMOUNT = re.compile(
    r"^(?:set|change|update|make)\s+(?:the\s+)?(?P<target>.+?)(?:'s)?\s+(?:amount|value|deal size)"
    r"\s+(?:to|at|=)\s+(?P<rest>.+?)" + _END, _I)
EDITS = (("close_date", EDIT_CLOSE), ("next_step", EDIT_NEXT), ("owner", EDIT_OWNER),
         ("probability", EDIT_PROBABILITY), ("amount", EDIT_AMOUNT))

SPLIT_DETAIL = re.compile(r"\s*(?:[,:;]|\s-\s|\s+about\s+|\s+re:?\s+|\s+regarding\s+)\s*", _I)
