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
