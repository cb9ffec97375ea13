"""A bare whoosh BM25F index: the floor the knowledge-base benchmarks measure salesbot's
ranking against (benchmarks/kb_relevance.py). Title and body, stemmed, an OR of the words,
whoosh's defaults for everything else. Here because whoosh is only imported in knowledge/.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from whoosh import index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup


class PlainIndex:
    def __init__(self, folder: Path, documents: Iterable[tuple[str, str, str]]) -> None:
        """Index (key, title, body) triples into FOLDER."""
        folder.mkdir(parents=True, exist_ok=True)
        schema = Schema(key=ID(stored=True, unique=True),
                        title=TEXT(analyzer=StemmingAnalyzer()),
                        body=TEXT(analyzer=StemmingAnalyzer()))
        self._index = index.create_in(str(folder), schema)
        writer = self._index.writer(limitmb=256)
        for key, title, body in documents:
            writer.add_document(key=key, title=title, body=body)
        writer.commit()
        self._parser = MultifieldParser(["title", "body"], schema, group=OrGroup)
        self._searcher = self._index.searcher()

    def search(self, text: str, limit: int = 10) -> list[str]:
        """The keys of the top LIMIT documents for TEXT."""
        query = self._parser.parse(text)
        return [hit["key"] for hit in self._searcher.search(query, limit=limit)]

    def close(self) -> None:
        self._searcher.close()
