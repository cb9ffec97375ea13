"""Abbreviations and synonyms a search treats as one: "PO" finds "purchase order" and the
other way round.

A short built-in list covers the sales words every handbook abbreviates. Admins extend it
without a deploy: any article tagged `synonyms` is read as more groups, one a line,
forms separated by `=` or `,`, e.g.

    PO = purchase order
    QBR = quarterly business review = business review

Lines that hold no `=` are ordinary text and are ignored, so the article can explain
itself. Forms are compared as the query's words are: lowercased, stop words dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.text import plain_words, stem_word

SYNONYMS_TAG = "synonyms"

BUILT_IN = """
PO = purchase order
MSA = master services agreement = master service agreement
NDA = non-disclosure agreement = nondisclosure agreement = confidentiality agreement
SOW = statement of work
POC = proof of concept
QBR = quarterly business review
EBR = executive business review
ARR = annual recurring revenue
IARR = incremental ARR = incremental annual recurring revenue
MRR = monthly recurring revenue
DPA = data processing agreement = data protection agreement
SLA = service level agreement
RFP = request for proposal
SFDC = salesforce
CPQ = configure price quote
PTO = paid time off
FAQ = frequently asked questions
LOA = leave of absence
SDR = sales development representative = sales development rep
AE = account executive
CE = customer engineer = customer engineering
TA = technical advisor
PS = professional services
BCP = business continuity plan
ROE = rules of engagement
EB = economic buyer
SSO = single sign-on
SMB = small business = small and medium business
"""

_LINE_SPLIT = re.compile(r"\s*[=,]\s*")


def _form(text: str) -> tuple[str, ...]:
    return tuple(plain_words(text))


@dataclass(frozen=True)
class Synonyms:
    groups: tuple[tuple[tuple[str, ...], ...], ...]

    @classmethod
    def parse(cls, texts: Iterable[str]) -> Synonyms:
        groups: list[tuple[tuple[str, ...], ...]] = []
        for text in texts:
            for line in text.splitlines():
                if "=" not in line:
                    continue
                forms = [f for f in (_form(part) for part in _LINE_SPLIT.split(line.strip(" -*")))
                         if f]
                unique = tuple(dict.fromkeys(forms))
                if len(unique) > 1:
                    groups.append(unique)
        return cls(tuple(groups))

    def alternatives(self, words: list[str]) -> list[tuple[str, ...]]:
        """The other forms of every group one of whose forms is in WORDS (in order)."""
        found: list[tuple[str, ...]] = []
        for group in self.groups:
            present = [f for f in group if _contains(words, f)]
            if present:
                found.extend(f for f in group if f not in present and f not in found)
        return found


    def named(self, words: list[str]) -> list[tuple[int, tuple[tuple[str, ...], ...]]]:
        """Each group one of whose forms is in WORDS, compared by their stems ("customer
        engineers" names the group of "customer engineer"): how many of WORDS the longest
        such form spans, and all the group's forms (one thing asked for, however spelt)."""
        return [(max(len(f) for f in present), group) for group in self.groups
                if (present := [f for f in group if _contains(words, f, stemmed=True)])]


def _contains(words: list[str], form: tuple[str, ...], stemmed: bool = False) -> bool:
    """Whether FORM is among WORDS, word for word (by their stems when STEMMED)."""
    n = len(form)
    if stemmed:
        words, form = [stem_word(w) for w in words], tuple(stem_word(w) for w in form)
    return any(tuple(words[i:i + n]) == form for i in range(len(words) - n + 1))


DEFAULT = Synonyms.parse([BUILT_IN])
