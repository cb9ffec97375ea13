"""The words that say what a message is for: the evidence `understanding` weighs.

Kept apart from the reading so the vocabulary can be read (and extended) in one place;
each table says what its words are evidence of. Stage, account and people names are not
here: they come from the store (`stage_words`, `spotting`).
"""

from __future__ import annotations

from collections.abc import Mapping

from handlers.language.spotting import Known
from handlers.language.wordforms import one_edit

# -- the evidence table: intent → cue word → weight ----------------------------------------
CUES: Mapping[str, Mapping[str, float]] = {
    "log": {
        "call": 2, "called": 3, "calling": 1, "phoned": 3, "rang": 3, "dialed": 2,
        "meeting": 2, "met": 3, "meet": 1, "demo": 2, "demoed": 3, "presented": 2,
        "email": 2, "emailed": 3, "mailed": 2, "sent": 1, "lunch": 2, "dinner": 2,
        "coffee": 2, "drinks": 2, "zoom": 2, "teams": 1, "webex": 2, "spoke": 3, "talked": 3,
        "chatted": 3, "chat": 1, "caught": 2, "discussed": 2, "voicemail": 3, "left": 1,
        "note": 2, "noted": 2, "fyi": 3, "heads": 1, "visited": 2, "onsite": 2, "logged": 3,
        "log": 2, "pinged": 2, "texted": 2, "messaged": 2, "walked": 1, "had": 1, "did": 1,
        "intro": 1, "phone": 2, "video": 1, "kickoff": 2, "qbr": 2, "workshop": 2,
        "conversation": 2, "heard": 2, "calls": 2, "calld": 3, "cald": 3, "caled": 3,
        "emaild": 3, "emaled": 3, "meetings": 2,
        "said": 1, "says": 1, "told": 2, "wants": 1, "asked": 1, "feedback": 1,
    },
    "move": {
        "move": 3, "moved": 3, "moving": 3, "advance": 3, "advanced": 3, "advnce": 3,
        "progressed": 2, "stage": 2,
    },
    "edit": {
        "now": 1, "amount": 2, "value": 1, "worth": 2, "size": 1, "budget": 1, "increased": 2,
        "decreased": 2, "reduced": 2, "revised": 2, "updated": 1, "update": 1, "change": 1,
        "changed": 1, "set": 1, "pushed": 2, "push": 2, "slipped": 2, "slip": 2, "pulled": 2,
        "closing": 1, "close": 1, "probability": 3, "chance": 2, "odds": 2, "likely": 1,
    },
    "create": {"new": 2, "create": 3, "add": 1, "open": 1, "opened": 1, "deal": 1},
    "undo": {"undo": 6, "revert": 5, "undid": 5, "scratch": 2, "oops": 2},
    "snooze": {"snooze": 6, "snoozed": 6, "postpone": 4, "defer": 4, "later": 1, "push": 1},
    "done": {"done": 5, "finished": 4, "completed": 4, "complete": 3, "handled": 3,
             "sorted": 2, "closed": 1},
    "role": {"promote": 3, "demote": 3, "role": 3, "make": 1, "give": 1},
    "lead": {"lead": 5, "leads": 4, "prospect": 1, "inbound": 2},
    "help": {"help": 5, "commands": 4, "how": 0, "hello": 1, "hi": 1},
    "hello": {"hi": 4, "hello": 4, "hey": 4, "morning": 3, "yo": 3, "hiya": 4, "howdy": 4,
              "gm": 4},
    "thanks": {"thanks": 4, "thank": 4, "cheers": 2, "cool": 1, "nice": 1, "great": 1,
               "awesome": 1, "ok": 1, "okay": 1, "lol": 2, "ugh": 1, "meh": 1, "haha": 2,
               "yay": 2, "sweet": 1, "perfect": 1, "np": 2, "kk": 2, "wow": 1, "good": 1,
               "weekend": 2, "bye": 3, "night": 1, "ttyl": 3, "cya": 3, "later": 1,
               "happy": 1},
    "mute": {"mute": 6, "unmute": 6, "silence": 4, "pause": 2, "resume": 2, "reminders": 1,
             "notifications": 1, "pings": 1},
    "digest": {"digest": 6, "daily": 1},
    "kb": {"kb": 6, "wiki": 6, "knowledge": 4, "base": 1, "search": 1},
    "delegate": {"delegate": 6, "delegating": 6, "stand": 1, "standin": 3},
    "owner": {"assign": 3, "assigned": 3, "reassign": 4, "reassigned": 4, "transfer": 3,
              "transferred": 3, "hand": 2, "handed": 2, "give": 2, "gave": 2, "owner": 3,
              "ownership": 3},
}
"""The words that speak for each intent, and how loudly. The help text and the README's
"What you can say" are built from `CAPABILITIES`, beside this table."""

