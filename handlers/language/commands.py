"""Messages that are one command or one question: snooze or finish a follow-up, decide a
quote, change someone's role, ask about the pipeline, a deal or the knowledge base."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

from handlers.language.cues import QUESTION_KINDS, QUOTE_ACTIONS, ROLE_WORDS
from handlers.language.deal_facts import refusals_of
from handlers.language.facts import Facts
from handlers.language.normalise import Sentence
from handlers.language.plan import Ask, Command, Plan, Question
from handlers.language.spotting import Mention, stem
from handlers.language.subjects import subject_of


def question(sentence: Sentence, mentions: tuple[Mention, ...]) -> Question:
    account, deal, _asks = subject_of(mentions)
    words = set(sentence.words) | {stem(w) for w in sentence.words}
    if (deal or account) and "looking" in words and not words & {"pipeline", "forecast"}:
        return Question("health", deal or account, sentence.raw)  # "how's umbrella looking"
    for kind, cues in QUESTION_KINDS.items():
        if words & set(cues):
            if kind == "health" and not (account or deal):
                continue
            return Question(kind, deal or account, sentence.raw)
    if deal or account:
        return Question("show", deal or account, sentence.raw)
    return Question("kb", None, sentence.raw)


def follow_up_plan(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts,
                    scores: Mapping[str, float]) -> Plan:
    account, _deal, asks = subject_of(mentions)
    every = account is None and bool(EVERY & set(sentence.words))  # "snooze all my f/us"
    if scores["snooze"] >= scores["done"]:
        until = next((d.day for d in facts.days), None) or _for_a_while(sentence, facts)
        command = Command("snooze", account, {"until": until, "all": every})
        if until is None:
            asks.append(Ask("date"))
    else:
        command = Command("done", account, {"all": every})
    return Plan(command.name, account=account, command=command, asks=tuple(asks))


_WHILE = re.compile(r"\b(?P<n>\d{1,2}|a|an|one|two|three)\s*(?P<unit>days?|weeks?)\b")
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3}


def _for_a_while(sentence: Sentence, facts: Facts) -> date | None:
    """"snooze the cyberdyne f/u 2 days": that many days (or weeks) from today."""
    found = _WHILE.search(sentence.text)
    if found is None:
        return None
    count = _COUNTS.get(found["n"]) or int(found["n"])
    days = count * (7 if found["unit"].startswith("week") else 1)
    return (facts.today or facts.occurred_day) + timedelta(days=days)


EVERY = frozenset({"all", "every", "everything", "each"})
"""Words that make a snooze or a done about every follow-up due ("snooze all my follow-ups
till monday"), not one to be named."""


def quote_plan(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts) -> Plan:
    quote = next((m.known for m in mentions if m.kind == "quote"), None)
    action = next((QUOTE_ACTIONS[w] for w in sentence.words if w in QUOTE_ACTIONS), None)
    if sentence.is_question or sentence.words[:1] in ASKED_FIRST:
        action = "show"  # "who approved Q-…?", "was Q-… sent": a question never decides
    args: dict[str, object] = {"action": action or "show"}
    subject = next((m.known for m in mentions if m.kind in ("deal", "account")), None)
    if quote is None and args["action"] == "show" and subject is not None:
        args.update(target=subject.name, kind="show")  # "status of my globex quote"
    discounts = [p for p in facts.percents if p.discount or action == "revise"]
    if discounts:
        args["discount_pct"] = discounts[0].value
    return Plan("quote", command=Command("quote", quote, args),
                refusals=tuple(refusals_of(facts)))


ASKED_FIRST = frozenset({("has",), ("have",), ("was",), ("were",), ("did",), ("does",)})
"""First words that make a message about a quote a question even with no "?"."""


def role_plan(sentence: Sentence, mentions: tuple[Mention, ...]) -> Plan:
    user = next((m.known for m in mentions if m.kind == "user"), None)
    role = next((ROLE_WORDS[w] for w in sentence.words if w in ROLE_WORDS), None)
    who = user.name if user else (sentence.users[0] if sentence.users else
                                  "me" if "me" in sentence.words else None)
    asks = () if who and role else (Ask("user" if who is None else "role"),)
    return Plan("role", command=Command("role", user, {"role": role, "who": who}), asks=asks)
