"""Fuzzy name resolution: typos, case, partial names, ambiguity, and agreement of the
narrowed search with a full rapidfuzz scan."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from store.resolve import Match, NameIndex, resolve

ACCOUNTS = [
    (1, "Acme Corporation"),
    (2, "Globex"),
    (3, "Initech"),
    (4, "Acme Holdings"),
    (5, "Umbrella Corp"),
    (6, "Hooli"),
    (7, "Stark Industries"),
]


@pytest.fixture(scope="module")
def accounts() -> NameIndex:
    return NameIndex(ACCOUNTS)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("acme corp", "Acme Corporation"),
        ("Acme Corporaton", "Acme Corporation"),
        ("globx", "Globex"),
        ("glboex", "Globex"),
        ("initek", "Initech"),
        ("GLOBEX", "Globex"),
        ("stark industries", "Stark Industries"),
        ("stark", "Stark Industries"),
        ("umbrella", "Umbrella Corp"),
        ("hoolie", "Hooli"),
    ],
)
def test_typos_case_and_partial_names_resolve(
    accounts: NameIndex, query: str, expected: str
) -> None:
    resolution = resolve(accounts.search(query))
    assert resolution.kind == "found"
    assert resolution.match is not None
    assert resolution.match.name == expected


def test_case_only_difference_is_an_exact_match(accounts: NameIndex) -> None:
    top = accounts.search("ACME corporation")[0]
    assert (top.id, top.name, top.score) == (1, "Acme Corporation", 100)


def test_close_names_are_ambiguous(accounts: NameIndex) -> None:
    resolution = resolve(accounts.search("acme"))
    assert resolution.kind == "ambiguous"
    assert resolution.match is None
    assert [m.name for m in resolution.candidates] == ["Acme Corporation", "Acme Holdings"]


def test_exact_name_wins_over_close_longer_names() -> None:
    index = NameIndex([(1, "Acme Holdings"), (2, "Acme"), (3, "Acme Corporation")])
    resolution = resolve(index.search("acme"))
    assert resolution.kind == "found"
    assert resolution.match == Match(2, "Acme", 100)


def test_two_exact_names_still_ask() -> None:
    index = NameIndex([(1, "Jane Smith"), (2, "Jane Smith"), (3, "Janet Smyth")])
    resolution = resolve(index.search("jane smith"))
    assert resolution.kind == "ambiguous"
    assert [m.id for m in resolution.candidates] == [1, 2]


def test_nothing_close_is_none(accounts: NameIndex) -> None:
    assert accounts.search("zzzz qqq") == []
    assert resolve(accounts.search("zzzz qqq")).kind == "none"
    assert accounts.search("") == []
    assert NameIndex([]).search("acme") == []


def test_limit_cutoff_and_order() -> None:
    index = NameIndex([(i, f"Acme {suffix}") for i, suffix in enumerate("BCDEFG")])
    matches = index.search("acme", limit=4)
    assert len(matches) == 4
    # equal scores keep the order the names were given, as a full scan does
    assert [m.id for m in matches] == [0, 1, 2, 3]
    assert all(m.score >= 60 for m in matches)
    assert index.search("acme", cutoff=99) == []


def test_resolve_margin_and_candidate_cap() -> None:
    clear = [Match(1, "A", 90), Match(2, "B", 84.9)]
    assert resolve(clear).kind == "found"
    close = [Match(1, "A", 90), Match(2, "B", 85)]
    assert resolve(close).kind == "ambiguous"
    assert resolve(close, margin=4).kind == "found"
    many = [Match(i, str(i), 90 - i / 10) for i in range(8)] + [Match(99, "far", 70)]
    resolution = resolve(many)
    assert resolution.kind == "ambiguous"
    assert [m.id for m in resolution.candidates] == [0, 1, 2, 3, 4]
    assert resolve([Match(1, "A", 65)]).kind == "found"
    assert resolve([]).kind == "none"


SYLLABLE_TEXT = (
    "ac me glo bex ini tech son vel ox ra lum in ter dyn am ix cor pa zen ith nov bri stel lar "
    "qu ant um flo wer kin dle mar ble tor ve ro sol is nex tri"
)
SYLLABLES = SYLLABLE_TEXT.split()
SUFFIXES = ("Corporation", "Corp", "Inc", "Holdings", "Group", "Labs", "Systems", "LLC", "")


def _company_names(count: int, rng: random.Random) -> list[str]:
    names: dict[str, str] = {}
    while len(names) < count:
        words = [
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
            for _ in range(rng.choice((1, 1, 2, 2, 3)))
        ]
        if suffix := rng.choice(SUFFIXES):
            words.append(suffix)
        name = " ".join(words)
        names.setdefault(name.lower(), name)
    return list(names.values())


def _typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    edit = rng.choice(("substitute", "delete", "insert", "swap"))
    if edit == "substitute":
        return text[:i] + letter + text[i + 1 :]
    if edit == "delete":
        return text[:i] + text[i + 1 :]
    if edit == "insert":
        return text[:i] + letter + text[i:]
    i = min(i, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _realistic_query(name: str, rng: random.Random) -> str:
    words = name.split()
    kind = rng.choice(("typo", "typo", "typo", "case", "partial", "subset", "exact"))
    if kind == "typo":
        return _typo(name, rng)
    if kind == "case":
        return rng.choice((name.lower(), name.upper()))
    if kind == "partial":
        return " ".join(words[: rng.randint(1, max(1, len(words) - 1))])
    if kind == "subset":
        kept = sorted(rng.sample(range(len(words)), rng.randint(1, len(words))))
        return " ".join(words[i] for i in kept)
    return name


def test_agrees_with_a_full_scan() -> None:
    rng = random.Random(7)
    names = _company_names(2000, rng)
    index = NameIndex(enumerate(names))
    processed = [default_process(name) for name in names]
    queries = [_realistic_query(rng.choice(names), rng) for _ in range(300)]
    agree = 0
    for query in queries:
        full = process.extractOne(
            default_process(query), processed, scorer=fuzz.WRatio, processor=None,
            score_cutoff=60,
        )
        expected = (full[2], full[1]) if full else None
        found = index.search(query, limit=1)
        got = (found[0].id, found[0].score) if found else None
        agree += got == expected
    assert agree / len(queries) >= 0.99


class _Tally:
    """What one search looked up in the index: strings probed and the letters they hold
    (hashing or finding a string costs its length). Past `limit` probes it fails at once, so
    a search whose work runs away fails in milliseconds instead of running for minutes."""

    def __init__(self, limit: int) -> None:
        self.limit, self.probes, self.letters = limit, 0, 0

    def add(self, key: str) -> None:
        self.probes += 1
        self.letters += len(key)
        assert self.probes <= self.limit, f"over {self.limit} look-ups for one query"


class _CountingTable(dict[str, list]):
    """One of the index's word tables, counting every look-up into a `_Tally`."""

    def __init__(self, table: dict[str, list], tally: _Tally) -> None:
        super().__init__(table)
        self.tally = tally

    def __contains__(self, key: object) -> bool:
        self.tally.add(str(key))
        return super().__contains__(key)

    def __getitem__(self, key: str) -> list:
        self.tally.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.tally.add(key)
        return super().get(key, default)


