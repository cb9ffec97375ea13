"""How one typed word may be another: a crude English stem, and one typing slip.

Kept small on purpose: the spotter compares a typed word with the names' words through
these, so each costs a few string operations, never a scan.
"""

from __future__ import annotations

_STEM_ENDINGS = (("ations", "at"), ("ation", "at"), ("ings", ""), ("ing", ""), ("ions", ""),
                 ("ion", ""), ("ed", ""), ("es", ""), ("s", ""), ("e", ""))


def stem(word: str) -> str:
    """A crude English stem, enough for "negotiating" to meet "negotiation"."""
    for ending, instead in _STEM_ENDINGS:
        if len(word) - len(ending) >= 4 and word.endswith(ending):
            return word[: -len(ending)] + instead
    return word


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def one_edit(a: str, b: str) -> bool:
    """One letter missing, extra, wrong or two neighbours swapped."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
