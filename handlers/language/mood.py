"""The mood of a message: a question, a "don't", a "might" never becomes a write.

The facts in "did you log my acme call?", "pls don't log this but hooli's CTO is leaving"
and "might move globex to negotiation friday" are the same as in the statements they
resemble, so the plan read from them would log a call, a note and a stage move. A rep who
asks, declines or hedges means none of that: this step, run on the finished plan, turns it
into a question (answered, never written), or a refusal that says what was not done and how
to say it once it is true. Pure Python, like the rest of the language layer.
"""

from __future__ import annotations

from dataclasses import replace

from handlers.language.commands import question
from handlers.language.cues import cue_weight
from handlers.language.normalise import Sentence, opens_clause
from handlers.language.plan import Plan
from handlers.language.spotting import Mention

WRITING = frozenset({"log", "move", "edit", "multi", "create", "snooze", "done", "undo",
                     "quote", "role"})
"""The plans that would write once applied (or once their question is answered)."""

ASKING_FIRST = frozenset({"what", "what's", "whats", "which", "who", "who's", "whos", "why",
                          "how", "how's", "hows", "when", "when's", "whens", "where",
                          "where's", "wheres", "whose"})
"""Words that open a question whatever follows."""
ASKING_WITH_SUBJECT = frozenset({"did", "do", "does", "have", "has", "had", "is", "are",
                                 "was", "were", "am", "should", "can", "could", "will",
                                 "would", "shall"})
"""Words that open a question only before a subject: "did you log…" asks, "did a demo
w/ acme" tells."""
SUBJECTS = frozenset({"i", "you", "u", "we", "they", "he", "she", "it", "there", "anyone",
                      "anybody", "someone", "somebody", "ya"})

NEGATORS = frozenset({"don't", "dont", "dnt", "never", "not", "no", "nope", "do"})
"""Words that, opening a clause, may decline what follows ("do" and "no" only as
"do not …" and "no need to …")."""
LEAD_INS = frozenset({"pls", "please", "plz", "but", "just", "and", "so", "ok", "okay", "k",
                      "actually", "hey", "oh", "btw", "fyi", "also"})
"""Words that may come before a clause-opening "don't": "pls don't log this"."""
NOT_WORTH = (("nothing", "to"), ("not", "worth"), ("isn't", "worth"), ("isnt", "worth"),
             ("no", "point"), ("not", "needed"), ("no", "reason"))
"""Words that decline what follows wherever they are: "nothing to log", "the call itself
isn't worth logging"."""
DECLINED: dict[str, str] = {
    **dict.fromkeys(("log", "logging", "record", "note", "crm", "put", "track", "enter",
                     "write"), "logged it"),
    **dict.fromkeys(("move", "moving", "push"), "moved it"),
    **dict.fromkeys(("change", "update", "touch", "mark", "close", "snooze"), "changed it"),
    **dict.fromkeys(("approve", "reject"), "decided it"),
    "save": "saved it", "add": "added it", "create": "created it", "send": "sent it",
    "undo": "undone anything",
}
"""The verbs a rep declines, each with what the bot then says it has not done."""
DECLINED_FORMS = {"logged": "log", "recording": "record", "saving": "save", "noting": "note",
                  "adding": "add", "moved": "move", "pushing": "push", "changing": "change",
                  "updating": "update", "marking": "mark", "closing": "close",
                  "creating": "create", "entering": "enter", "writing": "write",
                  "tracking": "track"}

HEDGES = frozenset({"might", "maybe", "mayb", "probably", "prolly", "perhaps", "possibly",
                    "hopefully", "planning", "plan", "thinking", "considering", "hoping",
                    "intend", "intending", "gonna", "will", "i'll", "ill", "we'll", "they'll",
                    "going", "about", "tbd"})
"""Words that put what follows in the future or in doubt: "might move globex", "gonna
ping ken", "i'll probably call acme". ("going" and "about" count only before "to".)"""


