"""A hit's snippet: the passage of its body that best answers the query, in linear time.

The body is read once: a `str.find` per term over its lowercase finds the words that
could be query terms (by the prefix their stem shares with every form of the word), and
each candidate is confirmed by stemming it (cached). The matches, in order, are then
swept once with two pointers: the window of `WINDOW` characters holding the most
*different* query terms wins (a staff list repeating one matched word does not), then the
tighter one, then the earlier. A second fragment is chosen the same way, in one more
sweep, for terms the first lacks. Only the chosen windows are looked at again (to start
at a sentence). So a snippet costs O(body + matches), however long the page and however
many matches it has.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from dataclasses import dataclass

from knowledge.results import Snippet, SnippetPiece
from knowledge.text import stem_word

WINDOW = 240  # characters in one fragment
LEAD_CHARS = 200
_SENTENCE_END = re.compile(r"[.!?:;·]\s")
_BACK = 60  # how far before its first match a fragment may start, to start at a sentence


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    term: str


@functools.lru_cache(maxsize=256)
def _prefixes(terms: frozenset[str]) -> tuple[str, ...]:
    """The starts a word that may stem to one of TERMS begins with: a term's stable prefix
    (Porter turns a final "y" into "i" and drops a final "e": "polici" ← "policy",
    "price" ← "pricing"), longest first; each candidate is checked by stemming it."""
    return tuple(sorted({t[:-1] if len(t) > 2 and t[-1] in "eiy" else t for t in terms},
                        key=len, reverse=True))


@functools.lru_cache(maxsize=256)
def _candidates(terms: frozenset[str]) -> re.Pattern[str]:
    """The words starting with one of `_prefixes(TERMS)`, for bodies `str.find` cannot
    search on their lowercase (see `_matches`)."""
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in _prefixes(terms)) + r")\w*",
                      re.IGNORECASE)


_WORD_CHAR = re.compile(r"\w")
_WORD_REST = re.compile(r"\w*")


def _candidate_spans(body: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Where the words starting with a term's prefix are in BODY (what `_candidates` finds),
    by `str.find` on the lowercased body: a scan in C per prefix instead of trying the
    pattern at every character. A body whose lowercase is not as long as it is (a few
    letters outside ASCII) is searched with the pattern."""
    lowered = body.lower()
    if len(lowered) != len(body):
        return [found.span() for found in _candidates(terms).finditer(body)]
    prefixes = _prefixes(terms)
    starts: dict[int, str] = {}  # where a prefix starts a word → the longest found there
    for prefix in prefixes:
        at = lowered.find(prefix)
        while at != -1:
            if at not in starts and (at == 0 or not _WORD_CHAR.match(lowered, at - 1)):
                starts[at] = prefix
            at = lowered.find(prefix, at + 1)
    spans = []
    end = 0
    for at in sorted(starts):
        if at < end:
            continue  # inside the word found before (the pattern's matches do not overlap)
        rest = _WORD_REST.match(lowered, at + len(starts[at]))
        assert rest is not None
        end = rest.end()
        spans.append((at, end))
    return spans


def _matches(body: str, terms: frozenset[str]) -> list[_Match]:
    out = []
    for start, end in _candidate_spans(body, terms):
        word = body[start:end].lower()
        stem = word if word in terms else stem_word(word)
        if stem in terms:
            out.append(_Match(start, end, stem))
    return out


