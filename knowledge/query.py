"""From what a rep typed to a whoosh query, a "did you mean", and a highlighted snippet.

- Field filters (`tag:pricing`, `product:"premium support"`, `-tag:legacy`) are taken out
  first and applied as filters, so they always restrict and never just add score.
- The rest is parsed over title, tags and body with an OR group that rewards matching
  more of the words: a question matches on its content words, stop words dropped.
  Phrases (`"exit criteria"`), prefixes (`disc*`), `+must` and `-not` work as usual.
- Words the index has never seen get a correction from the index's own vocabulary,
  closest first, then most common.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.highlight import BasicFragmentScorer, ContextFragmenter, Formatter, highlight
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.qparser.plugins import (
    FuzzyTermPlugin,
    PlusMinusPlugin,
    RangePlugin,
    SingleQuotePlugin,
)
from whoosh.searching import Searcher

from knowledge.schema import (
    FILTER_FIELDS,
    PLAIN,
    STEMMED,
    TEXT_FIELDS,
    build_schema,
    normalize_filter_value,
)

_FILTER = re.compile(
    r'(?<!\S)(?P<neg>-)?(?P<field>tags?|product):(?:"(?P<quoted>[^"]*)"?|(?P<bare>[^\s"]+))',
    re.IGNORECASE,
)
_FIELD_PREFIX = re.compile(r"\b\w+:")
_QUESTION = re.compile(r"[?¿!]")
_OPERATOR_WORDS = frozenset(("and", "or", "not", "andnot", "andmaybe"))


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
        parts = []
        for fieldname, value, negated in self.filters:
            shown = f'"{value}"' if " " in value else value
            parts.append(f"{'-' if negated else ''}{fieldname}:{shown}")
        return " ".join(parts)


class QueryReader:
    """Parses queries for one schema; cheap to share, as it holds no index state."""

    def __init__(self) -> None:
        parser = MultifieldParser(list(TEXT_FIELDS), build_schema(),
                                  group=OrGroup.factory(0.9))
        parser.remove_plugin_class(SingleQuotePlugin)  # "what's" is not a quoted term
        parser.remove_plugin_class(RangePlugin)  # "[a TO b]" is not how reps search
        # `+must -not` only at the start of a word: "in-house" and "follow-up" stay words
        parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?:^|(?<=\s))\+(?=\w)",
                                          minusexpr=r"(?:^|(?<=\s))-(?=\w)"))
        parser.add_plugin(FuzzyTermPlugin())
        self._parser = parser

    def parse(self, text: str) -> ParsedQuery:
        filters: list[tuple[str, str, bool]] = []

        def take(match: re.Match[str]) -> str:
            value = match["quoted"] if match["quoted"] is not None else match["bare"]
            value = normalize_filter_value(value or "")
            if value:
                filters.append((FILTER_FIELDS[match["field"].lower()], value, bool(match["neg"])))
            return " "

        rest = _FILTER.sub(take, text)
        rest = " ".join(_QUESTION.sub(" ", rest).split())
        parsed = ParsedQuery(text=rest, filters=filters)
        if rest:
            q = self._parser.parse(rest)
            parsed.query = None if q is wq.NullQuery or q == wq.NullQuery else q
            parsed.words = [w for w in _plain_words(rest) if w not in _OPERATOR_WORDS]
        return parsed

    def parse_fuzzy(self, parsed: ParsedQuery) -> wq.Query | None:
        """Every word as a fuzzy term over the unstemmed vocabulary (1 edit, 2 for long words)."""
        terms = [wq.FuzzyTerm("words", w, maxdist=2 if len(w) >= 7 else 1, prefixlength=1)
                 for w in parsed.words if len(w) >= 3]
        return wq.Or(terms) if terms else None


def _plain_words(text: str) -> list[str]:
    cleaned = _FIELD_PREFIX.sub(" ", text)
    words = []
    for raw in cleaned.split():
        if raw.endswith(("*", "~")) or "*" in raw or "?" in raw:
            continue
        words.extend(t.text for t in PLAIN(raw))
    return words


# -- "did you mean" -------------------------------------------------------------------------

def _correction(searcher: Searcher, word: str) -> str | None:
    if len(word) < 3 or word.isdigit():
        return None
    reader = searcher.reader()
    if reader.doc_frequency("words", word):
        return None
    for maxdist in (1, 2):
        if maxdist == 2 and len(word) < 5:
            break
        candidates = [c for c in reader.terms_within("words", word, maxdist, prefix=1)
                      if c != word]
        if candidates:
            return min(candidates, key=lambda c: (-reader.doc_frequency("words", c), c))
    return None


def suggest(searcher: Searcher, parsed: ParsedQuery) -> str | None:
    """The query with unknown words replaced by the closest known ones, or None."""
    replacements = {}
    for word in dict.fromkeys(parsed.words):
        better = _correction(searcher, word)
        if better:
            replacements[word] = better
    if not replacements:
        return None
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in replacements) + r")\b",
                         re.IGNORECASE)
    text = pattern.sub(lambda m: replacements[m.group(1).lower()], parsed.text)
    return " ".join(p for p in (text, parsed.filter_text()) if p)


# -- snippets --------------------------------------------------------------------------------

def escape(text: str) -> str:
    """Slack's three control characters, so article text can never ping or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackBold(Formatter):
    """Highlights as `*word*`, escaping every piece of article text before marking it."""

    between = " … "

    def _text(self, text: str) -> str:
        return escape(text)

    def format_token(self, text, token, replace=False):  # type: ignore[no-untyped-def]
        return f"*{escape(text[token.startchar:token.endchar])}*"


_FRAGMENTER = ContextFragmenter(maxchars=220, surround=60)
_FORMATTER = SlackBold()
LEAD_CHARS = 200


def highlight_terms(searcher: Searcher, q: wq.Query) -> frozenset[str]:
    """The stemmed forms a snippet should bold: the query's terms, prefixes and fuzzy
    terms expanded to the words the index holds."""
    terms: set[str] = set()
    for fieldname, btext in q.existing_terms(searcher.reader(), phrases=True, expand=True):
        text = btext.decode("utf-8") if isinstance(btext, bytes) else str(btext)
        if fieldname in TEXT_FIELDS:
            terms.add(text)
        elif fieldname == "words":
            terms.update(t.text for t in STEMMED(text))
    return frozenset(terms)


def lead(text: str, limit: int = LEAD_CHARS) -> str:
    if len(text) <= limit:
        return escape(text)
    cut = text[:limit].rsplit(" ", 1)[0]
    return escape(cut) + " …"


def snippet(body: str, terms: frozenset[str]) -> str:
    """Up to two highlighted fragments of the body, or its opening when no word matches."""
    if terms:
        text = highlight(body, terms, STEMMED, _FRAGMENTER, _FORMATTER, top=2,
                         scorer=BasicFragmentScorer())
        if text:
            return text
    return lead(body)
