"""Fuzzy name resolution: turn what a rep typed into an account, opportunity, contact, stage
or user, or say honestly that it is ambiguous or unknown.

Pure functions over `(id, name)` pairs: no Slack, no SQL, so the conversation code, the CLI and
tests share one behaviour. Scores are rapidfuzz's `WRatio` on `default_process`-ed strings
(case and punctuation ignored), because that is the scorer people tune their expectations on;
`NameIndex` only makes it fast by scoring a narrowed set of candidates instead of every name.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

# Below this the narrowed answer is not trusted and every name is scored instead: a weak best
# usually means the narrowing missed (odd spacing, typos in every word), and a full scan at
# that point costs one slow query rather than a wrong answer.
_TRUSTED_SCORE = 75.0
# Shorter words are looked up only as they are: one edit away from "co" is half the alphabet.
_MIN_FUZZY_WORD = 3
# A fragment inside more words than this ("tec") says little; its rarer neighbours decide.
_MAX_CONTAINING = 300
# Longer queries are sentences, not names; looking for names inside them costs too much.
_MAX_NAME_QUERY = 120
# These three bound the work per query whatever is typed (a pasted log, a 20,000-letter
# "word"): reading the query is linear in its length, everything after it is bounded:
# - a processed query longer than `_MAX_QUERY` matches nothing: it is a paste, not a name (the
#   forms take 200 characters for an account or a deal name, so a deal title is at most about
#   400), and against a name eight times shorter WRatio scores it 60 at most anyway;
# - only the first `_MAX_QUERY_WORDS` distinct words find related index words (WRatio still
#   scores the whole query): no name has more than a dozen words;
# - a typed word longer than `_MAX_WORD` is looked up only as it is, with no fragments, typo
#   variants or prefixes: no real name has a 40-letter word ("Internationalisation" is 20).
_MAX_QUERY = 500
_MAX_QUERY_WORDS = 32
_MAX_WORD = 64


@dataclass(frozen=True, slots=True)
class Match:
    """One name that fits a query; `score` is WRatio (0-100) on normalised strings."""

    id: int
    name: str
    score: float


@dataclass(frozen=True, slots=True)
class Resolution:
    """What the bot should do with a query: act on `match`, ask about `candidates`, or say no.

    `match` is set exactly when `kind` is "found", so `resolution.match is not None` is the
    test that also tells the type checker a match is there.
    """

    kind: Literal["found", "ambiguous", "none"]
    match: Match | None = None
    candidates: tuple[Match, ...] = field(default=())


class NameIndex:
    """Names prepared once for many fuzzy look-ups.

    Scoring every name with WRatio costs about 25 ms at 100,000 names, too slow for a chat
    reply that resolves several entities. Almost every realistic query shares a word, a word
    one typo away, or a word fragment with its best match, so candidates come from a word ->
    positions index: the typed words, index words inside or containing them, index words that
    start with them less one letter, and index words one edit away (a symmetric-delete table,
    so no typed word is compared with the whole vocabulary). Names equal to the query without
    spaces, or found whole inside it, join too. Only those candidates get WRatio; when the
    best of them is weak, every name is scored after all.
    Ties are broken by the order names were given, exactly as `process.extractOne` does, so
    answers are stable and the narrowed search can be checked against a full scan.
    Read-only once built, so one index may serve several request threads.
    """

    def __init__(self, entries: Iterable[tuple[int, str]], *, candidate_budget: int = 6000) -> None:
        self._ids: list[int] = []
        self._names: list[str] = []
        self._processed: list[str] = []
        self._exact: dict[str, list[int]] = {}
        self._squashed: dict[str, list[int]] = {}
        postings: dict[str, list[int]] = {}
        for position, (entity_id, name) in enumerate(entries):
            processed = default_process(name)
            self._ids.append(entity_id)
            self._names.append(name)
            self._processed.append(processed)
            self._exact.setdefault(processed, []).append(position)
            # A dropped or extra space ("acmecorp") is the commonest typo no word index sees.
            self._squashed.setdefault(processed.replace(" ", ""), []).append(position)
            for word in set(processed.split()):
                postings.setdefault(word, []).append(position)
        self._postings = postings
        self._vocabulary: list[str] = sorted(postings)
        # One string holding every word lets `str.find` (C speed) locate the words that contain
        # a typed fragment; `_word_starts` maps a hit back to its word.
        self._word_starts: list[int] = []
        offset = 1
        for word in self._vocabulary:
            self._word_starts.append(offset)
            offset += len(word) + 1
        self._vocabulary_text = "\n" + "\n".join(self._vocabulary) + "\n"
        # Symmetric-delete index (the SymSpell idea): two words within one edit share a
        # one-letter deletion, so near-misses are found by a few dict look-ups instead of
        # comparing the typed word with the whole vocabulary.
        # (A typed word has at most `_MAX_WORD` letters when it is looked up here, so longer
        # index words can never be one deletion away from it.)
        deletions: dict[str, list[str]] = {}
        for word in self._vocabulary:
            if _MIN_FUZZY_WORD <= len(word) <= _MAX_WORD + 1:
                for variant in _one_deletions(word):
                    deletions.setdefault(variant, []).append(word)
        self._deletions = deletions
        self._longest_name = max((len(p) for p in self._processed), default=0)
        self._longest_word = max((len(w) for w in self._vocabulary), default=0)
        self._budget = candidate_budget
        self._positions_of: dict[int, list[int]] | None = None  # built on first `within`

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, query: str, limit: int = 3, cutoff: float = 60, *,
               within: AbstractSet[int] | None = None) -> list[Match]:
        """The best `limit` names scoring at least `cutoff`, best first, earlier names first
        on equal scores. `within`: only the names of these ids count, exactly as if the index
        held no other (one index of every account serves each rep's own few)."""
        processed = default_process(query)
        if not processed or limit <= 0 or len(processed) > _MAX_QUERY:
            return []
        keep = None if within is None else self._kept(within)
        scored = self._score(processed, self._candidates(processed, keep), limit, cutoff)
        if not scored or scored[0][1] < _TRUSTED_SCORE:
            scored = self._score(processed, None if keep is None else sorted(keep),
                                 limit, cutoff)
        return [Match(self._ids[p], self._names[p], score) for p, score in scored]

    def _kept(self, within: AbstractSet[int]) -> set[int]:
        """The positions of the names whose id is in `within`."""
        if self._positions_of is None:
            positions_of: dict[int, list[int]] = {}
            for position, entity_id in enumerate(self._ids):
                positions_of.setdefault(entity_id, []).append(position)
            self._positions_of = positions_of
        found = self._positions_of
        return {p for entity_id in within for p in found.get(entity_id, ())}

    def _score(
        self, processed: str, positions: list[int] | None, limit: int, cutoff: float
    ) -> list[tuple[int, float]]:
        """WRatio over the given positions (ascending, so ties keep name order), or all names."""
        if positions is None:
            choices: Sequence[str] = self._processed
        elif not positions:
            return []
        else:
            processed_names = self._processed
            choices = [processed_names[p] for p in positions]
        found = process.extract(
            processed, choices, scorer=fuzz.WRatio, processor=None,
            limit=limit, score_cutoff=cutoff,
        )
        if positions is None:
            return [(index, score) for _, score, index in found]
        return [(positions[index], score) for _, score, index in found]

    def _candidates(self, processed: str, keep: set[int] | None = None) -> list[int]:
        """Positions worth scoring, ascending (of those in `keep`, when given).

        Rare words say most about which name is meant, so posting lists are taken shortest
        first until the budget is spent; a word shared by thousands of names ("inc",
        "holdings") only joins when the query has nothing rarer.
        """
        exact: Mapping[str, list[int]] = self._exact
        postings_of: Mapping[str, list[int]] = self._postings
        squashed: Mapping[str, list[int]] = self._squashed
        if keep is not None:
            exact, postings_of, squashed = (_Only(exact, keep), _Only(postings_of, keep),
                                            _Only(squashed, keep))
        chosen: set[int] = set(exact.get(processed, ()))
        chosen.update(squashed.get(processed.replace(" ", ""), ()))
        if len(processed) <= _MAX_NAME_QUERY:
            # WRatio scores a name found whole inside a longer query like a partial name, so
            # those names ("Acme" in "acme renewal") must be candidates too.
            size = len(processed)
            longest = min(self._longest_name, size)
            for start in range(size):
                for end in range(start + 1, min(start + longest, size) + 1):
                    hits = exact.get(processed[start:end])
                    if hits:
                        chosen.update(hits)
        typed_words = list(dict.fromkeys(processed.split()))
        # The rarest word actually typed always counts, however common: "holdings" alone must
        # still find the names that say "Holdings".
        own = [found for w in typed_words if (found := postings_of.get(w))]
        if own:
            rarest = min(own, key=len)  # apart: inside update() mypy infers min() too narrowly
            chosen.update(rarest)
        lists: list[list[int]] = []
        seen_words: set[str] = set()
        for typed in typed_words[:_MAX_QUERY_WORDS]:
            for word in self._related_words(typed):
                if word not in seen_words:
                    seen_words.add(word)
                    lists.append(postings_of.get(word) or [])
        lists.sort(key=len)
        spent = 0
        for postings in lists:
            if spent + len(postings) > self._budget and spent:
                break
            chosen.update(postings)
            spent += len(postings)
        return sorted(chosen)

    def _related_words(self, typed: str) -> list[str]:
        """Index words a typed word may stand for.

        Itself; words inside it ("dyncorac" for "Dyncor"); words containing it (partial
        names); words starting with it less one letter (partial names with a typo: "blemwar"
        for "Blemarble"); words one edit away (the delete index). A word longer than
        `_MAX_WORD` is only itself. Otherwise each step is limited by the longest index word,
        since no longer fragment can be one: at most `len(typed) * longest` slices of at most
        `longest` letters are looked up. (Every substring used to be sliced and hashed, which
        cost the cube of the word's length.)
        """
        postings = self._postings
        words: list[str] = [typed] if typed in postings else []
        size = len(typed)
        if size < _MIN_FUZZY_WORD or size > _MAX_WORD:
            return words
        words.extend(w for w in _fragments(typed, self._longest_word) if w in postings)
        if size - 1 > self._longest_word:  # longer than every index word: nothing contains it
            return words
        variants = _one_deletions(typed)
        deletions = self._deletions
        words.extend(deletions.get(typed, ()))
        for variant in variants:
            words.extend(deletions.get(variant, ()))
        words.extend(self._words_containing(typed))
        for variant in variants:
            if len(variant) >= _MIN_FUZZY_WORD:
                words.extend(self._words_starting(variant))
        return words

    def _words_starting(self, prefix: str) -> list[str]:
        """Index words beginning with `prefix`, at most `_MAX_CONTAINING` of them; a bisect in
        the sorted vocabulary, so cheap enough to try for every typo variant."""
        vocabulary = self._vocabulary
        found: list[str] = []
        index = bisect_left(vocabulary, prefix)
        while index < len(vocabulary) and len(found) < _MAX_CONTAINING:
            word = vocabulary[index]
            if not word.startswith(prefix):
                break
            found.append(word)
            index += 1
        return found

    def _words_containing(self, fragment: str) -> list[str]:
        """Index words with `fragment` inside, at most `_MAX_CONTAINING` of them."""
        text, starts, vocabulary = self._vocabulary_text, self._word_starts, self._vocabulary
        found: list[str] = []
        hit = text.find(fragment)
        while hit != -1 and len(found) < _MAX_CONTAINING:
            word_index = bisect_right(starts, hit) - 1
            word = vocabulary[word_index]
            found.append(word)
            hit = text.find(fragment, starts[word_index] + len(word))
        return found


class PatchedIndex:
    """A built index with a few names changed since (added, renamed, gone): the built one
    with those ids' old entries left out, and a small index of their new names. Answers as
    the index built anew would (ties by id, as there), for the cost of indexing only the
    names that changed; `MAX_PATCHED` of them, then a new build is due."""

    MAX_PATCHED = 500

    def __init__(self, base: NameIndex, entries: Iterable[tuple[int, str]] = (),
                 gone: AbstractSet[int] = frozenset()) -> None:
        self.base = base
        self.entries = sorted(entries)
        self.gone = frozenset(gone) | {entity_id for entity_id, _ in self.entries}
        self.extra = NameIndex(self.entries)

    def patched(self, entries: Iterable[tuple[int, str]], ids: AbstractSet[int]
                ) -> PatchedIndex:
        """These ids changed again: `entries` are their names now (none: gone)."""
        kept = [e for e in self.entries if e[0] not in ids]
        return PatchedIndex(self.base, [*kept, *entries], self.gone | ids)

    def search(self, query: str, limit: int = 3, cutoff: float = 60, *,
               within: AbstractSet[int] | None = None) -> list[Match]:
        old = [m for m in self.base.search(query, limit + len(self.gone), cutoff, within=within)
               if m.id not in self.gone]
        new = self.extra.search(query, limit, cutoff, within=within)
        return sorted([*old, *new], key=lambda m: (-m.score, m.id))[:limit]


@dataclass(frozen=True, slots=True)
class Within:
    """An index seen through a set of ids: what one person may see of every name."""

    index: NameIndex | PatchedIndex
    ids: AbstractSet[int]

    def search(self, query: str, limit: int = 3, cutoff: float = 60) -> list[Match]:
        return self.index.search(query, limit, cutoff, within=self.ids)


class _Only(Mapping[str, list[int]]):
    """A word -> positions table seen through `keep`: only those positions, and a word none
    of whose names are kept reads as absent."""

    def __init__(self, table: Mapping[str, list[int]], keep: set[int]) -> None:
        self._table, self._keep = table, keep

    def __getitem__(self, key: str) -> list[int]:
        found = [p for p in self._table[key] if p in self._keep]
        if not found:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._table and any(
            p in self._keep for p in self._table[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


def _fragments(word: str, longest: int) -> Iterator[str]:
    """The proper substrings of `word` that could be index words: at least `_MIN_FUZZY_WORD`
    and at most `longest` letters, by start, then by length. At most `len(word) * longest`
    of them, however long the word."""
    size = len(word)
    for start in range(size - _MIN_FUZZY_WORD + 1):
        for end in range(start + _MIN_FUZZY_WORD, min(start + longest, size) + 1):
            if end - start < size:
                yield word[start:end]


def _one_deletions(word: str) -> set[str]:
    """`word` with one letter removed, every way."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def resolve(matches: Sequence[Match], *, margin: float = 5) -> Resolution:
    """Decide whether the best match is clear enough to act on.

    A rep would rather answer one question than have the wrong deal moved, so the top match
    wins only when it beats the runner-up by more than `margin` points. The one exception is an
    exact match (score 100 means equal after case and punctuation are ignored): "Acme" then
    means Acme even when "Acme Holdings" also scores high - unless two names are both exact
    (two contacts called "Jane Smith"), which only the rep can settle. Ambiguous candidates are
    the ones within `margin` of the top, at most five, since a question with more buttons than
    that stops being a question.
    """
    if not matches:
        return Resolution("none")
    ranked = sorted(matches, key=lambda m: -m.score)
    top = ranked[0]
    if len(ranked) == 1:
        return Resolution("found", match=top)
    runner_up = ranked[1]
    if top.score >= 100 and runner_up.score < 100:
        return Resolution("found", match=top)
    if top.score - runner_up.score > margin:
        return Resolution("found", match=top)
    close = tuple(m for m in ranked if top.score - m.score <= margin)[:5]
    return Resolution("ambiguous", candidates=close)
