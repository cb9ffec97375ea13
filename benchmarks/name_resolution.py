"""How fast `store.resolve.NameIndex` answers, and how often it agrees with a full scan.

For 1,000, 10,000 and 100,000 generated company names: index build time, per-query median
and p95 of `NameIndex.search` and of a bare `process.extractOne` (WRatio, default_process)
over every name, and the share of queries where both pick the same name. Queries are what
reps type: exact names, case changes, one-letter typos, partial names and word subsets.
Then one "hostile input" line on the largest index: median and p95 of `NameIndex.search`
for a normal query next to one 20,000-letter word, 5,000 words and a 2,000-character
non-ASCII run (pasted text, or an attack; each once took seconds to minutes), and seven
64-letter words, the costliest query `store.resolve`'s caps still let through to matching.

    python -m benchmarks name_resolution                        # all sizes
    NAME_BENCH_SIZES=1000 python -m benchmarks name_resolution   # a quick look
    NAME_BENCH_HOSTILE_RUNS=3 python -m benchmarks name_resolution   # fewer hostile runs
"""

from __future__ import annotations

import os
import random
import statistics
import time

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from store.resolve import NameIndex

SIZES = (1_000, 10_000, 100_000)
QUERIES = 400
HOSTILE_RUNS = 20
_SYLLABLE_TEXT = (
    "ac me glo bex ini tech son vel ox ra lum in ter dyn am ix cor pa zen ith nov bri stel "
    "lar qu ant um flo wer kin dle mar ble tor ve ro sol is nex tri hal cy ber mo vi da ka "
    "lo pe su gen fin cap ar el"
)
_SYLLABLES = _SYLLABLE_TEXT.split()
_SUFFIXES = (
    "Corporation", "Corp", "Inc", "Holdings", "Group", "Labs", "Systems", "Partners",
    "Technologies", "LLC", "Industries", "Ltd", "", "", "",
)


def company_names(count: int, rng: random.Random) -> list[str]:
    """Distinct company-ish names built from syllables (case-insensitively distinct)."""
    names: dict[str, str] = {}
    while len(names) < count:
        words = [
            "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
            for _ in range(rng.choice((1, 1, 2, 2, 3)))
        ]
        if suffix := rng.choice(_SUFFIXES):
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


def realistic_query(name: str, rng: random.Random) -> str:
    """What a rep might type for `name`."""
    words = name.split()
    kind = rng.choice(("exact", "case", "typo", "typo", "partial", "subset"))
    if kind == "case":
        return rng.choice((name.lower(), name.upper()))
    if kind == "typo":
        return _typo(name, rng)
    if kind == "partial":
        return " ".join(words[: rng.randint(1, max(1, len(words) - 1))])
    if kind == "subset":
        kept = sorted(rng.sample(range(len(words)), rng.randint(1, len(words))))
        return " ".join(words[i] for i in kept)
    return name


def _median_p95(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):6.2f} /{p95:6.2f}"


def _measure(size: int) -> str:
    """One table row: build time, search vs full scan, agreement."""
    rng = random.Random(7)
    names = company_names(size, rng)
    started = time.perf_counter()
    index = NameIndex(enumerate(names))
    build_s = time.perf_counter() - started
    queries = [realistic_query(rng.choice(names), rng) for _ in range(QUERIES)]
    search_ms: list[float] = []
    scan_ms: list[float] = []
    agree = 0
    for query in queries:
        started = time.perf_counter()
        found = index.search(query, limit=1)
        search_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        full = process.extractOne(query, names, scorer=fuzz.WRatio, processor=default_process)
        scan_ms.append((time.perf_counter() - started) * 1000)
        expected = full[0] if full is not None and full[1] >= 60 else None
        agree += (found[0].name if found else None) == expected
    return (
        f"{size:>7,} {build_s:>8.2f} {_median_p95(search_ms):>18} {_median_p95(scan_ms):>21} "
        f"{100 * agree / len(queries):>8.1f}"
    )


def hostile_queries(rng: random.Random) -> dict[str, str]:
    """Inputs no rep types as a name, by label."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return {
        "20k-letter word": "".join(rng.choice(letters) for _ in range(20_000)),
        "5k words": " ".join("".join(rng.choice(letters) for _ in range(rng.randint(2, 9)))
                             for _ in range(5_000)),
        "2k non-ASCII": "".join(rng.choice("éüßøçñ日本語中文한국어русский") for _ in range(2_000)),
        # the costliest query still matched: as many of the longest words as fit the caps
        "7x64-letter words": " ".join("".join(rng.choice(letters) for _ in range(64))
                                      for _ in range(7)),
    }


def _hostile(size: int) -> str:
    """The hostile-input line: search med/p95 ms for each input, a normal query first."""
    rng = random.Random(11)
    names = company_names(size, rng)
    index = NameIndex(enumerate(names))
    runs = int(os.environ.get("NAME_BENCH_HOSTILE_RUNS", "") or HOSTILE_RUNS)
    hostile = hostile_queries(rng)
    columns = {"normal": [realistic_query(rng.choice(names), rng) for _ in range(runs)]}
    columns.update((label, [query] * runs) for label, query in hostile.items())
    cells = []
    for label, queries in columns.items():
        samples = []
        for query in queries:
            started = time.perf_counter()
            index.search(query, limit=5, cutoff=70)
            samples.append((time.perf_counter() - started) * 1000)
        cells.append(f"{label} {_median_p95(samples).replace(' ', '')}")
    return f"hostile input, {size:,} names, med/p95 ms: " + ", ".join(cells)


def run() -> None:
    print(
        f"{'names':>7} {'build s':>8} {'search med/p95 ms':>18} {'full scan med/p95 ms':>21} "
        f"{'agree %':>8}"
    )
    sizes = tuple(int(n) for n in os.environ.get("NAME_BENCH_SIZES", "").split(",") if n) or SIZES
    for size in sizes:
        print(_measure(size), flush=True)
    print(_hostile(max(sizes)), flush=True)
