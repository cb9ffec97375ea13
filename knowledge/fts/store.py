"""One generation's SQLite file: its tables, opening it with a health check, writing it.

    articles   id, slug, title, tags and product as shown, the body's opening (to tell
               near-duplicates apart without reading whole bodies), fingerprint, versions
    docs       FTS5 (porter): title, tags, headings, body, weighed by bm25 column weights
    spelling   FTS5 (unstemmed, no positions): the vocabulary "did you mean" draws from,
               read through fts5vocab (words_vocab: each word and its article count)
    keywords   (kind, token, id): `tag:` and `product:` filters, exact tokens

The file is written in rollback-journal mode, so its size tells a file cut short; a
generation is built once in one transaction and only small batches are written after.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.engine import DUPLICATE_PREFIX
from knowledge.storage import IndexBusy, IndexUnusable
from knowledge.text import document, keyword_tokens

if TYPE_CHECKING:
    from store.services.knowledge.articles import ArticleView

FILE = "index.sqlite"
FORMAT = 2  # PRAGMA user_version; bump when the tables or tokenizers change
BUSY_SECONDS = 5.0
OPENING = DUPLICATE_PREFIX  # characters of the body kept in `articles`

TABLES = """
CREATE TABLE articles(id INTEGER PRIMARY KEY, slug TEXT NOT NULL, title TEXT NOT NULL,
    tag_list TEXT NOT NULL, product_name TEXT NOT NULL, opening TEXT NOT NULL, fingerprint TEXT,
    updated TEXT NOT NULL, read_at TEXT NOT NULL);
CREATE VIRTUAL TABLE docs USING fts5(title, tags, headings, body,
    tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE spelling USING fts5(words, tokenize='unicode61 remove_diacritics 0',
    detail=none);
CREATE VIRTUAL TABLE words_vocab USING fts5vocab(spelling, row);
CREATE VIRTUAL TABLE docs_vocab USING fts5vocab(docs, row);
CREATE TABLE keywords(kind TEXT NOT NULL, token TEXT NOT NULL, id INTEGER NOT NULL,
    PRIMARY KEY (kind, token, id)) WITHOUT ROWID;
CREATE INDEX keywords_by_id ON keywords(id);
"""


def connect(generation: Path, *, create: bool = False) -> sqlite3.Connection:
    """A connection to GENERATION's file (which must exist unless CREATE), health-checked."""
    path = generation / FILE
    if not create and not path.is_file():
        raise IndexUnusable(f"{generation.name} holds no FTS5 index")
    try:
        db = sqlite3.connect(f"file:{path}?mode={'rwc' if create else 'rw'}", uri=True,
                             timeout=BUSY_SECONDS, isolation_level=None,
                             check_same_thread=False)
    except sqlite3.Error as exc:
        raise IndexUnusable(f"{generation.name} cannot be opened: {exc!r}") from exc
    if not create:
        try:
            check(db, path)
        except IndexUnusable:
            db.close()
            raise
    return db


def check(db: sqlite3.Connection, path: Path) -> None:
    """Cheap signs of damage: another format, a file shorter than its pages, unreadable
    tables (the ends of their b-trees)."""
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != FORMAT:
            raise IndexUnusable(f"{path.parent.name}: index format {version}, need {FORMAT}")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        if path.stat().st_size < pages * size:
            raise IndexUnusable(f"{path.parent.name}: the index file was cut short")
        db.execute("SELECT max(id), count(*) FROM articles").fetchone()
        db.execute("SELECT max(rowid) FROM docs_data").fetchone()
        db.execute("SELECT max(rowid) FROM spelling_data").fetchone()
        db.execute("SELECT max(id) FROM keywords").fetchone()
    except sqlite3.OperationalError as exc:
        if busy(exc):
            raise IndexBusy(f"{path.parent.name} is busy: {exc}") from exc
        raise IndexUnusable(f"{path.parent.name} cannot be read: {exc!r}") from exc
    except (sqlite3.Error, OSError) as exc:
        raise IndexUnusable(f"{path.parent.name} cannot be read: {exc!r}") from exc


def busy(exc: sqlite3.OperationalError) -> bool:
    """A writer held the file longer than BUSY_SECONDS: not damage, nothing to rebuild."""
    return "locked" in str(exc) or "busy" in str(exc)


def _rows(article: ArticleView, read_at: datetime) -> tuple[tuple[object, ...], ...]:
    doc = document(article, read_at)
    keywords = [("tag", t) for t in keyword_tokens(article.tags)] + [
        ("product", t) for t in keyword_tokens([article.product] if article.product else [])]
    return (
        (article.id, doc["slug"], doc["title"], doc["tag_list"], doc["product_name"],
         doc["body"][:OPENING], doc["fingerprint"], doc["updated"], doc["read_at"]),
        (article.id, doc["title"], doc["tags"], doc["headings"], doc["body"]),
        (article.id, doc["words"]),
        *((kind, token, article.id) for kind, token in keywords),
    )


def _insert(db: sqlite3.Connection, article: ArticleView, read_at: datetime) -> None:
    meta, text, words, *keywords = _rows(article, read_at)
    db.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", meta)
    db.execute("INSERT INTO docs(rowid, title, tags, headings, body) VALUES (?, ?, ?, ?, ?)",
               text)
    db.execute("INSERT INTO spelling(rowid, words) VALUES (?, ?)", words)
    db.executemany("INSERT INTO keywords VALUES (?, ?, ?)", keywords)


def _delete(db: sqlite3.Connection, article_id: int) -> None:
    for table, key in (("articles", "id"), ("docs", "rowid"), ("spelling", "rowid"),
                       ("keywords", "id")):
        db.execute(f"DELETE FROM {table} WHERE {key} = ?", (article_id,))


def create(generation: Path, batches: Iterable[Sequence[ArticleView]],
           read_at: datetime) -> tuple[int, int]:
    """Build the generation's file in one transaction; returns the count and id sum."""
    db = connect(generation, create=True)
    try:
        db.execute("PRAGMA journal_mode=OFF")  # a new file nobody reads: a crash discards it
        db.execute("BEGIN")
        for statement in TABLES.split(";"):
            if statement.strip():
                db.execute(statement)
        count = id_sum = 0
        for batch in batches:
            for article in batch:
                _insert(db, article, read_at)
                id_sum += article.id
            count += len(batch)
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        db.execute("INSERT INTO spelling(spelling) VALUES ('optimize')")
        db.execute(f"PRAGMA user_version = {FORMAT}")
        db.execute("COMMIT")
    finally:
        db.close()
    return count, id_sum


def write(generation: Path, upserts: Sequence[ArticleView], deletes: Sequence[int],
          read_at: datetime) -> int:
    """One transaction for the batch."""
    if not upserts and not deletes:
        return 0
    db = connect(generation)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            for article_id in deletes:
                _delete(db, article_id)
            for article in upserts:
                _delete(db, article.id)
                _insert(db, article, read_at)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    finally:
        db.close()
    return len(upserts) + len(deletes)