def with_mood(sentence: Sentence, mentions: tuple[Mention, ...], plan: Plan) -> Plan:
    """`plan`, or the question or refusal the message's mood makes of it."""
    if plan.intent not in WRITING and plan.intent != "unknown":
        return plan
    if (declined := _declined(sentence)) is not None:
        return Plan("declined", refusals=(declined,))
    if plan.intent == "unknown" and any(m.kind in ("account", "deal", "contact")
                                        for m in mentions) \
            and (missed := not_happened(sentence)) is not None:  # "didn't get to talk to eva"
        return Plan("declined", refusals=(missed,))
    if plan.intent == "unknown":  # "planning to email jane": a to-do with no day
        hedge = _hedged_at(sentence)
        return plan if hedge is None else _hedged(sentence, plan, hedge, mentions)
    if asks_back(sentence) and plan.intent != "quote":  # a quote question only shows it
        return Plan("question", account=plan.account, deal=plan.deal,
                    question=question(sentence, mentions))
    if (unsure := _unsure(sentence)) is not None:  # "maybe i should call initech? idk"
        return Plan("declined", refusals=(unsure,))
    if plan.activity is not None and plan.activity.kind != "task" \
            and (missed := not_happened(sentence)) is not None:
        return Plan("declined", refusals=(missed,))
    if plan.intent in ("log", "move", "multi", "edit") \
            and (hedge := _hedged_at(sentence)) is not None:
        hedged = _hedged(sentence, plan, hedge, mentions)
        if hedged is not plan:
            return hedged
    if (doubted := doubt(sentence)) is not None:  # "if globex signs…", "…lol jk"
        return Plan("declined", refusals=(doubted,))
    return plan


def asks_back(sentence: Sentence) -> bool:
    """Whether the message is a question to the bot: a "?" at its end, or a question word
    first ("did you log my acme call", "have i logged the globex mtg yet?")."""
    words = sentence.words
    if sentence.raw.rstrip().endswith("?"):
        return sentence.is_question  # the normaliser's reading: "can you move…?" is a request
    if not words:
        return False
    if words[0] in ASKING_FIRST:
        return len(words) > 1
    return words[0] in ASKING_WITH_SUBJECT and len(words) > 2 and words[1] in SUBJECTS \
        and words[1] not in ("you", "u")  # "will you move acme…": a request


def _declined(sentence: Sentence) -> str | None:
    """What the rep asked the bot not to do ("pls don't log this", "not logging this, just
    fyi", "do not move acme yet"), as the reply that says it was not done; else None."""
    found = declined_at(sentence)
    return found[1] if found is not None else None


def declined_at(sentence: Sentence) -> tuple[int, str] | None:
    """Where the clause declining something starts (its first word, lead-ins included)
    and the reply that says it was not done; None when nothing is declined."""
    words = sentence.words
    for at, word in enumerate(words):
        if word not in NEGATORS:
            continue
        start = at
        while start > 0 and words[start - 1] in LEAD_INS:
            start -= 1
        if not opens_clause(sentence, start):
            continue
        after = at + 1
        if word == "do":
            if words[after:after + 1] != ("not",):
                continue
            after += 1
        elif word == "no":
            if words[after:after + 2] != ("need", "to"):
                continue
            after += 2
        for verb in words[after:after + 3]:
            said = DECLINED_FORMS.get(verb, verb)
            if said in DECLINED:
                return start, f"OK, I haven't {DECLINED[said]}."
    for at in range(len(words)):
        if not any(tuple(words[at:at + len(said)]) == said for said in NOT_WORTH):
            continue
        for verb in words[at + 2:at + 4]:
            said = DECLINED_FORMS.get(verb, verb)
            if said in DECLINED:
                start = at
                while start > 0 and not opens_clause(sentence, start):
                    start -= 1  # "the call itself isn't worth logging": the whole clause
                return start, f"OK, I haven't {DECLINED[said]}."
    if "off" in words and "record" in words:  # "off the record: …"
        at = words.index("off")
        if words[at + 1:at + 3] in (("the", "record"), ("record",)):
            return at, f"OK, I haven't {DECLINED['log']}."
    return None


