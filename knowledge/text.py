"""What goes into the index and what a query's words are, the same for both engines and
without whoosh (the FTS5 engine imports only this; knowledge/schema.py adds whoosh's
analyzers and fields on top of it).

English text is stemmed (Porter) with a stop list that also drops the words people wrap
questions in ("how do I …"), so a question finds what its nouns and verbs name. A
separate unstemmed `words` text is the index's own vocabulary: "did you mean" and the
fuzzy fallback draw from it, so suggestions are real words from the articles, never stems.

The stemmer is whoosh's Porter function (`whoosh.lang.porter`, a module of its own that
imports nothing else of whoosh): both engines, the title re-rank and the snippets must
stem exactly alike, and the porter tokenizer of FTS5 stems some words differently.
"""

from __future__ import annotations

import functools
import hashlib
import re
from datetime import datetime
from typing import TYPE_CHECKING

from whoosh.lang.porter import stem as porter_stem

from knowledge.markdown import HEADING, STAR_EMPHASIS

if TYPE_CHECKING:
    from store.services.knowledge.articles import ArticleView

# Bump when the schema or analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 3

# The English stop words whoosh's analyzers drop (whoosh.analysis.STOP_WORDS; a test
# keeps the two lists equal, so both engines drop the same words).
ENGLISH_STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "have", "if",
    "in", "is", "it", "may", "not", "of", "on", "or", "tbd", "that", "the", "this", "to",
    "us", "we", "when", "will", "with", "yet", "you", "your",
))

QUESTION_WORDS = frozenset((
    "about", "am", "any", "been", "being", "could", "did", "do", "does", "doing", "done",
    "had", "has", "having", "how", "i", "im", "into", "its", "me", "my", "our", "ours",
    "please", "should", "so", "some", "than", "their", "them", "then", "there", "they",
    "was", "were", "what", "whats", "where", "which", "who", "whom", "why", "would",
))
STOP = ENGLISH_STOP_WORDS | QUESTION_WORDS


@functools.lru_cache(maxsize=100_000)
def stem_word(word: str) -> str:
    """Porter stems, cached. whoosh's own stem cache is not thread-safe (its eviction
    iterates a dict other threads write), and indexing and searching share analyzers."""
    return porter_stem(word)


# A word as whoosh's RegexTokenizer reads it by default (a test keeps them equal).
TOKEN = re.compile(r"[\w\*]+(\.?[\w\*]+)*")


def plain_words(text: str, stoplist: frozenset[str] = STOP) -> list[str]:
    """TEXT's words, lowercased, without stop words and one-letter words: what whoosh's
    `RegexTokenizer() | LowercaseFilter() | StopFilter(STOP, minsize=2)` yields."""
    return [w for w in (m.group(0).lower() for m in TOKEN.finditer(text))
            if len(w) >= 2 and w not in stoplist]


def vocabulary_text(*texts: str) -> str:
    """Each distinct word of TEXTS once, lowercased, for the `words` field: the vocabulary
    is read by document frequency only, so a page's repeats would be analysed and
    written for nothing (a third of the build on real-size pages)."""
    return " ".join(dict.fromkeys(m.group(0).lower() for text in texts
                                  for m in TOKEN.finditer(text)))


FILTER_FIELDS = {"tag": "tag", "tags": "tag", "product": "product"}

_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(r"^\s*([-*_=|:]\s*){3,}$")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+)>")
_EMPHASIS = re.compile(r"(\*\*|__|~~|`)")
_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_SPACES = re.compile(r"\s+")


# `\-`, `\*`, `\_`…: a markdown escape means the character itself
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
_HELD = {c: chr(0xE000 + n) for n, c in enumerate("\\`*_{}[]()#+-.!|~<>")}
_RELEASED = str.maketrans({v: k for k, v in _HELD.items()})


