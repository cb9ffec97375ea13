"""The FTS5 index's vocabulary as knowledge/spelling.py reads it (fts5vocab tables)."""

from __future__ import annotations

import sqlite3

from knowledge.fts.query import quoted
from knowledge.text import stem_word

PREFIX_LIMIT = 100  # words a `prefix*` highlights at most


def _after(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class Vocabulary:
    """Unstemmed words (`words_vocab`: word, articles) and the stems `docs` holds."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._slices: dict[str, list[str]] = {}
        self._frequency: dict[str, int] = {}

    def frequency(self, word: str) -> int:
        if word not in self._frequency:
            row = self._db.execute("SELECT doc FROM words_vocab WHERE term = ?",
                                   (word,)).fetchone()
            self._frequency[word] = int(row[0]) if row else 0
        return self._frequency[word]

    def knows_form(self, word: str) -> bool:
        return self._db.execute("SELECT 1 FROM docs WHERE docs MATCH ? LIMIT 1",
                                (quoted([word]),)).fetchone() is not None

    def starting_with(self, first: str) -> list[str]:
        if first not in self._slices:
            rows = self._db.execute("SELECT term, doc FROM words_vocab WHERE term >= ? "
                                    "AND term < ?", (first, _after(first))).fetchall()
            self._slices[first] = [term for term, _doc in rows]
            self._frequency.update(rows)
        return self._slices[first]

    def stems_with_prefixes(self, prefixes: list[str]) -> set[str]:
        """The words a `prefix*` matched, as snippets compare them (stemmed)."""
        found: set[str] = set()
        for prefix in prefixes:
            rows = self._db.execute("SELECT term FROM docs_vocab WHERE term >= ? AND term < ? "
                                    "LIMIT ?", (prefix, _after(prefix), PREFIX_LIMIT))
            found.update(stem_word(term) for (term,) in rows)
        return found
