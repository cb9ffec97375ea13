"""Titles and slugs as fields of their own: which articles are named for a query, and
how well.

FTS5's bm25 sees one row: a title word's weight is divided by the length of the whole
page, so a long page named for the query ("Joining customer and prospect calls", two
thousand words) ranks below short pages that mention the words in passing, and need not
even be among the candidates knowledge/fts/engine.py re-ranks. Here a name is scored on
its own words: each of the query's concepts it holds counts, divided by the square root
of how many words the name has (a long name matches by accident). A concept is a typed
word, or a synonym group the query names (knowledge/synonyms.py): a title saying
"Professional Services (PS)" holds the concept "professional services" once, not once
for the words and again for the abbreviation.

Tried and left out (MRR@10 on the even-numbered judged queries of
benchmarks/kb_relevance.py): bm25 over the names, with each name word's idf and k1/b
length normalisation, as whoosh's BM25F scores a title field; rare title words then
outweighed the concepts a rep actually asked for (.77 to .91 over the weights tried,
against .92 counting the words).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# A query stem also finds a name word that one of them starts (both at least this long):
# the index's porter stems "planning" to "plan", stem_word to "plann".
PREFIX_MIN = 4


@dataclass(frozen=True)
class Concept:
    """What one typed word, or a synonym group, stands for: WORTH (the typed words it
    covers) and its FORMS, each a tuple of stems; a name holding a form's stems holds that
    share of the concept, the best form counting."""

    worth: float
    forms: tuple[tuple[str, ...], ...]


def concepts(stems: Iterable[str], groups: Sequence[Concept] = ()) -> list[Concept]:
    """GROUPS and one concept for each of STEMS no group covers."""
    covered = {s for group in groups for form in group.forms for s in form}
    return [*groups, *(Concept(1.0, ((s,),)) for s in dict.fromkeys(stems)
                       if s not in covered)]


class NameField:
    """One field (every article's title, or every slug) as sets of word stems."""

    def __init__(self, words: Mapping[int, frozenset[str]]) -> None:
        self.words = words
        self.postings: dict[str, set[int]] = {}
        for article_id, stems in words.items():
            for stem in stems:
                self.postings.setdefault(stem, set()).add(article_id)
        self._sorted = sorted(self.postings)

    def holding(self, stem: str) -> set[int]:
        """The articles whose name holds STEM, or a word it starts or that starts it."""
        found = set(self.postings.get(stem, ()))
        if len(stem) < PREFIX_MIN:
            return found
        at = bisect.bisect_left(self._sorted, stem)
        while at < len(self._sorted) and self._sorted[at].startswith(stem):
            found |= self.postings[self._sorted[at]]
            at += 1
        for n in range(PREFIX_MIN, len(stem)):
            found |= self.postings.get(stem[:n], set())
        return found

    def scores(self, wanted: Sequence[Concept]) -> dict[int, float]:
        """Each article whose name holds some of WANTED: the worth it holds, divided by the
        square root of the name's length."""
        held: dict[int, float] = {}
        for concept in wanted:
            best: dict[int, float] = {}
            for form in concept.forms:
                share: dict[int, float] = {}
                for stem in form:
                    for article_id in self.holding(stem):
                        share[article_id] = share.get(article_id, 0.0) + 1 / len(form)
                for article_id, value in share.items():
                    best[article_id] = max(best.get(article_id, 0.0), value)
            for article_id, value in best.items():
                held[article_id] = held.get(article_id, 0.0) + concept.worth * value
        return {i: v / len(self.words[i]) ** 0.5 for i, v in held.items()}


class Names:
    """The titles and the slugs of one index generation, read once per commit."""

    def __init__(self, names: Mapping[int, tuple[frozenset[str], frozenset[str]]]) -> None:
        self.title = NameField({i: t for i, (t, _s) in names.items()})
        self.slug = NameField({i: s for i, (_t, s) in names.items()})

    def scores(self, wanted: Sequence[Concept], title_weight: float, slug_weight: float
               ) -> dict[int, float]:
        """TITLE_WEIGHT × what the title holds of WANTED + SLUG_WEIGHT × the slug's."""
        out = {i: title_weight * s for i, s in self.title.scores(wanted).items()}
        for i, s in self.slug.scores(wanted).items():
            out[i] = out.get(i, 0.0) + slug_weight * s
        return out
