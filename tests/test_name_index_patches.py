"""One index of every name serves everyone: seen through a person's ids (`Within`) it answers
as an index of only their names would, and with a few names changed since it was built
(`PatchedIndex`) as an index built anew would."""

from __future__ import annotations

import random

from store.resolve import NameIndex, PatchedIndex, Within

WORDS = ["acme", "globex", "initech", "umbrella", "hooli", "wayne", "stark", "tyrell",
         "cyberdyne", "soylent", "vandelay", "pollos", "dunder", "mifflin", "aperture",
         "holdings", "labs", "group", "systems", "partners"]


def names(count: int, seed: int) -> list[tuple[int, str]]:
    rng = random.Random(seed)
    return [(i, " ".join(rng.sample(WORDS, rng.randint(1, 3))).title() + f" {i % 7}")
            for i in range(1, count + 1)]


QUERIES = ["acme", "globx holdings", "initech labs", "vandelay", "dunder mifflin 3",
           "aperture systms", "stark", "pollos group 2", "hooli partners", "tyrel"]


def test_an_index_seen_through_some_ids_answers_as_an_index_of_those_alone() -> None:
    every = names(3000, 1)
    mine = set(random.Random(2).sample([i for i, _ in every], 400))
    alone = NameIndex([e for e in every if e[0] in mine])
    seen = Within(NameIndex(every), mine)
    for query in QUERIES:
        assert seen.search(query, limit=5, cutoff=70) == alone.search(query, limit=5, cutoff=70)


def test_a_patched_index_answers_as_one_built_anew() -> None:
    every = names(3000, 3)
    index = PatchedIndex(NameIndex(every))
    renamed = {5: "Vandelay Industries", 77: "Acme Rockets", 1200: "Globex Holdings 9"}
    gone = {9, 310}
    added = {3001: "Dunder Mifflin Paper", 3002: "Tyrell Corporation"}
    index = index.patched(list(renamed.items()), set(renamed))
    index = index.patched([], gone)
    index = index.patched(list(added.items()), set(added))
    now = [(i, renamed.get(i, n)) for i, n in every if i not in gone] + list(added.items())
    fresh = NameIndex(now)
    for query in [*QUERIES, "vandelay industries", "acme rockets", "tyrell corp",
                  "dunder mifflin paper"]:
        assert index.search(query, limit=5, cutoff=70) == fresh.search(query, limit=5,
                                                                       cutoff=70), query
    mine = {5, 9, 77, 3002, 14, 15, 16}
    for query in ["vandelay", "acme", "tyrell"]:
        assert index.search(query, limit=3, cutoff=60, within=mine) == NameIndex(
            [e for e in now if e[0] in mine]).search(query, limit=3, cutoff=60), query