def _inline(line: str) -> str:
    # escaped characters are held out of the way of the marks below, then put back as text
    line = _ESCAPED.sub(lambda m: _HELD[m.group(1)], line)
    line = line.strip().strip("|").replace("|", " · ")
    line = _IMAGE_OR_LINK.sub(r"\1", line)
    line = _AUTOLINK.sub(r"\1", line)
    line = _EMPHASIS.sub("", line)
    line = STAR_EMPHASIS.sub(r"\1", line)
    line = _UNDERSCORE.sub(r"\1", line)
    return _SPACES.sub(" ", line).strip().translate(_RELEASED)


_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*:?\s*$")


def headings(markdown: str) -> str:
    """The page's headings (and lines that are all bold, as pages exported from documents
    mark them), one a line, marks removed."""
    found = []
    for raw in markdown.splitlines():
        heading = HEADING.match(raw) or _BOLD_LINE.match(raw)
        if heading:
            found.append(_inline(heading.group(1)))
    return "\n".join(found)


def plain_text(markdown: str) -> str:
    """Markdown read aloud: the words without the marks, on one line.

    Lines of a paragraph join with a space; headings, list items and table rows are
    separated by " · " unless they end a sentence. Emphasis marks are removed and markdown
    escapes (`\\-`) read as the character; a literal `*` or `_` stays, and each renderer
    shows it as text (handlers/knowledge/snippets.py for Slack).
    """
    units: list[str] = []
    joinable = False  # may the next plain line continue the last unit?
    for raw in markdown.splitlines():
        if not raw.strip() or _FENCE.match(raw) or _RULE.match(raw):
            joinable = False
            continue
        heading = HEADING.match(raw)
        starts_unit = bool(heading or _BULLET.match(raw) or raw.lstrip().startswith("|"))
        line = heading.group(1) if heading else _BULLET.sub("", _QUOTE.sub("", raw))
        line = _inline(line)
        if not line:
            continue
        if joinable and not starts_unit:
            units[-1] = f"{units[-1]} {line}"
        else:
            units.append(line)
        joinable = not heading and not raw.lstrip().startswith("|")
    text = ""
    for unit in units:
        if text:
            text += " " if text.endswith((".", "!", "?", ":", ";", ",")) else " · "
        text += unit
    return text


def keyword_tokens(values: list[str]) -> list[str]:
    """Each tag (or product) as a whole and word by word: `tag:objection` finds
    `objection-handling`, `product:support` finds Premium Support."""
    tokens: list[str] = []
    for value in values:
        whole = "-".join(value.lower().replace(",", " ").split())
        for token in (whole, *whole.split("-")):
            if token and token not in tokens:
                tokens.append(token)
    return tokens


def normalize_filter_value(value: str) -> str:
    return "-".join(value.lower().replace(",", " ").split())


def fingerprint(article: ArticleView) -> str:
    """What the index holds of an article; equal fingerprints mean nothing to re-index."""
    digest = hashlib.sha1(usedforsecurity=False)
    for part in (article.slug, article.title, article.body, ",".join(article.tags),
                 article.product or ""):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def document(article: ArticleView, read_at: datetime) -> dict[str, str]:
    """The index document of ARTICLE as read from the store at (or after) READ_AT."""
    body = plain_text(article.body)
    tag_words = " ".join(t.replace("-", " ") for t in article.tags)
    product = article.product or ""
    return {
        "id": str(article.id),
        "slug": article.slug,
        "title": article.title,
        "tags": f"{tag_words} {product}".strip(),
        "headings": headings(article.body),
        "body": body,
        "words": vocabulary_text(article.title, tag_words, product, body),
        "tag": ",".join(keyword_tokens(article.tags)),
        "product": ",".join(keyword_tokens([product] if product else [])),
        "tag_list": ",".join(article.tags),
        "product_name": product,
        "fingerprint": fingerprint(article),
        "updated": article.updated_at.isoformat(),
        "read_at": read_at.isoformat(),
    }
