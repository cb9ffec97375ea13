"""The deal's side of a message: which figures set which fields, what is refused, what a
new deal is called, and which unknown words may name an account to create."""

from __future__ import annotations

import re

from handlers.language.cues import (
    ACTIVITY_KIND,
    CORRECTIONS,
    EDIT_AMOUNT_CUES,
    PROBABILITY_CUES,
)
from handlers.language.facts import CHANCE_WORDS, Amount, Facts
from handlers.language.normalise import Sentence, opens_clause, stands_alone
from handlers.language.plan import Edits
from handlers.language.spotting import Mention
from handlers.language.vocabulary import COMMON


def mentioned_words(mentions: tuple[Mention, ...]) -> set[int]:
    """Word positions that belong to a name (a deal named apart from its account covers
    the words between them, which are the message's own: "krusty krab lunch w/ ken, upsell")."""
    return {i for m in mentions if not m.apart for i in range(m.start, m.end)}


def deal_edits(sentence: Sentence, facts: Facts, mentions: tuple[Mention, ...], *,
               logging: bool, creating: bool) -> Edits:
    """The deal fields the message sets. An amount said in passing while logging ("they
    want 50k of seats") is kept in the note, not written to the deal."""
    amount = change = None
    deal_ends = {m.end for m in mentions if m.kind == "deal"}
    replaced = _replaced_amounts(sentence, facts)
    said = [a for a in facts.amounts
            if a not in replaced and (creating or _corrects(sentence, a) or not logging
                                      or _before_the_activity(sentence, a)
                                      or (a.explicit and a.start in deal_ends)
            or (set(sentence.words[max(0, a.start - 3):a.start]) & EDIT_AMOUNT_CUES
                and a.explicit) or (a.explicit and stands_alone(sentence, a.start, a.end)))
            and (creating or not _in_doubt(sentence, a))]
    if said:
        # "2.1m? no sorry 210k. its 250k now": a correction or "now" picks the later figure
        corrected = CORRECTIONS & set(sentence.words)
        now = [a for a in said if "now" in sentence.words[max(0, a.start - 2):a.end + 1]]
        chosen = now[-1] if now else said[-1] if corrected else said[0]
        amount = chosen.value if not chosen.change else None
        change = chosen.value * chosen.change if chosen.change else None
    close = next((d.close_day for d in facts.days if d.role == "close"), None)
    if close is None and not logging and (facts.amounts or facts.percents or any(
            m.kind == "stage" for m in mentions) or DAY_MOVES & set(sentence.words)):  # "120k,
        # friday", "pushed … to next qtr"), not "verbal yes!! paperwork next week"
        step = (facts.next_step or "").lower()  # ("next step send pricing friday")
        close = next((d.close_day for d in facts.days  # "today" is when it was said
                      if d.role is None and d.phrase.lower() not in step
                      and d.day > facts.occurred_day), None)
    probability = None
    for percent in facts.percents:
        if percent.discount:
            continue
        near = set(sentence.words[max(0, percent.start - 2):percent.end + 2])
        if percent.start and sentence.words[percent.start - 1] == "by" \
                and not near & CHANCE_WORDS:
            continue  # "budget cut by 25%": a change of something, not the deal's chance
        if near & PROBABILITY_CUES or not logging or percent.end == len(sentence.words):
            probability = int(percent.value) if percent.value == int(percent.value) else None
    return Edits(amount=amount, close_date=close, next_step=facts.next_step,
                 probability=probability, amount_change=change)


def said_as_correction(sentence: Sentence) -> bool:
    """"oops meant 57k", "sorry, 38k": a message that takes back the change just made."""
    return bool(CORRECTING & set(sentence.words))


CORRECTING = frozenset({"oops", "meant", "sorry", "typo", "correction", "actually", "wait"})


DAY_MOVES = frozenset({"pushed", "push", "slipped", "slip", "pulled", "pull", "moved",
                       "delayed", "closing", "close", "closes", "land", "landing", "signing"})
"""Words that make a day said with no role the deal's close date."""


def _corrects(sentence: Sentence, amount: Amount) -> bool:
    """"1.2m?? no wait 120k": the figure after a correction word is the one meant."""
    return bool(CORRECTIONS & set(sentence.words[max(0, amount.start - 3):amount.start]))


def _before_the_activity(sentence: Sentence, amount: Amount) -> bool:
    """"platform 200k — call w eva": a figure said in its own clause before the activity
    is the deal's, not a number from the conversation."""
    words = sentence.words
    first = next((at for at, w in enumerate(words) if at >= amount.end
                  and w in ACTIVITY_KIND), None)
    return amount.explicit and first is not None and amount.start <= 3 and not any(
        w in ACTIVITY_KIND or w in HEARD for w in words[:amount.start]) and any(
        opens_clause(sentence, at) for at in range(amount.end, first + 1))


