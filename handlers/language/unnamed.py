"""A later clause that moves something the store has no name for: "log mtg w maria at stark
+ move zorblax expansion to negotiation".

Read whole, the line is about Stark, so Stark's deal took the move meant for "zorblax
expansion", a write nobody asked for. A clause of its own (after , ; + & "and" "then"
"also") that opens with a move verb names what it moves before "to"; when a word of it is
no name the rep may see, no pronoun ("it", "them", "the deal") and no everyday word, the
words are returned so the conversation can say it found no such account or deal and write
nothing. A name the
rep may not see reads the same way (the caller passes only the mentions the rep may see),
so the reply tells nothing about accounts out of sight. Pure Python.
"""

from __future__ import annotations

from handlers.language.normalise import Sentence, opens_clause
from handlers.language.several import CLAUSE_GLUE
from handlers.language.spotting import Mention, name_words
from handlers.language.vocabulary import COMMON

MOVES = frozenset({"move", "moved", "moving", "push", "pushed", "bump", "bumped", "advance",
                   "advanced", "mark", "set"})
PRONOUNS = frozenset({"it", "them", "that", "this", "the", "deal", "one", "its", "their",
                      "theirs", "opp", "both", "all", "em", "him", "her", "our", "my", "a",
                      "an", "amount", "value", "price", "probability", "prob", "odds",
                      "next", "step", "stage", "close", "closing", "date", "deadline",
                      "budget", "discount", "owner", "sync", "check", "in", "follow", "up",
                      "task", "reminder", "call", "meeting", "mtg", "demo", "kickoff",
                      "us", "everything", "rest", "timeline", "start", "go", "live"})
"""What a clause may move that is no account or deal: the one said before, a field, a
meeting ("push our sync to thursday")."""


def unnamed_moved(sentence: Sentence, mentions: tuple[Mention, ...]) -> str | None:
    """The words a later clause moves that name nothing the rep may see, as typed; or None."""
    words = sentence.words
    named = {i for m in mentions for i in _said(m)}
    for at in range(1, len(words) - 2):
        if words[at] not in MOVES or not _opens(sentence, at):
            continue
        try:
            to = words.index("to", at + 1)
        except ValueError:
            continue
        span = range(at + 1, to)
        if not [i for i in span if i not in named and words[i] not in PRONOUNS
                and words[i] not in COMMON]:
            continue  # "… and move the renewal to proposal": the deal said before
        return sentence.raw[sentence.starts[span.start]:sentence.ends[span.stop - 1]]
    return None


def _said(mention: Mention) -> range:
    """The words that say the name: for a deal named apart ("globex … expansion"), only its
    own words at the end, not what lies between."""
    if mention.apart and mention.known.own_name:
        return range(max(mention.start, mention.end - len(name_words(mention.known.own_name))),
                     mention.end)
    return range(mention.start, mention.end)


def _opens(sentence: Sentence, at: int) -> bool:
    between = sentence.raw[sentence.ends[at - 1]:sentence.starts[at]]
    return opens_clause(sentence, at) or bool(set(between) & set("+&")) \
        or sentence.words[at - 1] in CLAUSE_GLUE
