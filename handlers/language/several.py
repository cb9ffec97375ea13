"""One message about several deals: "initech to proposal and hooli to needs analysis",
"logged calls with acme and globex", "vandelay services signed and expansion pushed to feb 15".

The reader's plan is about one subject; a message naming two is split here into parts, one
per subject, each read as its own plan (so each deal gets its own facts), and the parts go
back as one plan the conversation applies whole, in one transaction with one Undo, or asks
about before writing any of it:

- subjects said side by side ("acme and globex", "pilot and new logo both") share what the
  message says: the same call, the same stage, for each;
- subjects in their own clauses (split at "and", "also", "then", or a comma or semicolon
  between them) each get the facts of their clause;
- a new deal and an existing one ("new deal for acme: training 5k, and move the renewal to
  negotiation") are two subjects too: the account the new deal is for is not read as the
  existing deal named after it, so the move goes to the renewal, not to the new deal.

When a clause says nothing that can be applied ("…, she mentioned acme is looking too"), the
message is not split: the one-subject reading stands (and asks which account). Pure Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

from handlers.language.normalise import Sentence, opens_clause
from handlers.language.plan import Plan, Reading
from handlers.language.spotting import Known, Mention, name_words

SIDE_BY_SIDE = frozenset({"and", "both", "the", "plus", "also"})
"""Words that may stand between two subjects said as a list: "acme, globex and the initech"."""
CLAUSE_GLUE = frozenset({"and", "also", "then", "plus", "while"})
"""Words that open the next subject's clause: "initech to proposal and hooli to needs analysis"."""
APPLIES = frozenset({"log", "move", "edit", "multi", "create"})
SUBJECT_ASKS = frozenset({"account", "deal", "subject"})


@dataclass(frozen=True, slots=True)
class _Slot:
    """Where one subject is said: the account, or the deal, at words[start:end]."""

    known: Known
    start: int
    end: int


def subjects(mentions: tuple[Mention, ...], *, creating: bool = False) -> list[_Slot]:
    """Every deal and account named, once each, in the order said; an account whose deal is
    named too is that deal, unless the message creates a deal (`creating`): an account
    said on its own is then the new deal's. None (an empty list) when one of them is named
    twice apart."""
    deals = [m for m in mentions if m.kind == "deal"]
    covered = {m.known.scope for m in deals}

    def part_of_deal(mention: Mention) -> bool:
        if not creating:
            return mention.known.id in covered
        return any(d.known.scope == mention.known.id and not d.apart
                   and d.start <= mention.start and mention.end <= d.end for d in deals)

    named = [m for m in mentions if m.kind == "deal"
             or (m.kind == "account" and not (creating and part_of_deal(m)))]
    slots: dict[tuple[str, int], _Slot] = {}
    places: dict[tuple[str, int], set[int]] = {}
    for mention in named:
        places.setdefault((mention.kind, mention.known.id), set()).add(mention.start)
    for mention in named:
        if mention.kind == "account" and part_of_deal(mention):
            continue
        start = mention.start
        if mention.apart and mention.known.own_name:  # its own words, said after the account
            start = max(mention.start, mention.end - len(name_words(mention.known.own_name)))
        key = (mention.kind, mention.known.id)
        if key not in slots or start < slots[key].start:
            slots[key] = _Slot(mention.known, start, mention.end)
    if any(len(places.get(key, ())) > 1 for key in slots):
        return []  # a name said twice apart: a story about one of them, not a list of changes
    return sorted(slots.values(), key=lambda s: (s.start, s.end))


def split(sentence: Sentence, mentions: tuple[Mention, ...], *,
          creating: bool = False) -> list[tuple[int, int, list[Known]]] | None:
    """The message's parts as (first word, end word, subjects), or None when it names fewer
    than two subjects or the words between two of them do not divide it."""
    slots = subjects(mentions, creating=creating)
    if len(slots) < 2 or any(a.start == b.start for a, b in pairwise(slots)):
        return None  # one subject, or two readings of the same words: the reader asks
    words = sentence.words
    groups: list[tuple[int, int, list[Known]]] = []
    start, members = 0, [slots[0].known]
    for left, right in pairwise(slots):
        between = words[left.end:right.start]
        gap = sentence.raw[sentence.ends[left.end - 1]:sentence.starts[right.start]]
        if all(w in SIDE_BY_SIDE for w in between) and not set(gap) & set(":;.!?()") \
                and not _clause_break(gap, between, members):
            members.append(right.known)
            continue
        cut = next((k for k in range(right.start, left.end - 1, -1)
                    if words[k] in CLAUSE_GLUE or opens_clause(sentence, k)), None)
        if cut is None or cut <= left.start:
            return None
        groups.append((start, cut, members))
        start = cut + 1 if words[cut] in CLAUSE_GLUE else cut
        members = [right.known]
    groups.append((start, len(words), members))
    return groups


def _clause_break(gap: str, between: tuple[str, ...], members: list[Known]) -> bool:
    """", and" after the first subject opens the next one's clause ("logged a call w hooli,
    and initech moved to proposal"); in a list of three ("acme, globex, and initech") it is
    the list's last comma."""
    return len(members) == 1 and "," in gap and bool(set(between) & CLAUSE_GLUE)


def several(sentence: Sentence, mentions: tuple[Mention, ...],
            read: Callable[[str], Reading], *, creating: bool = False) -> Plan | None:
    """The message as one plan of parts, one per subject (see the module docstring); None
    when it is about one subject or a part says nothing that can be applied. `read` reads
    a part's own words (the same names, the same visibility); `creating`: the message
    makes a new deal, which must be one part, named, and the only one made."""
    groups = split(sentence, mentions, creating=creating)
    if groups is None:
        return None
    parts: list[Reading] = []
    for first, end, members in groups:
        if first >= end:
            return None
        if len(groups) == 1:
            text = sentence.raw
        else:
            text = sentence.raw[sentence.starts[first]:sentence.ends[end - 1]]
        reading = read(text)
        plan = reading.plan
        if plan.intent not in APPLIES or (plan.new_deal is not None and (
                not creating or not plan.new_deal.name or len(members) > 1)):
            return None
        for subject in members:
            parts.append(replace(reading, plan=_about(plan, subject, sentence.raw)))
    if creating and sum(p.plan.new_deal is not None for p in parts) != 1:
        return None  # the new deal's terms were not one part of their own: read it whole
    refusals = tuple(dict.fromkeys(r for p in parts for r in p.plan.refusals))
    return Plan("several", parts=tuple(parts), refusals=refusals)


def _about(plan: Plan, subject: Known, body: str) -> Plan:
    """`plan` made about `subject`: its own guess at the subject (and asks about it) set
    aside; the activity keeps the whole message as its body."""
    asks = tuple(a for a in plan.asks if a.what not in SUBJECT_ASKS)
    activity = replace(plan.activity, body=body) if plan.activity is not None else None
    if subject.kind == "deal":
        account = Known("account", subject.scope, "") if subject.scope is not None else None
        return replace(plan, account=account, deal=subject, asks=asks, activity=activity,
                       unknown_name=None)
    return replace(plan, account=subject, deal=None, asks=asks, activity=activity,
                   unknown_name=None)
