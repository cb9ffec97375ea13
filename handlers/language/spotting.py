"""Find every known name in a sentence: accounts, deals, contacts, people, stages, products.

A pattern can only carve a name out of the place it expects one ("move X to Y"), so a name
anywhere else is missed, and a sentence with two names keeps one. Here the sentence is read
word by word against every name the store knows, and each stretch of words that reads as a
name becomes a `Mention`. The readers after this one decide what the sentence does with the
names it holds; nothing here knows what a sentence means.

How a stretch of words matches a name:
- word by word, each typed word against a name word: the same (100), the same stem
  ("negotiating" / "negotiation", 95), one typing slip away (a letter missing, extra,
  swapped or wrong: "globx", "mvoe", 85), or the start of a long word ("dunder", "negot":
  80); possessives are read as the name ("hooli's");
- the whole name, or a leading part of it when what is left says nothing about which
  company it is ("wayne" for "Wayne Enterprises": `GENERIC` words), or when the part said is
  a word no one types for another reason ("aperture" for "Aperture Science"; but not "black"
  for "Black Mesa": `COMMON` words need the rest of the name);
- a contact or person by full name, or by first name alone (the caller weighs that less:
  "grace" is also a word);
- the longest, best-scoring stretches win; two names fitting the same stretch equally well
  (two contacts called Ken) are both kept, so the caller can ask which.

Typo look-ups use a symmetric-delete table (two words one edit apart share a one-letter
deletion), so a typed word costs a few dictionary look-ups, not a scan of every name: the
work per message is linear in its length whatever the store holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from handlers.language.vocabulary import COMMON, GENERIC
from handlers.language.wordforms import deletions, one_edit, stem

_MIN_FUZZY = 4
_MIN_PREFIX = 4
_MIN_STEM = 5
_MAX_WORD = 40
_QUOTE_NUMBER = re.compile(r"^q-?\d{4}-?\d{1,6}$")
_NAME_WORD = re.compile(r"[a-z0-9]+")

EXACT, STEM, SLIP, PREFIX = 100.0, 95.0, 85.0, 80.0


@dataclass(frozen=True, slots=True)
class Known:
    """A name the store knows. `scope` is the account a contact or deal belongs to;
    `first_name_ok` lets a person be named by first name alone."""

    kind: str
    id: int
    name: str
    scope: int | None = None
    first_name_ok: bool = False
    phrases: tuple[str, ...] = ()  # other ways to say it (stage synonyms, SKUs)
    tag: str | None = None  # "won" / "lost" for a closing stage
    own_name: str | None = None  # a deal's name without its account's ("Renewal")


@dataclass(frozen=True, slots=True)
class Mention:
    """`words[start:end]` of the sentence reads as `known`, with `score` 0–100."""

    known: Known
    start: int
    end: int
    score: float
    whole: bool  # every significant word of the name was said
    apart: bool = False  # a deal named by its account and its own words said elsewhere

    @property
    def kind(self) -> str:
        return self.known.kind


@dataclass(slots=True)
class _Phrase:
    known: Known
    words: tuple[str, ...]
    partial_ok: bool
    first_name: bool = False


def name_words(name: str) -> tuple[str, ...]:
    """A name's words as `normalise` writes a sentence's: lower case, letters and digits."""
    return tuple(_NAME_WORD.findall(name.lower().replace("'s", "").replace("’s", "")))


def _plain(word: str) -> str:
    """A sentence word as a name word: possessive and punctuation off."""
    for suffix in ("'s", "s'", "'"):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            word = word[: -len(suffix)]
            break
    return word.strip(".,;:!?\"'()[]")


@dataclass
class Gazetteer:
    """Every known name, prepared once for many sentences. Read-only once built."""

    known: Iterable[Known]
    _phrases: list[_Phrase] = field(init=False, default_factory=list)
    _by_word: dict[str, list[int]] = field(init=False, default_factory=dict)
    _stems: dict[str, set[str]] = field(init=False, default_factory=dict)
    _slips: dict[str, set[str]] = field(init=False, default_factory=dict)
    _prefixes: dict[str, set[str]] = field(init=False, default_factory=dict)
    _deals_of: dict[int, list[tuple[Known, tuple[str, ...]]]] = field(
        init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for known in self.known:
            self._add(known, name_words(known.name), partial_ok=known.kind in ("account",
                                                                               "product"))
            for phrase in known.phrases:
                self._add(known, name_words(phrase), partial_ok=False)
            words = name_words(known.name)
            if known.kind == "deal" and known.scope is not None and known.own_name:
                own = tuple(w for w in name_words(known.own_name) if w not in GENERIC) \
                    or name_words(known.own_name)  # a deal called "Services" is its word
                self._deals_of.setdefault(known.scope, []).append((known, own))
            if known.first_name_ok and len(words) > 1:
                self._add(known, words[:1], partial_ok=False, first_name=True)
        vocabulary = set(self._by_word)
        for word in vocabulary:
            self._stems.setdefault(stem(word), set()).add(word)
            if len(word) >= _MIN_FUZZY:
                for variant in deletions(word) | {word}:
                    self._slips.setdefault(variant, set()).add(word)
            for cut in range(_MIN_PREFIX, min(len(word), 8)):
                self._prefixes.setdefault(word[:cut], set()).add(word)

    def _add(self, known: Known, words: tuple[str, ...], *, partial_ok: bool,
             first_name: bool = False) -> None:
        if not words:
            return
        position = len(self._phrases)
        self._phrases.append(_Phrase(known, words, partial_ok, first_name))
        for word in set(words):
            if word not in GENERIC:
                self._by_word.setdefault(word, []).append(position)

    def similar(self, typed: str) -> dict[str, float]:
        """Index words `typed` may be, with how sure: exact, stem, one slip, prefix."""
        typed = _plain(typed)
        if not typed or len(typed) > _MAX_WORD:
            return {}
        found: dict[str, float] = {}
        if typed in self._by_word:
            found[typed] = EXACT
        if len(stem(typed)) >= _MIN_STEM:  # "closing" is not "closed": stems of four say little
            for word in self._stems.get(stem(typed), ()):
                found.setdefault(word, STEM)
        if len(typed) >= _MIN_FUZZY:
            for variant in deletions(typed) | {typed}:
                for word in self._slips.get(variant, ()):
                    if word != typed and one_edit(typed, word):
                        found.setdefault(word, SLIP)
        if len(typed) >= _MIN_PREFIX:
            for word in self._prefixes.get(typed[:8], ()) if len(typed) < 8 else ():
                if word.startswith(typed):
                    found.setdefault(word, PREFIX)
        return found

    def spot(self, words: Sequence[str]) -> list[Mention]:
        """Every name in `words` (a `Sentence.words`), best stretches first, no two
        overlapping unless they tie (see the module docstring)."""
        plain = [_plain(w) for w in words]
        likeness = [self.similar(w) if w not in GENERIC else {} for w in plain]
        candidates: set[int] = set()
        for found in likeness:
            for word in found:
                candidates.update(self._by_word.get(word, ()))
        mentions = [m for p in candidates for m in self._align(self._phrases[p], plain, likeness)]
        mentions.extend(_quote_numbers(plain))
        return self._deals_said_apart(_best_cover(mentions), likeness, plain)

    def _deals_said_apart(self, mentions: list[Mention], likeness: list[dict[str, float]],
                          plain: list[str]) -> list[Mention]:
        """"los pollos … enterprise upgrade", "acme: renewal at 100k": an account named with
        the words of one of its deals elsewhere in the sentence names that deal. When the
        words fit two deals ("vandelay services signed and expansion pushed"), both are
        kept, so the reader asks rather than changes one of them by mistake."""
        taken = {i for m in mentions for i in range(m.start, m.end)}
        found = []
        for mention in mentions:
            if mention.kind not in ("account", "deal") or mention.apart:
                continue
            account = mention.known.id if mention.kind == "account" else mention.known.scope
            named = mention.known if mention.kind == "deal" else None
            if account is None or (named is None and any(
                    m.kind == "deal" and m.known.scope == account for m in mentions)):
                continue
            fits = []
            for deal, own in self._deals_of.get(account, ()):
                if named is not None and deal.id == named.id:
                    continue
                places = [next((i for i, like in enumerate(likeness)
                                if i not in taken and (word in like or plain[i] == word)),
                               None) for word in own]
                if own and all(p is not None for p in places):
                    fits.append((len(own), deal, max(p for p in places if p is not None)))
            longest = max((n for n, _, _ in fits), default=0)
            for n, deal, last in fits:
                if n == longest:
                    found.append(Mention(deal, mention.start, max(mention.end, last + 1),
                                         mention.score, True, apart=True))
        return sorted([*mentions, *found], key=lambda m: (m.start, -m.score))

    def _align(self, phrase: _Phrase, plain: list[str],
               likeness: list[dict[str, float]]) -> Iterable[Mention]:
        """Each place in the sentence where `phrase` is said, whole or by a telling part."""
        significant = [w for w in phrase.words if w not in GENERIC] or list(phrase.words)
        first = significant[0]
        for start, found in enumerate(likeness):
            if first not in found:
                continue
            scores = [found[first]]
            at = start
            for word in significant[1:]:
                step = at + 1
                while step < len(plain) and plain[step] in GENERIC and plain[step] in phrase.words:
                    step += 1
                if step < len(plain) and word in likeness[step]:
                    scores.append(likeness[step][word])
                    at = step
                else:
                    break
            end = at + 1
            while end < len(plain) and plain[end] in GENERIC and plain[end] in phrase.words:
                end += 1
            whole = len(scores) == len(significant)
            if not whole and not self._telling(phrase, significant, len(scores), plain[start]):
                continue
            score = sum(scores) / len(scores) - (0 if whole else 5)
            if phrase.first_name:
                score -= 10
            if len(scores) == 1 and scores[0] < EXACT and plain[start] in COMMON:
                continue  # "lost" one slip from "last": an everyday word is itself
            if phrase.known.tag is not None and min(scores) < EXACT:
                continue  # "close" is not "closed": winning and losing are said exactly
            yield Mention(phrase.known, start, end, score, whole and not phrase.first_name)

    @staticmethod
    def _telling(phrase: _Phrase, significant: list[str], said: int, typed: str) -> bool:
        """Whether saying only the first `said` significant words names `phrase`."""
        if not phrase.partial_ok:
            return False
        rest = significant[said:]
        if all(word in GENERIC for word in rest):
            return True
        if said >= 2:
            return True  # "los pollos" for "Los Pollos Hermanos"
        return said >= 1 and typed not in COMMON and len(significant[0]) >= 5


def _quote_numbers(plain: list[str]) -> list[Mention]:
    found = []
    for at, word in enumerate(plain):
        if _QUOTE_NUMBER.match(word):
            digits = re.sub(r"[^0-9]", "", word)
            number = f"Q-{digits[:4]}-{digits[4:].zfill(4)}"
            found.append(Mention(Known("quote", 0, number), at, at + 1, EXACT, True))
    return found


def _best_cover(mentions: list[Mention]) -> list[Mention]:
    """Longest and surest stretches first; a stretch overlapping a better one is dropped,
    unless it is the same stretch with the same score (a tie the caller asks about)."""
    ranked = sorted(mentions, key=lambda m: (-(m.end - m.start), -m.score, m.start,
                                             m.known.kind, m.known.id))
    kept: list[Mention] = []
    for mention in ranked:
        clash = [k for k in kept if k.start < mention.end and mention.start < k.end]
        same = (mention.start, mention.end, mention.score, mention.known.kind)
        if not clash or all((k.start, k.end, k.score, k.known.kind) == same for k in clash):
            kept.append(mention)
    return sorted(kept, key=lambda m: (m.start, -m.score))
