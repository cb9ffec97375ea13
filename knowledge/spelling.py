""""Did you mean": corrections of a query's words from an index's own vocabulary, for
either engine (each hands over its vocabulary through `Vocabulary`).

Words the index has never seen (or only a page or two has) get a correction from the
unstemmed vocabulary, closest first, then most common: rapidfuzz, optimal string
alignment (a swap of two letters is one edit), one edit first, then two for longer
words; the first letter is taken as typed. A word that only a page or two use
("questionaire") is corrected too, to a neighbour one edit away that is far more common.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

MAX_NEIGHBOURS = 3
RARE = 2  # a word in at most this many articles may be a typo the articles share
RARE_RATIO = 20  # … when a neighbour is in this many times more articles


class Vocabulary(Protocol):
    def frequency(self, word: str) -> int:
        """In how many articles the (unstemmed) WORD is."""

    def knows_form(self, word: str) -> bool:
        """Whether another form of WORD (its stem) is indexed: "objection" when only
        "objections" is."""

    def starting_with(self, first: str) -> list[str]:
        """The vocabulary's words that start with FIRST (one letter)."""


@dataclass
class Corrections:
    """Unknown words of a query and their nearest known words, closest and commonest first."""

    near: dict[str, list[str]] = field(default_factory=dict)

    def suggestion_for(self, text: str, filter_text: str) -> str | None:
        """The query as typed with each unknown word replaced by its best neighbour."""
        best = {word: words[0] for word, words in self.near.items() if words}
        if not best:
            return None
        pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in best) + r")\b",
                             re.IGNORECASE)
        fixed = pattern.sub(lambda m: best[m.group(1).lower()], text)
        return " ".join(p for p in (fixed, filter_text) if p)


def neighbours(vocabulary: Vocabulary, word: str) -> list[str] | None:
    """None for a known word (or one too short to correct), else its nearest known words."""
    if len(word) < 3 or word.isdigit():
        return None
    frequency = vocabulary.frequency(word)
    if frequency > RARE:
        return None
    if not frequency and vocabulary.knows_form(word):
        return None
    # imported only for a word to correct: a search of known words needs no rapidfuzz
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    candidates = vocabulary.starting_with(word[0])
    for maxdist in (1, 2):
        if maxdist == 2 and (len(word) < 5 or frequency):
            break  # a known word gets a one-edit neighbour only
        found = {c for c, _d, _i in process.extract(word, candidates, scorer=OSA.distance,
                                                    score_cutoff=maxdist, limit=None)
                 if c != word}
        if frequency:
            found = {c for c in found if vocabulary.frequency(c) >= RARE_RATIO * frequency
                     and len(c) >= 3}
        if found:
            ranked = sorted(found, key=lambda c: (-vocabulary.frequency(c), c))
            return ranked[:MAX_NEIGHBOURS]
    return [] if not frequency else None


def corrections(vocabulary: Vocabulary, words: list[str]) -> Corrections:
    near: dict[str, list[str]] = {}
    for word in dict.fromkeys(words):
        found = neighbours(vocabulary, word)
        if found is not None:
            near[word] = found
    return Corrections(near)
