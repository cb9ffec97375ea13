"""From what a rep typed to FTS5 MATCH expressions, each a part of the score.

The same reading of a query as the whoosh engine's (knowledge/words.py): field filters
taken out first, plain words matched on their content words (stop words dropped,
stemmed by FTS5's porter tokenizer), phrases, `prefix*`, `word~`, `+must`, `-not`,
AND / NOT. FTS5 scores one MATCH expression with one bm25, so a query is several
`Part`s whose scores add up (knowledge/fts/engine.py runs them in one statement):

- the words as typed (they decide what matches, with the synonyms),
- the other forms of abbreviations and synonyms, a little lighter (knowledge/synonyms.py),
- a constant bonus per pair of neighbouring query words found as typed (with the stop
  words between them: "statement of work"), so the page that says "list price" beats
  pages saying "list" and "price" far apart; words that only add score (`+a b`: b) are
  a part of their own too.

The weights were tuned on the even-numbered judged queries of benchmarks/kb_relevance.py.
Tried and left out: each word a part of its own, its bm25 given whoosh's or Lucene's idf
in place of FTS5's (which is nil for a word in half the pages: "customer", "new"); it
lifted a few known-item queries and sank as many questions.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from knowledge.fts.names import Concept, concepts
from knowledge.synonyms import Synonyms
from knowledge.text import STOP, plain_words, stem_word
from knowledge.words import FIELD_PREFIX, OPERATORS, filter_text, query_words, take_filters

# bm25 column weights: title, tags, headings, body. Tuned on the even-numbered judged
# queries of the handbook (MRR@10 even/odd): the whoosh engine's weights (1.4, 2, 0.45, 1)
# gave .849/.792, (8, 3, 3, 1) with the NEAR bonus .888/.853; more title weight, heavier
# synonyms or pairs, a wider NEAR did not help on the even half.
COLUMN_WEIGHTS = (8.0, 3.0, 3.0, 1.0)
SYNONYM_WEIGHT = 0.8  # "purchase order" searched for "PO"
ABBREVIATION_WEIGHT = 0.5  # "PO" searched for "purchase order": short forms are ambiguous
ABBREVIATION_COLUMNS = "{title headings body}"
PAIR_WEIGHT = 1.0  # the two words next to each other, in the order typed
NEAR_WEIGHT = 1.0  # … or within PAIR_SLOP words, in any order
PAIR_SLOP = 2
OPTIONAL_WEIGHT = 1.0

_TOKEN = re.compile(r'(?P<sign>(?:^|(?<=\s))[+-])?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Part:
    """One MATCH expression and what it adds: WEIGHT × its bm25, or WEIGHT itself for
    each match when CONSTANT. Only `matches` parts decide which articles are hits."""

    expression: str
    weight: float = 1.0
    constant: bool = False
    matches: bool = True


@dataclass
class FtsQuery:
    text: str  # what is left once the filters are taken out
    filters: list[tuple[str, str, bool]] = field(default_factory=list)  # (field, value, negated)
    parts: list[Part] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # plain words, for "did you mean"
    highlight: set[str] = field(default_factory=set)  # stems a snippet bolds
    prefixes: list[str] = field(default_factory=list)  # `disc*`: bold the words they find
    fuzzy: list[str] = field(default_factory=list)  # `renwal~`: the engine expands them
    concepts: list[Concept] = field(default_factory=list)  # what a title may be named for

    @property
    def is_empty(self) -> bool:
        return not self.parts and not self.filters

    def filter_text(self) -> str:
        return filter_text(self.filters)


def quoted(words: list[str] | tuple[str, ...]) -> str:
    """An FTS5 phrase of WORDS (a string: no FTS5 syntax inside can take effect)."""
    return '"' + " ".join(words).replace('"', '""') + '"'


def _any(expressions: list[str]) -> str:
    return expressions[0] if len(expressions) == 1 else "(" + " OR ".join(expressions) + ")"


def _stems(words: list[str] | tuple[str, ...]) -> set[str]:
    return {stem_word(w) for w in words}


def parse(text: str, synonyms: Synonyms, fuzzy: dict[str, list[str]] | None = None
          ) -> FtsQuery:
    """The parts of TEXT; FUZZY, when given, replaces `word~` by the word or its
    neighbours in the vocabulary (the engine looks them up)."""
    rest, filters = take_filters(text)
    query = FtsQuery(text=rest, filters=filters)
    if not rest:
        return query
    query.words = [w for w in query_words(rest) if w not in ("and", "or", "not", "andnot")]
    if OPERATORS.search(rest):
        _syntax(query, fuzzy or {})
    else:
        _plain(query, plain_words(rest), synonyms)
    return query


def _plain(query: FtsQuery, words: list[str], synonyms: Synonyms) -> None:
    if not words:
        return
    query.parts.append(Part(_any([quoted([w]) for w in dict.fromkeys(words)])))
    query.highlight |= _stems(words)
    query.concepts = concepts([stem_word(w) for w in words], [
        Concept(float(worth), tuple(tuple(stem_word(w) for w in f) for f in group))
        for worth, group in synonyms.named(words)])
    long_forms: list[str] = []
    short_forms: list[str] = []
    for form in synonyms.alternatives(words):
        (long_forms if len(form) > 1 else short_forms).append(quoted(form))
        query.highlight |= _stems(form)
    if long_forms:
        query.parts.append(Part(_any(long_forms), SYNONYM_WEIGHT))
    if short_forms:
        query.parts.append(Part(f"{ABBREVIATION_COLUMNS} : {_any(short_forms)}",
                                ABBREVIATION_WEIGHT))
    for phrase in dict.fromkeys(_pairs(query.text)):
        query.parts.append(Part(quoted(phrase), PAIR_WEIGHT, constant=True, matches=False))
    for a, b in dict.fromkeys(itertools.pairwise(words)):
        if a != b and NEAR_WEIGHT:
            query.parts.append(Part(f"NEAR({quoted([a])} {quoted([b])}, {PAIR_SLOP})",
                                    NEAR_WEIGHT, constant=True, matches=False))


def _pairs(text: str) -> list[tuple[str, ...]]:
    """Each two neighbouring content words of TEXT with the stop words between them, as
    typed: "statement of work", "pricing objection"."""
    tokens = [w.lower() for w in _WORD.findall(text)]
    content = [n for n, w in enumerate(tokens) if w not in STOP and len(w) > 1]
    return [tuple(tokens[a:b + 1]) for a, b in itertools.pairwise(content)
            if tokens[a] != tokens[b]]


def _syntax(query: FtsQuery, fuzzy: dict[str, list[str]]) -> None:
    """Phrases, patterns and +/-/AND/NOT: required, optional and excluded atoms."""
    required: list[str] = []
    optional: list[str] = []
    excluded: list[str] = []
    pending = ""  # "AND" or "NOT" read before the next atom
    for token in _TOKEN.finditer(FIELD_PREFIX.sub(" ", query.text)):
        word = token["word"]
        if word in ("AND", "OR", "NOT", "ANDNOT"):
            pending = "NOT" if word in ("NOT", "ANDNOT") else word
            if word == "AND" and optional:
                required.append(optional.pop())
            continue
        atom = _atom(query, token["phrase"], word, fuzzy)
        if atom is None:
            continue
        sign = token["sign"] or ""
        if sign == "-" or pending == "NOT":
            excluded.append(atom)
        elif sign == "+" or pending == "AND":
            required.append(atom)
        else:
            optional.append(atom)
        pending = ""
    if required:
        base = " AND ".join(required)
        if optional:
            query.parts.append(Part(_any(optional), OPTIONAL_WEIGHT, matches=False))
    elif optional:
        base = _any(optional)
    else:
        return
    if excluded:
        base = f"({base}) NOT {_any(excluded)}"
    query.parts.insert(0, Part(base))


def _atom(query: FtsQuery, phrase: str | None, word: str | None,
          fuzzy: dict[str, list[str]]) -> str | None:
    if phrase is not None:
        words = [w.lower() for w in _WORD.findall(phrase)]
        query.highlight |= _stems(plain_words(phrase))
        return quoted(words) if words else None
    assert word is not None
    if word.endswith("*"):
        stem = "".join(_WORD.findall(word.lower()))
        if not stem:
            return None
        query.prefixes.append(stem)
        return f"{quoted([stem])} *"
    if "~" in word:
        plain = "".join(_WORD.findall(word.split("~")[0].lower()))
        if not plain:
            return None
        query.fuzzy.append(plain)
        forms = [plain, *fuzzy.get(plain, [])]
        query.highlight |= _stems(forms)
        return _any([quoted([f]) for f in forms])
    words = plain_words(word)
    if not words:
        return None
    query.highlight |= _stems(words)
    return quoted(words)