ROLE_WORDS = {"manager": "manager", "admin": "admin", "administrator": "admin", "rep": "rep",
              "finance": "finance", "approver": "finance", "director": "director"}
QUOTE_ACTIONS = {"approve": "approve", "approved": "approve", "ok": "approve", "lgtm": "approve",
                 "approving": "approve", "rejecting": "reject", "declining": "reject",
                 "reject": "reject", "rejected": "reject", "decline": "reject",
                 "declined": "reject", "deny": "reject", "sent": "sent", "send": "sent",
                 "revise": "revise", "revised": "revise", "rework": "revise", "rev": "revise",
                 "nope": "reject", "pdf": "show",
                 "show": "show", "status": "show"}
QUESTION_KINDS: Mapping[str, tuple[str, ...]] = {
    "forecast": ("forecast", "commit", "projection", "projected"),
    "quota": ("quota", "attainment", "target", "hit", "number"),
    "stuck": ("stuck", "stale", "quiet", "stalled", "idle", "neglected", "untouched"),
    "slipped": ("slipped", "slip", "slipping", "pushed", "moved"),
    "closing": ("closing", "closes", "close", "landing", "due", "closed", "won"),
    "renewal": ("renew", "renews", "renewal", "renewals", "expire", "expires", "expiring",
                "contract"),
    "followups": ("follow", "todo", "tasks", "due", "overdue", "reminders"),
    "pipeline": ("pipeline", "pipe", "deals", "summary", "looking", "numbers"),
    "health": ("doing", "going", "status", "health", "update", "latest", "where"),
}
FUTURE = frozenset({"set", "schedule", "scheduled", "book", "booked", "need", "needs",
                    "gotta", "going", "gonna", "will", "plan", "planning", "should", "must",
                    "todo", "want", "wanna", "try", "let's", "lets", "remind", "remember"})
"""Words that put an activity in the future ("set up a call", "need to email"): it is a
task to do, not one that happened."""
CORRECTIONS = frozenset({"sorry", "actually", "correction", "oops", "rather", "meant",
                         "mean", "typo", "wait", "scratch"})
"""Words that take back a figure said just before ("2.1m, sorry, 210k", "1.2m?? no wait
120k")."""
UNDO_PHRASES = frozenset({"scratch that", "take that back", "undo that", "revert that",
                          "never mind that", "undo last", "undo the last one", "undo please"})
"""Whole messages that mean "undo" without the word alone."""
ADVANCE_CUES = frozenset({"advance", "advanced", "advnce", "progressed", "forward"})
"""Move words that mean "the next stage" when no stage is named."""
REPORT_WORDS = frozenset({"pipeline", "forecast", "quota", "stuck", "stale", "stalled",
                          "slipped", "attainment", "summary", "overdue", "idle", "neglected",
                          "renewals", "deals"})
"""Words that ask for a report even without a question mark ("stale deals", "my deals
closing in jan")."""
RESCHEDULE_WORDS = frozenset({"push", "pushed", "move", "moved", "bump", "bumped",
                              "reschedule", "rescheduled", "postpone", "delay", "defer",
                              "snooze", "shift", "later", "instead"})
"""Words that give an existing follow-up a new day."""
BASE_VERBS = frozenset({"call", "email", "ping", "text", "meet", "demo", "message", "send"})
"""Activity words that, said as an order with a day ahead, are a task: "call them tmrw"."""
PAST_MARKERS = frozenset({"a", "an", "the", "had", "did", "made", "logged", "log", "our",
                          "my", "good", "great", "quick", "long", "short", "first"})
"""Words before an activity word that make it one that happened: "had a call"."""
NOT_A_LOSS = frozenset({"track", "touch", "contact", "sight", "time", "interest", "my",
                        "our", "the", "it", "him", "her", "them", "power", "signal", "connection"})
