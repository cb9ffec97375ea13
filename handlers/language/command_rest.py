"""A follow-up finished or snoozed, and deal facts said in the same line.

"done w the wayne follow up - close date 12/15", "mark that follow-up done and move hooli
to proposal", "snooze the initech f/u to monday, they pushed close to 1/15": the rep said
two things in one breath, so both are applied or neither. The command is read by the
follow-up reader as before; here the message is cut into clauses (at , ; . : - and at
"and", "then", "also", "plus"), the clauses holding the command's own words are the
command, and what the rep said around them is read again as its own plan. When that plan
writes, the message becomes one "several" plan, the command first, which the conversation
resolves whole (asking before writing anything) and applies in one transaction with one
Undo. A rest that names no deal or account is about the follow-up's account ("- close date
12/15" is Wayne's). A rest that writes nothing ("…, thanks!") leaves the command alone.
Pure Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise

from handlers.language.cues import cue_weight
from handlers.language.facts import Facts
from handlers.language.normalise import Sentence, opens_clause
from handlers.language.plan import Command, Plan, Reading, account_name_of
from handlers.language.several import CLAUSE_GLUE
from handlers.language.spotting import Mention

FOLLOW_UP_WORDS = frozenset({"follow", "up", "task", "reminder", "followups", "todo", "one"})
"""The follow-up's own words ("the wayne follow up", "that task", "the hooli one")."""
WRITES = frozenset({"log", "move", "edit", "multi", "create", "several", "snooze", "done"})
CUE_WORDS = frozenset({"mark", "check", "tick", "cross", "off", "clear", "close", "dismiss",
                       "finish", "complete", "resolve", "push", "move", "bump"})
"""Verbs that, near a follow-up's words, are the command's own ("mark that f/u done")."""


def with_rest(plan: Plan, reading: Reading, read: Callable[[str], Reading]) -> Plan:
    """`plan` (a snooze or done) with the facts said around it, as one "several" plan; or
    `plan` itself when nothing else in the message writes."""
    sentence, mentions, facts = reading.sentence, reading.mentions, reading.facts
    if plan.command is None or len(sentence.words) < 4:
        return plan
    parts_at = clauses(sentence)
    own = [i for i, (start, end) in enumerate(parts_at)
           if any(_commands(sentence, w, plan.command.name) for w in range(start, end))]
    if not own:
        return plan
    first, last = parts_at[own[0]][0], parts_at[own[-1]][1]
    rests = [(start, end) for start, end in parts_at if end <= first or start >= last]
    parts: list[Reading] = []
    for start, end in rests:
        text = said_between(sentence, start, end)
        if not text:
            continue
        if (account := account_name_of(plan)) and not _names_subject(mentions, start, end):
            text = f"{account}: {text}"
        rest = read(text)
        if rest.plan.intent not in WRITES or not (rest.plan.writes or rest.plan.asks
                                                  or rest.plan.refusals):
            continue  # "…, thanks!": nothing there to write
        parts.extend(rest.plan.parts or (rest,))
    if not parts:
        return plan
    command = _own_command(plan, facts, sentence, first, last)
    whole = Reading(sentence, mentions, facts, reading.scores, command)
    refusals = tuple(r for part in parts for r in part.plan.refusals)
    return Plan("several", account=plan.account, parts=(whole, *parts), refusals=refusals)


def clauses(sentence: Sentence) -> list[tuple[int, int]]:
    """Word ranges between clause openings (punctuation before a word, or a glue word)."""
    cuts = [0]
    for at in range(1, len(sentence.words)):
        if opens_clause(sentence, at) or sentence.words[at] in CLAUSE_GLUE:
            cuts.append(at)
    cuts.append(len(sentence.words))
    return [(start, end) for start, end in pairwise(cuts) if end > start]


def _commands(sentence: Sentence, at: int, name: str) -> bool:
    """Whether word `at` is the command's own: the follow-up's noun, a loud cue ("done",
    "snooze"), or a verb with the follow-up after it ("mark that f/u", "close the reminder"),
    not "close" in "close date 12/15"."""
    word = sentence.words[at]
    return word in FOLLOW_UP_WORDS - {"up", "one"} or cue_weight(name, word) >= 3 or (
        word in CUE_WORDS and bool(FOLLOW_UP_WORDS & set(sentence.words[at:at + 5])))


def stands_apart(sentence: Sentence, name: str) -> bool:
    """"done w the acme follow up, emailed them the contract": the command has a clause of
    its own, with the follow-up named and a loud cue, and the activity is said in another;
    so the message is the command and a log, not a log about a follow-up."""
    parts_at = clauses(sentence)
    if len(parts_at) < 2:
        return False
    for start, end in parts_at:
        words = sentence.words[start:end]
        loud = any(cue_weight(name, w) >= 4 for w in words)
        named = bool(set(words) & (FOLLOW_UP_WORDS - {"up", "one"}))
        if loud and named and not any(cue_weight("log", w) >= 2 for w in words):
            return True
    return False


def said_between(sentence: Sentence, start: int, end: int) -> str:
    """The clause as the rep wrote it, without the glue word that opened it."""
    if sentence.words[start] in CLAUSE_GLUE:
        start += 1
    if start >= end:
        return ""
    return sentence.raw[sentence.starts[start]:sentence.ends[end - 1]].strip(" ,;.:-–—")


def _names_subject(mentions: tuple[Mention, ...], start: int, end: int) -> bool:
    return any(m.kind in ("account", "deal") and start <= m.start < end for m in mentions)


def _own_command(plan: Plan, facts: Facts, sentence: Sentence, first: int, last: int) -> Plan:
    """The command with its own day: "snooze the initech f/u to monday, they pushed close
    to 1/15" snoozes to monday, whichever day the message says first."""
    command = plan.command
    if command is None or command.name != "snooze":
        return plan
    lo = len(" ".join(sentence.words[:first]))
    hi = len(" ".join(sentence.words[:last]))
    own = next((d.day for d in facts.days if lo <= d.start <= hi), None)
    if own is None:
        return plan
    return replace(plan, command=Command("snooze", command.target, {"until": own}),
                   asks=tuple(a for a in plan.asks if a.what != "date"))
