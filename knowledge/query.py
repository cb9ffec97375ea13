"""From what a rep typed to a whoosh query, a "did you mean", and the terms a snippet
highlights (handlers/knowledge/ renders snippets for Slack).

- Field filters (`tag:pricing`, `product:"premium support"`, `-tag:legacy`) are taken out
  first and applied as filters, so they always restrict and never just add score.
- The rest is parsed over title, tags and body with an OR group that rewards matching
  more of the words: a question matches on its content words, stop words dropped.
  Phrases (`"exit criteria"`), prefixes (`disc*`), `+must` and `-not` work as usual.
- The query a search runs (`QueryReader.ranked`) adds the other forms of abbreviations
  and synonyms (synonyms.py) and a constant bonus for query words found next to each
  other; the weights were measured on a real handbook (benchmarks/kb_relevance.py).
- Words the index has never seen (or only a page or two has) get a correction from the
  index's own vocabulary (knowledge/spelling.py).
Snippets are made in snippets.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.qparser.plugins import (
    FuzzyTermPlugin,
    PlusMinusPlugin,
    RangePlugin,
    SingleQuotePlugin,
)
from whoosh.searching import Searcher

from knowledge.schema import (
    STEMMED,
    TEXT_FIELDS,
    build_schema,
)
from knowledge.spelling import Corrections
from knowledge.spelling import corrections as _corrections
from knowledge.synonyms import DEFAULT, Synonyms
from knowledge.words import OPERATORS as _OPERATORS
from knowledge.words import filter_text, take_filters
from knowledge.words import query_words as _plain_words

_OPERATOR_WORDS = frozenset(("and", "or", "not", "andnot", "andmaybe"))
# … and what else whoosh's parser reads as syntax: groups, boosts
_SYNTAX = re.compile(r'["*~:()^\[\]{}]|(?:^|\s)[+-]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|TO)\b')

# Measured on the handbook (benchmarks/kb_relevance.py): another form of an abbreviation
# counts a little less than the form typed; two query words next to each other (up to
# PAIR_SLOP words apart) add a bonus, so the page that says "list price" beats the pages
# that say "list" and "price" far apart.
SYNONYM_WEIGHT = 0.8  # "purchase order" searched for "PO"
ABBREVIATION_WEIGHT = 0.5  # "PO" searched for "purchase order": short forms are ambiguous
# Searched in titles and headings too ("Deal Desk FAQs" for "frequently asked questions"):
# tuned on the even-numbered judged queries, it held on the odd ones (MRR .875 -> .892).
ABBREVIATION_FIELDS = ("title", "headings", "body")
# Query-time weights of the fields, on top of the index-time boosts in schema.py (title
# 2 × 0.7: a title word is worth a little more than a body word; headings 1.5 × 0.3).
FIELD_WEIGHTS = {"title": 0.7, "tags": 1.0, "headings": 0.3, "body": 1.0}
PAIR_WEIGHT = 1.0
PAIR_SLOP = 2


@dataclass
class ParsedQuery:
    text: str  # what is left once the filters are taken out
    filters: list[tuple[str, str, bool]] = field(default_factory=list)  # (field, value, negated)
    query: wq.Query | None = None
    words: list[str] = field(default_factory=list)  # plain words, for "did you mean"

    @property
    def is_empty(self) -> bool:
        return self.query is None and not self.filters

    def filter_query(self) -> wq.Query | None:
        terms = [wq.Term(f, v) for f, v, negated in self.filters if not negated]
        return wq.And(terms) if terms else None

    def mask_query(self) -> wq.Query | None:
        terms = [wq.Term(f, v) for f, v, negated in self.filters if negated]
        return wq.Or(terms) if terms else None

    def filter_text(self) -> str:
        return filter_text(self.filters)


class QueryReader:
    """Parses queries for one schema; cheap to share, as it holds no index state."""

    def __init__(self) -> None:
        parser = MultifieldParser(list(TEXT_FIELDS), build_schema(),
                                  fieldboosts=dict(FIELD_WEIGHTS),
                                  group=OrGroup.factory(0.9))
        parser.remove_plugin_class(SingleQuotePlugin)  # "what's" is not a quoted term
        parser.remove_plugin_class(RangePlugin)  # "[a TO b]" is not how reps search
        # `+must -not` only at the start of a word: "in-house" and "follow-up" stay words
        parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?:^|(?<=\s))\+(?=\w)",
                                          minusexpr=r"(?:^|(?<=\s))-(?=\w)"))
        parser.add_plugin(FuzzyTermPlugin())
        self._parser = parser

    def parse(self, text: str) -> ParsedQuery:
        rest, filters = take_filters(text)
        parsed = ParsedQuery(text=rest, filters=filters)
        if rest:
            q = _words_query(rest) if not _SYNTAX.search(rest) else self._parser.parse(rest)
            parsed.query = None if q is None or q is wq.NullQuery or q == wq.NullQuery else q
            parsed.words = [w for w in _plain_words(rest) if w not in _OPERATOR_WORDS]
        return parsed

    def ranked(self, parsed: ParsedQuery, synonyms: Synonyms = DEFAULT) -> wq.Query | None:
        """The query a search runs: the words as parsed, OR the other forms of any
        abbreviation or synonym among them (only for a plain query of words: operators,
        phrases and exclusions are taken as typed), AND MAYBE a bonus for pairs of words
        found next to each other (phrase and proximity: "deal registration")."""
        if parsed.query is None:
            return None
        q = parsed.query
        plain = not _OPERATORS.search(parsed.text)
        if plain and parsed.words:
            forms = synonyms.alternatives(parsed.words)
            extra = []
            for form in forms:
                if len(form) > 1:
                    alternative = self._parse(f'"{" ".join(form)}"')
                    if alternative is not None:
                        extra.append(alternative.with_boost(SYNONYM_WEIGHT))
                else:
                    # a short form at half weight: "TA" is not all "technical advisor" means
                    stems = [t.text for t in STEMMED(form[0])]
                    extra.extend(wq.Term(f, stems[0], boost=ABBREVIATION_WEIGHT)
                                 for f in ABBREVIATION_FIELDS if stems)
            if extra:
                q = wq.Or([q, *extra])
        pairs = list(zip(parsed.words, parsed.words[1:], strict=False)) if plain else []
        phrases = [_pair_query(a, b) for a, b in dict.fromkeys(pairs)]
        # a page has a pair or not: saying it ten times earns no more than saying it once
        bonuses = [wq.ConstantScoreQuery(p, PAIR_WEIGHT) for p in phrases if p is not None]
        if bonuses:
            q = wq.AndMaybe(q, wq.Or(bonuses))
        return q

    def _parse(self, text: str) -> wq.Query | None:
        q = self._parser.parse(text)
        return None if q is wq.NullQuery or q == wq.NullQuery else q

    def parse_fuzzy(self, parsed: ParsedQuery, corrections: Corrections) -> wq.Query | None:
        """The last resort: every word on its own (no phrases, nothing required), unknown
        words replaced by all their near neighbours in the index's vocabulary."""
        words: list[str] = []
        for word in parsed.words:
            words.extend(corrections.near.get(word) or [word])
        if not words:
            return None
        q = self._parser.parse(" ".join(dict.fromkeys(words)))
        return None if q is wq.NullQuery or q == wq.NullQuery else q