def _in_doubt(sentence: Sentence, amount: Amount) -> bool:
    """"may go to 70k", "might be 80k", "maybe 70k": a figure the rep is not sure of is
    kept in the note, never written as the deal's amount ("may 15" is a day, not doubt)."""
    start = amount.start
    while start > 0 and start > amount.start - 4 and not opens_clause(sentence, start):
        start -= 1
    words = sentence.words
    return any(w in DOUBT and not (w == "may" and words[at + 1][:1].isdigit())
               for at, w in enumerate(words[start:amount.start], start))


DOUBT = frozenset({"may", "might", "maybe", "could", "possibly", "potentially", "perhaps",
                   "probably", "prolly", "hopefully"})
"""Words before a figure, in its clause, that make it a guess rather than the amount."""
HEARD = frozenset({"want", "wants", "wanted", "asked", "asking", "need", "needs", "said",
                   "says", "mentioned", "budget", "offered", "quoted", "they", "she", "he"})
"""Words that make a figure something the customer said, kept in the note."""
ARROWS = frozenset({"->", "→", "=>", "-->", "to"})


def _replaced_amounts(sentence: Sentence, facts: Facts) -> set[Amount]:
    """The old figure of "150k -> 160k", "from 150k to 160k" (the deal's amount before,
    said beside the new one, which is the one to write), and the slip of "65k not 62k"."""
    starts = {a.start: a for a in facts.amounts}
    old = {a for a in facts.amounts if a.end + 1 in starts and sentence.words[a.end] in ARROWS}
    return old | {starts[a.end + 1] for a in facts.amounts  # "65k not 62k": the 62k was
                  if a.end + 1 in starts and sentence.words[a.end] == "not"}  # the slip


def refusals_of(facts: Facts) -> list[str]:
    refusals = []
    if any(a.value < 0 for a in facts.amounts):
        refusals.append("An amount can't be negative.")
    for percent in facts.percents:
        if percent.value < 0 or percent.value > 100:
            what = "A discount" if percent.discount else "A probability"
            refusals.append(f"{what} is between 0 and 100%, not {percent.value}%.")
    return refusals


def new_deal_name(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts) -> str | None:
    """What is left of "new opp for hooli: expansion, 75k, closing end of q1" once the
    cue words, names and figures are taken out: "Expansion". The first run of such words
    is the name; a figure, a day or a name after it ends it ("hooli expansion 75k closing
    end of q1, already in prop" is "Expansion")."""
    used = mentioned_words(mentions) | {i for a in facts.amounts for i in range(a.start, a.end)}
    day_text = set(" ".join(d.phrase for d in facts.days).split())
    words = sentence.words
    named = next((i + 1 for i, w in enumerate(words) if w in ("called", "named")), None)
    if named is not None and named < len(words):  # "… called add-on seats, 12k": as typed
        end = named
        while end < len(words) and end not in used and words[end] not in day_text \
                and (end == named or not opens_clause(sentence, end)):
            end += 1
        typed = sentence.raw[sentence.starts[named]:sentence.ends[end - 1]].strip(" ,.:;")
        if typed:
            return typed[:1].upper() + typed[1:]
    cue = next((i for i, w in enumerate(words) if w in _DEAL_NOUNS), None)
    # "spin up a new deal on wayne for migration": the words after the deal noun first;
    # the ones before it only when none follow ("an expansion deal for hooli")
    name = None
    if cue is not None:
        name = _first_run(sentence, range(cue + 1, len(words)), used, day_text)
    if name is None:
        name = _first_run(sentence, range(cue if cue is not None else len(words)), used,
                          day_text)
    return name[:1].upper() + name[1:] if name else None


def _first_run(sentence: Sentence, positions: range, used: set[int],
               day_text: set[str]) -> str | None:
    """The first run of name-like words at `positions`: a figure, a day, a percentage or a
    known name ends it, and a verb phrase, a date word or an amount is never part of it."""
    kept: list[str] = []
    for at in positions:
        word = sentence.words[at]
        if at > positions.start and set(
                sentence.raw[sentence.ends[at - 1]:sentence.starts[at]]) & _SENTENCE_ENDS:
            break  # "new deal 30k close eoq. jane roe was on the call": the name is before
        if at in used or word in day_text or word.endswith("%") or word in _DATE_WORDS \
                or _FIGURE.fullmatch(word):
            if kept:
                break
            continue
        typed = sentence.raw[sentence.starts[at]:sentence.ends[at]]
        if (word not in _NOT_A_NAME or "-" in typed) and not (kept and "-" in typed
                                                              and kept[-1] == typed):
            kept.append(typed if "-" in typed else word)  # "add-on": two words, one token
    name = " ".join(kept).strip(" ,.:;-")
    return name or None