def _counted(index: NameIndex, tally: _Tally) -> NameIndex:
    """`index` with its look-up tables and vocabulary scans counted."""
    for table in ("_exact", "_squashed", "_postings", "_deletions"):
        setattr(index, table, _CountingTable(getattr(index, table), tally))
    for scan in ("_words_containing", "_words_starting"):
        original = getattr(index, scan)

        def counted(fragment: str, original=original) -> list[str]:
            tally.add(fragment)
            return original(fragment)

        setattr(index, scan, counted)
    return index


def _random_words(count: int, letters: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(letters))
                    for _ in range(count))


@pytest.mark.parametrize("query", [
    _random_words(1, 20_000, seed=1),
    _random_words(5_000, 5, seed=2),
    "é日本語ü" * 400,
    "a" * 20_000,
    _random_words(8, 60, seed=3),  # 487 characters: under every cap
    "acme " * 100,
], ids=["20000-letter word", "5000 words", "non-ascii run", "one letter repeated",
        "eight 60-letter words", "acme 100 times"])
def test_hostile_queries_do_bounded_work(query: str) -> None:
    """However long the query or its words, one search looks up a bounded number of
    strings holding a bounded number of letters (it used to grow with the cube of the
    longest word: ~60 CPU-seconds for one 20,000-letter word)."""
    rng = random.Random(11)
    tally = _Tally(limit=10_000)
    index = _counted(NameIndex(enumerate(_company_names(2000, rng))), tally)
    index.search(query, limit=5, cutoff=80)
    assert tally.probes <= 10_000
    assert tally.letters <= 100_000


def test_word_fragments_grow_linearly_with_the_word() -> None:
    """The fragments of a word that could be index words are at most `longest` letters, so
    a word n letters long yields at most n * longest of them, not n² / 2."""
    from store.resolve import _fragments

    word = "abcdefghij" * 2_000
    fragments = list(_fragments(word, 12))
    assert len(fragments) <= len(word) * 12
    assert max(map(len, fragments)) == 12
    # and they are exactly the short substrings, so nothing an index word could be is missed
    short = "dyncorac"
    assert list(_fragments(short, 20)) == [
        short[i:j] for i in range(len(short)) for j in range(i + 3, len(short) + 1)
        if j - i < len(short)]


def test_long_real_words_still_match_with_a_typo() -> None:
    index = NameIndex([(1, "Supercalifragilisticexpialidocious Ltd"), (2, "Acme")])
    [top] = index.search("supercalifragilisticexpialidocous", limit=1)
    assert top.id == 1
    assert index.search("acme " + "x" * 600) == []  # a paste, not a name
