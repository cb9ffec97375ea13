"""How both engines read what a rep typed, before either builds its own query: field
filters taken out (`tag:pricing`, `product:"premium support"`, `-tag:legacy`), question
marks dropped, and the plain words "did you mean" corrects. No whoosh here: the FTS5
engine (knowledge/fts/query.py) reads queries with it, as the whoosh one does
(knowledge/query.py).
"""

from __future__ import annotations

import re

from knowledge.text import FILTER_FIELDS, normalize_filter_value, plain_words

_FILTER = re.compile(
    r'(?<!\S)(?P<neg>-)?(?P<field>tags?|product):(?:"(?P<quoted>[^"]*)"?|(?P<bare>[^\s"]+))',
    re.IGNORECASE,
)
FIELD_PREFIX = re.compile(r"\b\w+:")
_QUESTION = re.compile(r"[?¿!]")
# anything but plain words: quotes, +must, -not, patterns, fields, AND/OR/NOT
OPERATORS = re.compile(r'["*~:]|(?:^|\s)[+-]\w|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b')


def take_filters(text: str) -> tuple[str, list[tuple[str, str, bool]]]:
    """TEXT without its field filters, question marks and extra spaces; and the filters,
    as (field, value, negated). Both engines read queries this way."""
    filters: list[tuple[str, str, bool]] = []

    def take(match: re.Match[str]) -> str:
        value = match["quoted"] if match["quoted"] is not None else match["bare"]
        value = normalize_filter_value(value or "")
        if value:
            filters.append((FILTER_FIELDS[match["field"].lower()], value, bool(match["neg"])))
        return " "

    rest = _FILTER.sub(take, text)
    return " ".join(_QUESTION.sub(" ", rest).split()), filters


def filter_text(filters: list[tuple[str, str, bool]]) -> str:
    """The filters as a rep would type them, for a suggestion to keep them."""
    parts = []
    for fieldname, value, negated in filters:
        shown = f'"{value}"' if " " in value else value
        parts.append(f"{'-' if negated else ''}{fieldname}:{shown}")
    return " ".join(parts)


def query_words(text: str) -> list[str]:
    """The plain words of TEXT (filters already taken out), those "did you mean" may
    correct: not excluded words (`-word`) nor patterns (`disc*`, `renwal~`)."""
    cleaned = FIELD_PREFIX.sub(" ", text)
    words: list[str] = []
    for raw in cleaned.split():
        if raw.startswith("-") or "*" in raw or "~" in raw:
            continue  # excluded words and patterns are not corrected
        words.extend(plain_words(raw))
    return words