_DEAL_NOUNS = frozenset({"deal", "opp", "opportunity"})
_SENTENCE_ENDS = frozenset(".;!?")
_FIGURE = re.compile(r"[$€£]\d[\d,.]*(?:k|m|mm|bn)?|\d[\d,.]*(?:k|m|mm|bn)")
"""A figure said as money ("$40", "64k"); a bare number may be part of a name ("seats 2027")."""
_DATE_WORDS = frozenset({
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun",
    "june", "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october",
    "nov", "november", "dec", "december", "q1", "q2", "q3", "q4", "eoq", "eom", "eoy",
    "today", "tomorrow", "tonight", "week", "month", "quarter", "year", "mid", "early",
    "late", "end", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "asap", "soon"})
"""Date words a new deal's name never holds, even when no day was read from them."""


_NOT_A_NAME = frozenset({
    "new", "deal", "create", "add", "open", "for", "with", "at", "on", "a", "an", "the",
    "closing", "close", "closes", "worth", "of", "and", "please", "opened", "by", "expected",
    "stage", "in", "to", "is", "amount", "next", "step", "already", "currently", "now",
    "called", "named", "straight", "it's", "its", "it", "biz", "business", "wants", "want",
    "needs", "looking", "opp", "opportunity", "spin", "spun", "spinning", "up", "start",
    "started", "kick", "off", "set", "make", "put", "get", "log", "got", "lets", "let's",
    "pls", "can", "you", "i", "we", "me", "need", "another", "one", "fresh", "quick"})
"""Words around a new deal's name that are not part of it."""


def unknown_subject(sentence: Sentence, mentions: tuple[Mention, ...], *,
                    at: int | None = None) -> tuple[str, str | None] | None:
    """The subject as typed, to the end of its clause ("Bob Smith at NewCo"), and what the
    message says after it ("wants a demo"): the name-like words no known name covers, or
    the name said from word `at` (an account name two accounts fit: "umbra"); None when
    there is neither."""
    span = _unknown_start(sentence, mentions)
    start = at if at is not None else span[0] if span is not None else None
    if start is None:
        return None
    end = start
    used = mentioned_words(mentions) - {i for m in mentions if m.start == start
                                        for i in range(m.start, m.end)}
    words = sentence.words
    while end < len(words) and end not in used and words[end] not in _CLAUSE_END \
            and (end == start or not opens_clause(sentence, end)):
        end += 1
    raw = sentence.raw
    typed = raw[sentence.starts[start]:sentence.ends[end - 1]].strip(" ,;:.!?")
    rest = raw[sentence.ends[end - 1]:].lstrip(" ,;:.-–—")
    rest = re.sub(r"^(?:about|re:?|regarding)\s+", "", rest, flags=re.I).strip()
    return typed, rest or None


_CLAUSE_END = frozenset({"about", "regarding", "because", "and"})


def _unknown_start(sentence: Sentence, mentions: tuple[Mention, ...]) -> tuple[int, int] | None:
    used = mentioned_words(mentions)
    words = sentence.words
    for at, word in enumerate(words):
        if (word in ("with", "at", "for", "on", "from", "to") or (word in ACTIVITY_KIND
                and word.endswith("ed"))) and at + 1 < len(words) \
                and at + 1 not in used and words[at + 1] not in COMMON:
            end = at + 1
            for follow in range(at + 1, min(len(words), at + 4)):
                said = words[follow]
                if follow in used or said in COMMON or any(c.isdigit() for c in said):
                    break
                end = follow + 1
            if end > at + 1:
                return at + 1, end
    return None


def activity_kind(sentence: Sentence, facts: Facts) -> str:
    """The first activity word's kind, outside the next step (that one is still to do)."""
    for at, word in enumerate(sentence.words):
        if word in ACTIVITY_KIND and at not in facts.step_words:
            return ACTIVITY_KIND[word]
    return "note"


def either_or(sentence: Sentence, facts: Facts) -> str | None:
    """"hooli is 25k… or 35k", "close eoq or maybe next quarter": two figures offered as
    alternatives, which the rep has to settle before either is written."""
    words = sentence.words
    for first, second in zip(facts.amounts, facts.amounts[1:], strict=False):
        if second.start - first.end <= 3 and "or" in words[first.end:second.start]:
            return f"{_typed(sentence, first.start, first.end)} or " \
                   f"{_typed(sentence, second.start, second.end)}"
    for one, other in zip(facts.days, facts.days[1:], strict=False):
        between = sentence.text[one.end:other.start].split()
        if len(between) <= 3 and "or" in between:
            return f"{one.phrase} or {other.phrase}"
    return None


def _typed(sentence: Sentence, start: int, end: int) -> str:
    return sentence.raw[sentence.starts[start]:sentence.ends[end - 1]]
