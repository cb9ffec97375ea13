"""Why a close date, as said, can't be written: said in words no day is read from, or in
the past. Each is asked about or refused before anything of the message is written, so
"150k and closing sometime soon" never writes the amount alone. Pure Python."""

from __future__ import annotations

from handlers.language.facts import Facts
from handlers.language.normalise import Sentence
from handlers.language.plan import Edits
from handlers.language.spotting import Known


def close_refusal(sentence: Sentence, facts: Facts, edits: Edits,
                  stage: Known | None) -> str | None:
    """The question to ask about the close date, or None when it can be written."""
    if _close_not_given(sentence, facts, edits):
        return ("When is it expected to close? Say a day, like `closing mar 15` or "
                "`closing end of q1`.")
    if _past_close(edits, stage, facts):
        return (f"A close date can't be in the past ({edits.close_date}); say the day it is "
                "expected to close.")
    if _close_said_past(sentence, edits):
        return "A close date can't be in the past; say the day it is expected to close."
    return None


CLOSE_CUES = frozenset({"close", "closing", "closes", "close-date"})
VAGUE_DAYS = frozenset({"soon", "sometime", "someday", "later", "eventually", "tbd", "tba",
                        "whenever", "unclear", "unknown", "undecided"})


def _close_not_given(sentence: Sentence, facts: Facts, edits: Edits) -> bool:
    """"globex: 150k and closing sometime soon": a close date said in words no day can be
    read from is asked about before anything is written, not dropped while the amount is
    written (half a message applied)."""
    if edits.close_date is not None or facts.days:
        return False
    words = sentence.words
    return any(w in CLOSE_CUES and VAGUE_DAYS & set(words[i + 1:i + 4])
               for i, w in enumerate(words))


def _close_said_past(sentence: Sentence, edits: Edits) -> bool:
    """"set the close date to yesterday": a day gone by, which the date reader leaves to
    the activity's own time, said as the close date."""
    words = sentence.words
    return edits.close_date is None and any(
        w in CLOSE_CUES or (w == "date" and "close" in words[max(0, i - 2):i])
        for i, w in enumerate(words)) and ("yesterday" in words or any(
            w == "last" and words[i + 1:i + 2] and words[i + 1] not in ("step",)
            for i, w in enumerate(words)))


def _past_close(edits: Edits, stage: Known | None, facts: Facts) -> bool:
    """An open deal's close date before the day the message speaks of ("close date
    1999-01-01") is a slip of the keyboard, refused rather than written; a deal closed as
    won or lost keeps the day it closed."""
    return (edits.close_date is not None
            and edits.close_date < (facts.today or facts.occurred_day)
            and (stage is None or stage.tag is None))