def _hedged_at(sentence: Sentence) -> int | None:
    """Where a hedge or a future opens the message's main verb ("i'll probably call",
    "might move", "going to email"), or None when it says what happened."""
    words = sentence.words
    for at, word in enumerate(words):
        if word not in HEDGES:
            continue
        if word in ("going", "about") and words[at + 1:at + 2] != ("to",):
            continue
        if word in ("will", "ill") and at > 0 and words[at - 1] not in SUBJECTS:
            continue  # "acme's will" is no hedge; "we will call" is
        if word == "plan" and words[at + 1:at + 2] != ("to",):
            continue  # "the plan is…", "pricing plan"
        return at
    for at, word in enumerate(words[:-1]):
        if (word in ("don't", "dont") and words[at + 1] == "forget") or (
                word in ("remember", "remind") and "to" in words[at + 1:at + 3]):
            return at  # "don't forget to call acme tmrw": a to-do
    return None


def _hedged(sentence: Sentence, plan: Plan, hedge: int,
            mentions: tuple[Mention, ...]) -> Plan:
    """A move or an activity still to happen: never a stage moved or a call logged. A
    follow-up on the day it names is kept (that is a to-do, which is what was said)."""
    near = sentence.words[hedge + 1:hedge + 4]  # "i'll probably call", "might move"
    stage_said = plan.stage is not None and any(cue_weight("move", w) > 0 for w in near)
    acts = [w for w in near if cue_weight("log", w) > 0]
    activity = plan.activity
    if plan.edits and not acts and any(cue_weight("edit", w) > 0 or w in MAY_CHANGE
                                       for w in near):  # "hooli might slip to Q1"
        return replace(Plan("declined"), refusals=(
            "That sounds like it may happen, not that it has; tell me once it's settled.",))
    if not stage_said and not acts:
        return plan  # "they'll expand next year, great call": the hedge is not the verb
    if not stage_said and activity is not None and activity.follow_up is not None:
        return replace(plan, activity=replace(activity, kind="task"))  # a to-do on that day
    subject = plan.deal or plan.account or next(
        (m.known for m in mentions if m.kind in ("deal", "account", "contact")), None)
    if subject is None:
        return plan  # no customer named: not a to-do this can be about
    name = subject.name or "them"
    if stage_said and plan.stage is not None:
        said = (f"Not moved: it sounds like that hasn't happened yet. When it has, say "
                f"`move {name} to {plan.stage.name}`.")
    elif acts:
        said = ("Nothing logged: it sounds like that hasn't happened yet. Tell me once it "
                f"has, or say when to remind you (`{acts[0]} {name.lower()} friday`).")
    else:
        return plan
    return replace(Plan("declined"), refusals=(said,))


MAY_CHANGE = frozenset({"slip", "go", "be", "land", "close", "end", "come", "drop", "grow"})
"""Verbs after a hedge that put a deal's figure or date in doubt ("might slip to Q1")."""
CONDITIONS = frozenset({"if", "once", "unless", "assuming", "provided", "providing",
                        "supposing", "suppose", "whenever", "hypothetically", "iff"})
"""Words that, opening the message or inside its clause, make what is said depend on
something still to happen: "if globex signs this week move them to closed won", "move
globex to won if they sign" (a condition opening a later clause, "call w/ acme, if they
don't answer I'll ping ken", leaves the fact before it alone)."""
WHETHER_BEFORE = frozenset({"asked", "ask", "asking", "wondering", "wonder", "wondered",
                            "see", "check", "checking", "know", "sure", "unsure", "whether"})
"""Words before "if" that make it "whether": "asked if we support sso" is a fact."""
COUNTERFACTUAL = (("would've",), ("would", "have"), ("could've",), ("could", "have"),
                  ("should've",), ("should", "have"), ("wouldve",), ("couldve",))
