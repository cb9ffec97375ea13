"""A day read two ways is asked about, never guessed.

"initech at 60k, closing next fri" said on a Wednesday is this Friday to one rep and next
week's to another; "12/03" is 3 December or 12 March, and a rep whose time zone settles no
order (UTC, Asia) could mean either. The reader marks such a day (`Ask("day")`); here it
becomes one button per reading, each carrying the message with the day written out (an ISO
date, which reads one way only), so the click re-reads it and applies every fact in it.
"""

from __future__ import annotations

import re
from datetime import date

from handlers.conversation.turn import Turn
from handlers.language.plan import Ask
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer
from handlers.slack.text import escape

READ = "read"


def said_as(day: date) -> str:
    """"Fri, Dec 4, 2026": the weekday, and the year, so nothing is left to guess."""
    return f"{day:%a, %b} {day.day}, {day.year}"


def ask(turn: Turn, normalised: str, question: Ask,
        carried: dict[str, str] | None = None) -> Answer:
    """The question for `question` (what="day"); `normalised` is the message as the reader
    wrote it (used when the phrase is not found in what was typed, as with "nxt fri");
    `carried` adds to what each button carries (a several-deal message's picks)."""
    typed = question.typed or ""
    days = sorted(date.fromisoformat(r) for r in question.readings)
    options = []
    for day in days:
        text = _written_out(turn.intent.text, normalised, typed, day)
        options.append((said_as(day), {"i": {**(carried or {}), "name": READ, "text": text}}))
    prompt = (f"Which day do you mean by “{escape(typed)}”: {said_as(days[0])} or "
              f"{said_as(days[1])}? Nothing is saved until you pick one.")
    return Answer(text=prompt, blocks=ui.choice(prompt, options), private=True)


def _written_out(text: str, normalised: str, typed: str, day: date) -> str:
    pattern = re.compile(r"(?<![\w/])" + r"\s+".join(map(re.escape, typed.split()))
                         + r"(?![\w/])", re.I)
    if typed and pattern.search(text):
        return pattern.sub(day.isoformat(), text, count=1)
    return pattern.sub(day.isoformat(), normalised, count=1)
