"""A statement and a question in one line: "globex is at 130k now — what's my pipeline?"

A rep often reports a fact and asks something in the same breath. Read whole, the line is
a question (it ends with "?"), and a question never writes, so the fact would be dropped
without a word. Cut at the sentence break between them instead (the question may come
first), the statement is read and applied on its own and the question answered after it.
Only a clause that opens the way a question does ("what…", "how's…", "did you…", "any…") is
split off, so a statement that merely ends with "?" ("acme is 50k now?") stays one doubtful
line, which the reader treats as a question.

A statement with "don't log the rest" after it ("acme renewal at 95k, no need to log the
call") is the same: the statement is applied, the declined part is not, and the reply says
so; a decline that opens the message ("don't log this but …") declines all of it. Pure
Python.
"""

from __future__ import annotations

import re

from handlers.language.mood import ASKING_FIRST, ASKING_WITH_SUBJECT, SUBJECTS, declined_at
from handlers.language.normalise import normalise

_BREAK = re.compile(r"(?:[.!;,]|\s[-–—]+)\s+(?=\S)")
_ALSO_ASKING = frozenset({"any", "anything", "anyone"})
"""Openers that ask on their own: "any news on the hooli quote?"."""


def trailing_question(text: str) -> tuple[str, str] | None:
    """(statement, question) when `text` is a statement and a question, one after the other
    across a sentence break ("acme to negotiation. what's my pipeline?", or "what's my
    pipeline? acme to negotiation"); None otherwise."""
    text = text.strip()
    mark = text.find("?")
    if 0 < mark < len(text) - 1 and "?" not in text[mark + 1:]:
        question, statement = text[:mark + 1].strip(), text[mark + 1:].strip(" .!")
        if _opens_a_question(question) and len(statement.split()) >= 2:
            return statement, question
        return None
    if not text.endswith("?"):
        return None
    for found in _BREAK.finditer(text):
        statement, question = text[:found.start()].strip(), text[found.end():].strip()
        if "?" in statement or len(statement.split()) < 2:
            continue
        if _opens_a_question(question):
            return statement, question
    return None


def _opens_a_question(clause: str) -> bool:
    words = [w.lower().strip("¿¡") for w in clause.split()]
    if not words:
        return False
    first = words[0]
    if first in ASKING_FIRST or first in _ALSO_ASKING:
        return True
    return first in ASKING_WITH_SUBJECT and len(words) > 1 and words[1] in SUBJECTS


def declined_rest(text: str) -> tuple[str, str] | None:
    """(statement, what was not done) when `text` states something and then declines the
    rest ("move acme to negotiation. don't log the rest, it's personal"); None otherwise."""
    sentence = normalise(text, decoded=True)
    found = declined_at(sentence)
    if found is None or found[0] == 0:
        return None
    start, reply = found
    statement = sentence.raw[:sentence.starts[start]].rstrip(" ,;.:-–—")
    if len(statement.split()) < 2:
        return None
    return statement, reply.replace("logged it.", "logged the rest.")