def _best_window(matches: list[_Match], allowed: frozenset[str] | None = None,
                 avoid: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """The indexes [i, j] of the first and last match of the best window: the most
    distinct terms (of ALLOWED, when given) within WINDOW characters, then the shortest
    span, then the earliest. Windows overlapping AVOID are not considered. One sweep."""
    counts: Counter[str] = Counter()
    best: tuple[int, int, int] | None = None  # (distinct, -span, -start) to maximise
    best_range: tuple[int, int] | None = None
    left = 0
    for right, match in enumerate(matches):
        if avoid is not None and match.start < avoid[1] and match.end > avoid[0]:
            counts.clear()
            left = right + 1
            continue
        if allowed is None or match.term in allowed:
            counts[match.term] += 1
        while left < right and matches[right].end - matches[left].start > WINDOW:
            gone = matches[left]
            if (allowed is None or gone.term in allowed) and counts[gone.term]:
                counts[gone.term] -= 1
                if not counts[gone.term]:
                    del counts[gone.term]
            left += 1
        if not counts:
            continue
        # the window starts at its first counted match
        first = left
        while allowed is not None and matches[first].term not in allowed:
            first += 1
        rank = (len(counts), -(match.end - matches[first].start), -matches[first].start)
        if best is None or rank > best:
            best, best_range = rank, (first, right)
    return best_range


def _bounds(body: str, matches: list[_Match], first: int, last: int) -> tuple[int, int]:
    """The fragment around matches FIRST..LAST: from the sentence that holds the first
    when that starts close before it, else a little before it; cut at spaces."""
    start_at = matches[first].start
    begin = max(0, start_at - _BACK)
    sentence = None
    for found in _SENTENCE_END.finditer(body, begin, start_at):
        sentence = found.end()
    if sentence is not None:
        begin = sentence
    elif begin > 0:
        space = body.find(" ", begin, start_at)
        begin = space + 1 if space != -1 else start_at
    end = min(len(body), max(begin + WINDOW, matches[last].end))
    if end < len(body):
        space = body.rfind(" ", matches[last].end, end)
        end = space if space != -1 else end
    return begin, end


_OPENING = SnippetPiece("… ")  # the fragment starts inside the body
_CLOSING = SnippetPiece(" …")  # and ends before the body does


def _pieces(body: str, matches: list[_Match], starts: list[int],
            window: tuple[int, int]) -> list[SnippetPiece]:
    begin, end = window
    out, position = [_OPENING] if begin > 0 else [], begin
    for match in matches[bisect.bisect_left(starts, begin):]:
        if match.end > end:
            break
        out.append(SnippetPiece(body[position:match.start]))
        out.append(SnippetPiece(body[match.start:match.end], highlighted=True))
        position = match.end
    out.append(SnippetPiece(body[position:end]))
    return [*out, _CLOSING] if end < len(body) else out


def lead(text: str, limit: int = LEAD_CHARS) -> Snippet:
    if len(text) <= limit:
        return Snippet((SnippetPiece(text),))
    cut = text[:limit].rsplit(" ", 1)[0]
    return Snippet((SnippetPiece(cut), _CLOSING))


def _joined(fragments: list[list[SnippetPiece]]) -> Snippet:
    """Fragments one after the other, a space apart, each run of plain text in one piece;
    "… …" (one fragment's end mark met by the next one's start mark, or by an ellipsis
    in the text) is shown as a single "…"."""
    pieces: list[SnippetPiece] = []
    for n, fragment in enumerate(fragments):
        separator = [SnippetPiece(" ")] if n else []
        for piece in [*separator, *fragment]:
            if pieces and not piece.highlighted and not pieces[-1].highlighted:
                pieces[-1] = SnippetPiece(pieces[-1].text + piece.text)
            elif piece.text:
                pieces.append(piece)
    return Snippet(tuple(p if p.highlighted else SnippetPiece(p.text.replace("… …", "…"))
                         for p in pieces))


def snippet(body: str, terms: frozenset[str]) -> Snippet:
    """The densest fragment of distinct query terms, and a second one for terms the
    first lacks, the matched words marked. Without a match: the opening of the body."""
    matches = _matches(body, terms) if terms else []
    if not matches:
        return lead(body)
    found = _best_window(matches)
    assert found is not None
    first, last = found
    best = _bounds(body, matches, first, last)
    covered = {m.term for m in matches[first:last + 1]}
    chosen = [best]
    missing = frozenset(m.term for m in matches) - covered
    if missing:
        other = _best_window(matches, allowed=missing, avoid=best)
        if other is not None:
            window = _bounds(body, matches, *other)
            if window[0] >= best[1] or window[1] <= best[0]:
                chosen.append(window)
    starts = [m.start for m in matches]
    return _joined([_pieces(body, matches, starts, w) for w in sorted(chosen)])
