"""A new deal and a change to an existing one, said in that order: "umbrella security suite
to closed won; and open a new one for them, Training, 12k, close 1/31".

Read whole, the line is one plan about one subject, so the new deal took the stage of the
deal before it (a new deal created in Closed Won) and the move was lost. Here the clauses
before the one that opens the new deal ("open a new one", "new opp", "opened a … opp") are
read as their own plan, and the new deal's clause to the end of the message as another;
the new deal's part, if it names no account, is about the account said before it ("for
them"). When the earlier clauses write nothing the reading stands as it was. The parts go
back as one "several" plan, applied whole or asked about first. Pure Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from handlers.language.command_rest import clauses, said_between
from handlers.language.normalise import Sentence
from handlers.language.plan import Plan, Reading, account_name_of

OPENS = frozenset({"new", "open", "opened", "create", "created", "add", "added", "spun",
                   "spin", "another"})
"""Words that start the clause of a new deal."""
_THEM = re.compile(r"\b(?:for|with|on)\s+(?:them|em|'em|it|they)\b", re.IGNORECASE)
WRITES = frozenset({"log", "move", "edit", "multi", "several"})


def with_earlier_facts(plan: Plan, reading: Reading, read: Callable[[str], Reading]) -> Plan:
    """`plan` (creating a deal), split from the facts said before its clause, or itself."""
    sentence = reading.sentence
    if plan.new_deal is None:
        return plan
    cut = _new_deal_clause(sentence)
    if cut is None or cut == 0:
        return plan
    before = said_between(sentence, 0, cut)
    earlier = read(before) if before else None
    if earlier is None or earlier.plan.intent not in WRITES or earlier.plan.new_deal:
        return plan
    rest = said_between(sentence, cut, len(sentence.words))
    account = account_name_of(earlier.plan.parts[0].plan if earlier.plan.parts else earlier.plan)
    if account and not any(m.kind == "account" and m.start >= cut for m in reading.mentions):
        rest = f"{_THEM.sub(' ', rest).strip(' ,')}, for {account}"  # "…for them" is theirs
    creating = read(rest)
    if creating.plan.new_deal is None:
        return plan
    parts = (*(earlier.plan.parts or (earlier,)), creating)
    refusals = tuple(r for part in parts for r in part.plan.refusals)
    return Plan("several", account=plan.account, parts=parts, refusals=refusals,
                new_deal=creating.plan.new_deal)


def _new_deal_clause(sentence: Sentence) -> int | None:
    """Where the clause that opens the new deal starts, or None."""
    for start, end in clauses(sentence):
        words = sentence.words[start:end]
        if any(w in OPENS for w in words) and ("deal" in words or "one" in words):
            return start
    return None