UNSURE = (("not", "sure"), ("unsure",), ("idk",), ("dunno",), ("no", "idea"),
          ("jk",), ("kidding",), ("joking",), ("j/k",), ("i'd", "love"), ("would", "love"),
          ("wish",), ("someday",), ("one", "day"), ("dream",), ("in", "theory"))
"""Doubt, jokes and wishes: "i'd love to move tyrell to negotiation someday lol"."""
NOT_HAPPENED_BEFORE = frozenset({"didn't", "didnt", "couldn't", "couldnt", "never", "haven't",
                                 "havent", "hasn't", "hasnt", "wasn't", "wasnt", "no"})
"""Words that, just before an activity ("didn't get to talk to eva", "no call with acme"),
say it did not happen."""
MISSED_VERBS = frozenset({"talk", "speak", "meet", "call", "email", "demo", "connect",
                          "reach", "see"})
"""Verbs said in their base form after "didn't get to", "couldn't": the activity missed."""
NOT_HAPPENED_AFTER = (("got", "pushed"), ("was", "pushed"), ("got", "cancelled"),
                      ("got", "canceled"), ("was", "cancelled"), ("was", "canceled"),
                      ("cancelled",), ("canceled",), ("fell", "through"), ("no", "show"),
                      ("no-show",), ("didn't", "happen"), ("didnt", "happen"),
                      ("got", "postponed"), ("postponed",), ("got", "moved"))
"""Words after an activity that say it did not happen: "mtg with oscorp got pushed"."""
SILENCE = frozenset({"heard", "hear"})
"""Activity words that, denied, are news of their own: "haven't heard back in 3 wks"."""


def doubt(sentence: Sentence) -> str | None:
    """The reply when what the message says is not a fact yet: a condition ("if … ",
    "once legal approves, …", "in case umbrella slips, …"), what would have been ("would've
    been nice to close wayne at 250k"), or doubt and jokes ("not sure if acme is at 90k or
    95k", "hooli to negotiation lol jk"); None when the message states a fact."""
    words = sentence.words
    lead = 0
    while lead < len(words) and words[lead] in LEAD_INS:
        lead += 1
    for at, word in enumerate(words):
        opener = (word in CONDITIONS and words[at + 1:at + 2] not in (("again",), ("more",))) \
            or (word == "in" and words[at + 1:at + 2] == ("case",))
        if not opener or (at and words[at - 1] in WHETHER_BEFORE):
            continue
        if at == lead or not opens_clause(sentence, at):  # "if x, …" or "move x if y"
            return "That depends on something that hasn't happened yet; tell me once it has."
    for at in range(len(words)):
        if any(tuple(words[at:at + len(said)]) == said for said in COUNTERFACTUAL):
            return "That sounds like what might have been, not what is."
    return _unsure(sentence)


def _unsure(sentence: Sentence) -> str | None:
    words = sentence.words
    if any(tuple(words[at:at + len(said)]) == said for at in range(len(words))
           for said in UNSURE):
        return "That doesn't sound settled yet; tell me once you know."
    return None


def not_happened(sentence: Sentence) -> str | None:
    """The reply when the activity said did not take place ("didn't get to talk to eva
    at wayne", "mtg with oscorp got pushed, nothing to log"); None when it did. An
    activity that did happen beside it ("couldn't reach ken, left a voicemail") keeps the
    message a fact."""
    words = sentence.words
    acts = [at for at, w in enumerate(words) if cue_weight("log", w) >= 2 or w in MISSED_VERBS]
    missed = [at for at in acts if words[at] not in SILENCE and (
              NOT_HAPPENED_BEFORE - {"no"} & set(words[max(0, at - 4):at])
              or words[at - 1:at] == ("no",)  # "no call with acme"; not "no wait, 120k. call"
              or any(tuple(words[at + 1 + gap:at + 1 + gap + len(said)]) == said
                     for said in NOT_HAPPENED_AFTER for gap in range(4)))]
    if not missed or len(missed) < len(acts):
        return None
    return ("Nothing logged: it sounds like that didn't happen. Tell me once it has, or say "
            "when to remind you (`remind me to call them friday`).")