def _stems(word: str) -> list[str]:
    return [t.text for t in STEMMED(word)]


def _words_query(text: str) -> wq.Query | None:
    """What the parser makes of plain words (no syntax at all), built directly: each
    word's stems in every text field at the field's weight, one OR. Parsing costs more
    than a small index takes to answer (a third of a search on the handbook)."""
    terms: list[wq.Query] = []
    for word in text.split():
        stems = _stems(word)
        terms.extend(wq.Term(f, stem, boost=FIELD_WEIGHTS[f]) for f in TEXT_FIELDS
                     for stem in stems)
    return wq.Or(terms) if terms else None


def _pair_query(a: str, b: str) -> wq.Query | None:
    """Words A and B within PAIR_SLOP words of each other, in any text field (the query
    `"a b"~PAIR_SLOP` would parse to, without the parser)."""
    stems = _stems(a) + _stems(b)
    if len(stems) < 2:
        return None
    return wq.Or([wq.Phrase(f, stems, slop=PAIR_SLOP, boost=FIELD_WEIGHTS[f])
                  for f in TEXT_FIELDS])


# -- "did you mean" (knowledge/spelling.py) ---------------------------------------------------

class _Vocabulary:
    """The whoosh index's vocabulary as knowledge/spelling.py reads it: the unstemmed
    `words` field, its per-letter slices read once per searcher."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self._reader = searcher.reader()

    def frequency(self, word: str) -> int:
        return int(self._reader.doc_frequency("words", word))

    def knows_form(self, word: str) -> bool:
        stems = _stems(word)
        return bool(stems) and any(self._reader.doc_frequency(f, stems[0]) for f in TEXT_FIELDS)

    def starting_with(self, first: str) -> list[str]:
        cache: dict[str, list[str]] = self._searcher.__dict__.setdefault(
            "_salesbot_vocabulary", {})
        if first not in cache:
            cache[first] = [t.decode("utf-8") if isinstance(t, bytes) else t
                            for t in self._reader.expand_prefix("words", first)]
        return cache[first]


def corrections(searcher: Searcher, parsed: ParsedQuery) -> Corrections:
    return _corrections(_Vocabulary(searcher), parsed.words)


# -- highlighting ----------------------------------------------------------------------------

def highlight_terms(searcher: Searcher, q: wq.Query) -> frozenset[str]:
    """The stemmed forms a snippet should bold: the query's terms, prefixes and fuzzy
    terms expanded to the words the index holds."""
    # Leaf by leaf: `Query.existing_terms` in whoosh-reloaded 2.7.5 reuses its `fieldname`
    # argument as a loop variable, so it drops every field after the first one it sees.
    terms: set[str] = set()
    reader = searcher.reader()
    for leaf in q.leaves():
        for fieldname, value in leaf.expanded_terms(reader, phrases=True):
            text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
            if fieldname in TEXT_FIELDS:
                terms.add(text)
            elif fieldname == "words":
                terms.update(t.text for t in STEMMED(text))
    return frozenset(terms)
