"""A question the language layer read, as the intent of the turn that answers it.

Questions never write, so they go to the turns that already answer them: a deal's card or
an account's summary, the pipeline summary for a period and a scope (which shows what
closes, what is stuck and what slipped), the forecast with quota attainment, the
follow-ups list, the knowledge base.
"""

from __future__ import annotations

from handlers.language.intents import Intent
from handlers.language.plan import Question, Reading
from store.periods import PERIOD_PHRASE

_TEAM_WORDS = frozenset({"team", "team's", "teams", "everyone", "everybody", "reps", "we"})


def intent_for(question: Question, reading: Reading) -> Intent | None:
    text = reading.sentence.raw
    subject = question.subject
    if question.kind in ("show", "health", "renewal") and subject is not None and subject.name:
        target = subject.name
        if question.kind == "renewal" and subject.kind == "deal" and subject.own_name \
                and target.endswith(subject.own_name) and target != subject.own_name:
            target, subject = target[:-len(subject.own_name)].strip(), None  # its account's
        name = "account" if question.kind != "show" and (
            subject is None or subject.kind == "account") else "show"
        return Intent(name, text, target=target, detail=question.kind)
    if question.kind in ("pipeline", "closing", "stuck", "slipped"):
        return Intent("pipeline", text, detail=_scope_and_period(reading))
    if question.kind in ("forecast", "quota"):
        return Intent("forecast", text, detail=_scope_and_period(reading))
    if question.kind == "followups":
        return Intent("followups", text)
    if question.kind == "renewal":
        return Intent("reminders", text)
    if text.rstrip().endswith("?") or len(reading.sentence.words) >= 3:
        return Intent("kb", text, detail=text)  # "how do we beat quillstack"
    return None  # the sentence-shape turns answer what they can, or say what they understand


def _scope_and_period(reading: Reading) -> str | None:
    """"for my team this quarter", "for dana", "next month": what the pipeline reads."""
    words = set(reading.sentence.words)
    parts = []
    people = [m for m in reading.mentions if m.kind == "user"]
    if people:
        parts.append(f"for {people[0].known.name}")
    elif words & _TEAM_WORDS:
        parts.append("for my team")
    if (period := PERIOD_PHRASE.search(reading.sentence.text)) is not None:
        parts.append(period.group(0))
    return " ".join(parts) or None