"""Words after "lost" that make it everyday English ("lost track of acme"), not a lost deal."""
TO_WORDS = frozenset({"to", "into", "in", "at", "stage", "moving", "move", "moved",
                       "advance", "advanced", "now", "onto"})
NOT_BEFORE_STAGE = frozenset({"the", "a", "an", "our", "their", "my", "sent", "send", "draft",
                               "drafted", "revised", "new"})
PROBABILITY_CUES = frozenset({"probability", "prob", "chance", "odds", "likely", "confidence",
                               "confident", "at", "to", "%"})
EDIT_AMOUNT_CUES = frozenset({"now", "to", "at", "is", "worth", "amount", "value", "size",
                               "for", "of", "around", "about", "up", "down", "revised",
                               "increased", "reduced", "bumped", "budget"})
SENT_THINGS = frozenset({"proposal", "contract", "msa", "sow", "nda", "deck", "pricing",
                         "redlines", "agreement", "order", "form", "case", "study",
                         "info", "details", "recap", "summary", "slides", "invoice", "terms",
                         "dpa", "questionnaire", "docs", "paperwork", "link", "po", "roi"})
"""What a rep sends a customer: "sent proposal", "sent them the msa" is an email that went out,
the same as "emailed" (a quote number sent is the quote command's, read before this)."""
ACTIVITY_KIND = {
    "call": "call", "called": "call", "calling": "call", "phoned": "call", "rang": "call",
    "dialed": "call", "phone": "call", "spoke": "call", "talked": "call", "chatted": "call",
    "caught": "call", "calls": "call", "calld": "call", "cald": "call", "caled": "call",
    "voicemail": "call", "meeting": "meeting", "met": "meeting", "meet": "meeting",
    "demo": "meeting", "demoed": "meeting", "presented": "meeting", "lunch": "meeting",
    "dinner": "meeting", "coffee": "meeting", "drinks": "meeting", "zoom": "meeting",
    "webex": "meeting", "onsite": "meeting", "visited": "meeting", "workshop": "meeting",
    "kickoff": "meeting", "qbr": "meeting", "video": "meeting",
    "email": "email", "emailed": "email", "emaild": "email", "emaled": "email",
    "meetings": "meeting", "mtgd": "meeting",
    "mailed": "email", "sent": "email", "send": "email", "texted": "email", "messaged": "email",
    "pinged": "email", "note": "note", "noted": "note", "fyi": "note",
}


LISTS: Mapping[str, frozenset[str]] = {
    "followups": frozenset({"follow", "ups", "followups", "todo", "todos", "tasks", "due",
                            "overdue", "plate", "agenda"}),
    "reminders": frozenset({"reminders", "upcoming", "coming"}),
    "leads": frozenset({"leads"}),
    "approvals": frozenset({"approvals", "approval", "queue", "approve"}),
}
"""A list asked for by its name ("my follow-ups", "approvals", "what's coming up")."""
LIST_FILLER = frozenset({"my", "show", "me", "the", "all", "what's", "whats", "what", "is",
                         "are", "do", "i", "have", "any", "list", "pending", "open", "today",
                         "please", "up", "needs", "need", "to", "for", "see", "get", "can",
                         "you", "mine", "that", "s", "there", "waiting", "on", "of", "this",
                         "week", "now", "from", "new", "recent", "latest", "last",
                         "morning", "hi", "hey", "hello", "gm", "ok", "so", "next"})
"""Words around a list's name that say nothing else."""
HELP_PHRASES = frozenset({"what can you do", "what do you do", "how does this work",
                          "what do you understand", "commands", "menu", "options"})
"""Whole messages that ask what the bot can do."""

NEXT_STAGE = Known("stage", 0, "next stage")
"""The stage a deal moves to when the rep says "advance" and names none."""


def cue_weight(intent: str, word: str) -> float:
    """How loudly `word` speaks for `intent`; a word one slip from a long cue counts less."""
    cues = CUES[intent]
    if word in cues:
        return cues[word]
    if len(word) >= 5:  # "mvoe", "advnce": one slip from a cue still counts, for less
        for cue, weight in cues.items():
            if len(cue) >= 4 and abs(len(cue) - len(word)) <= 1 and one_edit(word, cue):
                return weight * 0.7
    return 0.0
