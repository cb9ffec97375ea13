"""A question the language layer read, as the intent of the turn that answers it.

Questions never write, so they go to the turns that already answer them: a deal's card or
an account's summary, the pipeline summary for a period and a scope (which shows what
closes, what is stuck and what slipped), the forecast with quota attainment, the
follow-ups list, the knowledge base.
"""

from __future__ import annotations

from handlers.language.intents import Intent
from handlers.language.normalise import rest_after
from handlers.language.plan import Question, Reading
from store.periods import PERIOD_PHRASE

_TEAM_WORDS = frozenset({"team", "team's", "teams", "everyone", "everybody", "reps", "we"})


def intent_for(question: Question, reading: Reading) -> Intent | None:
    text = reading.sentence.raw
    subject = question.subject
    if question.kind == "show" and subject is None and question.typed:
        return Intent("show", text, target=question.typed)  # "show nosuchco": no such deal
    if question.kind == "kb" and question.text != text:
        return Intent("kb", text, detail=question.text)  # "kb sso setup": what follows kb
    if question.kind in ("show", "health", "renewal") and subject is not None and subject.name:
        target = subject.name
        if question.kind == "renewal" and subject.kind == "deal" and subject.own_name \
                and target.endswith(subject.own_name) and target != subject.own_name:
            target, subject = target[:-len(subject.own_name)].strip(), None  # its account's
        name = "account" if question.kind != "show" and (
            subject is None or subject.kind == "account") else "show"
        return Intent(name, text, target=target, detail=question.kind)
    if question.kind == "stuck":  # "which of my deals are stuck": that list, not the report
        return Intent("pipeline", text, kind="stuck", detail=_said_after("pipeline", reading))
    if question.kind in ("pipeline", "closing", "slipped"):
        return Intent("pipeline", text, detail=_said_after("pipeline", reading))
    if question.kind in ("forecast", "quota"):
        return Intent("forecast", text, detail=_said_after("forecast", reading))
    if question.kind == "followups":
        return Intent("followups", text)
    if question.kind == "renewal":  # "renewals this quarter": the contracts that end
        return Intent("renewals", text)
    if text.rstrip().endswith("?") or len(reading.sentence.words) >= 3:
        return Intent("kb", text, detail=text)  # "how do we beat quillstack"
    return None  # too short to search for: the caller says what it understands


def _said_after(report: str, reading: Reading) -> str | None:
    """"pipeline csv", "pipeline to #sales every monday 8am", "forecast quota dana 2026-Q4
    120k": a report named first takes the rest as typed (its flow reads scope, period,
    schedule and channel from it); a report asked in words, its scope and period; a
    schedule or a channel said anywhere, the whole message."""
    words = reading.sentence.words
    lead = [i for i, w in enumerate(words[:3]) if w == report]
    if lead and all(w in _OPENERS for w in words[:lead[0]]):
        return rest_after(reading.sentence, lead[0] + 1).strip() or None
    if report == "pipeline" and (_SCHEDULE & set(words) or "#" in reading.sentence.raw):
        return reading.sentence.raw
    return _scope_and_period(reading)


_OPENERS = frozenset({"show", "me", "my", "the", "get"})
_SCHEDULE = frozenset({"every", "weekly", "daily", "subscriptions", "subscription",
                       "schedule", "scheduled", "unsubscribe"})


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
