"""Requests that say what they want in a word or two, and what goes with it: help, a list
(follow-ups, reminders, leads, approvals), quiet time, the digest hour, a knowledge-base
search, a stand-in approver, a new lead, a new quote's lines, a deal given to someone.

Each is weighed like every intent, by its cue words (`CUES`), the names found and the mood
(`understanding` decides between them); what is read here is the argument: the day said,
the hour, the person named, or the rest of what the rep typed after the word that asked,
kept as typed for the turn that answers it (`Command.args`: "detail", "target").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from handlers.language.cues import HELP_PHRASES, LIST_FILLER, LISTS, QUOTE_ACTIONS
from handlers.language.facts import Facts
from handlers.language.normalise import Sentence, rest_after
from handlers.language.plan import Ask, Command, Plan, Question
from handlers.language.spotting import Mention

_LEADING = " \t:,;.-–—=>"
_HOUR = re.compile(r"^(?P<hour>\d{1,2})(?::(?P<minutes>\d{2}))?(?P<ampm>am|pm)?$")
_QUOTE_OPENERS = frozenset({"new", "create", "make", "draft", "build", "start", "a", "please"})


def request_plan(sentence: Sentence, mentions: tuple[Mention, ...], facts: Facts,
                 scores: Mapping[str, float]) -> Plan | None:
    """The request the message makes, or None when it makes none of these."""
    words = sentence.words
    writes = max(scores["log"], scores["edit"], scores["move"])
    if sentence.text.strip(" ?.!") in HELP_PHRASES:
        return Plan("help")
    if (listed := _list_named(sentence, mentions)) is not None:
        return Plan(listed)  # a list only reads
    if scores["mute"] >= 6 or (scores["mute"] >= 3 and "reminders" in words):
        return _mute(sentence, facts)
    if scores["digest"] >= 6 and writes < 3 and not sentence.is_question:
        return _digest(sentence)
    if scores["kb"] >= 5 and writes < 4:
        return _kb(sentence)
    if scores["delegate"] >= 6:
        return Plan("delegate", command=Command("delegate", args={
            "target": _after(sentence, {"to", "delegate", "delegating", "approvals",
                                        "approval"})}))
    if (report := _report_first(words)) is not None:
        return Plan("question", question=Question(report, None, sentence.raw))
    at = _lead_word(sentence)
    if at is not None and not sentence.is_question and (
            scores["log"] < 3 or all(w in _LEAD_OPENERS for w in words[:at])):
        return Plan("lead", command=Command("lead", args={"detail": _lead_detail(sentence, at)}))
    if (said := _as_a_lead(sentence)) is not None:
        return Plan("lead", command=Command("lead", args={"detail": said}))
    if _opens_with_quote(words) and not any(m.kind == "quote" for m in mentions):
        return _quote_lines(sentence, mentions)
    decided = [QUOTE_ACTIONS[w] for w in words if QUOTE_ACTIONS.get(w) in ("approve", "reject")]
    if decided and {"quote", "quotes"} & set(words) and not mentions:
        return Plan("quote", command=Command("quote", None, {"action": decided[0]}),
                    asks=(Ask("quote"),))  # "approve the quote": which one?
    if max(scores["done"], scores["snooze"]) >= 4 and not mentions and len(words) <= 3 \
            and writes < 2 and scores["thanks"] < 2:  # "done", "snooze it": which one?
        name = "done" if scores["done"] >= scores["snooze"] else "snooze"
        return Plan(name, command=Command(name), asks=(Ask("account"),))
    if scores["owner"] >= 2 and not sentence.is_question:
        return _owner(sentence, mentions)
    return None


def _list_named(sentence: Sentence, mentions: tuple[Mention, ...]) -> str | None:
    """"my follow-ups", "what's due today", "approvals", "coming up": a list by its name,
    with nothing else said (a name in it makes it a question about that name)."""
    if mentions:
        return None
    content = {w.strip("?!.") for w in sentence.words} - LIST_FILLER
    if not content:
        return "followups" if {"due", "today", "have"} & set(sentence.words) else None
    for name, said in LISTS.items():
        if content <= said:
            return name
    return None


def _mute(sentence: Sentence, facts: Facts) -> Plan:
    """"mute reminders until monday" (no day: until tomorrow); "unmute", "resume"."""
    if {"unmute", "resume"} & set(sentence.words):
        return Plan("mute", command=Command("mute", args={"detail": None}))
    until = facts.days[0].phrase if facts.days else "tomorrow"
    return Plan("mute", command=Command("mute", args={"detail": until}))


def _digest(sentence: Sentence) -> Plan:
    """"digest at 8am", "digest 17", "digest off": the hour on a 24-hour clock, or "off";
    no hour said is asked for."""
    words = sentence.words
    if {"off", "stop", "never", "none", "disable", "cancel"} & set(words):
        return Plan("digest", command=Command("digest", args={"detail": "off"}))
    for at, word in enumerate(words):
        if (found := _HOUR.match(word)) is None:
            continue
        ampm = found["ampm"] or (words[at + 1] if at + 1 < len(words)
                                 and words[at + 1] in ("am", "pm") else None)
        hour = int(found["hour"])
        if ampm:
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        if found["minutes"] not in (None, "00"):  # "7:30am": on the hour only, so ask
            return Plan("digest", command=Command("digest", args={"detail": str(hour)}),
                        asks=(Ask("on the hour"),))
        return Plan("digest", command=Command("digest", args={"detail": str(hour)}))
    return Plan("digest", command=Command("digest"), asks=(Ask("hour"),))


def _kb(sentence: Sentence) -> Plan:
    """"kb sso setup", "search the wiki for pricing objections": what follows the word."""
    at = next(i for i, w in enumerate(sentence.words) if w in ("kb", "wiki", "knowledge",
                                                                  "base", "search"))
    while at + 1 < len(sentence.words) and sentence.words[at + 1] in (
            "kb", "wiki", "base", "for", "about", "on", "the", "search"):
        at += 1
    query = rest_after(sentence, at + 1).lstrip(_LEADING) or sentence.raw
    return Plan("question", question=Question("kb", None, query))


def _lead_word(sentence: Sentence) -> int | None:
    """Where "lead" opens what the rep says about one: "lead: jane doe, foo corp",
    "got a lead - …", "new inbound lead from the webinar: …" (in the first words)."""
    for at, word in enumerate(sentence.words[:5]):
        if word == "lead":
            return at
    return None


def _lead_detail(sentence: Sentence, at: int) -> str | None:
    """What follows "lead"; "new lead from the webinar: ana lima, …" puts where it came
    from after the person, where the lead reader looks for it."""
    rest = rest_after(sentence, at + 1).lstrip(_LEADING)
    head, colon, tail = rest.partition(":")
    if colon and tail.strip() and re.match(r"(?i)^(?:from|via|at|through)\b", head.strip()):
        return f"{tail.strip()}, {head.strip()}"
    return rest or None


def _as_a_lead(sentence: Sentence) -> str | None:
    """"met a guy at the booth, chris lang, cto at hyperion. add as lead": the words
    before "add (it) as a lead" are the lead."""
    words = sentence.words
    for at in range(1, len(words)):
        if words[at] == "lead" and at == len(words) - 1 and (
                words[at - 1] == "as" or words[at - 2:at] == ("as", "a")):
            start = at - (2 if words[at - 1] == "as" else 3)
            while start > 0 and words[start - 1] in ("add", "them", "him", "her", "it",
                                                      "please", "and"):
                start -= 1
            said = sentence.raw[:sentence.starts[start]].strip(" .,;:-") if start > 0 else ""
            pieces = [p.strip() for p in re.split(r"[,;]", said) if p.strip()]
            story = [p for p in pieces if p.split()[0].lower() in _HOW_MET]
            return ", ".join([p for p in pieces if p not in story] + story) or None
    return None


_HOW_MET = frozenset({"met", "saw", "spoke", "talked", "chatted", "found", "got"})
"""Words opening how the rep came across a lead: said last, as where it came from."""
_LEAD_OPENERS = frozenset({"new", "got", "a", "an", "add", "inbound", "hot", "another", "i",
                           "we", "have", "just", "fresh", "quick", "warm", "please"})
_REPORT_OPENERS = frozenset({"show", "me", "my", "the", "get"})


def _report_first(words: tuple[str, ...]) -> str | None:
    """"pipeline csv", "forecast quota dana 2026-Q4 100k": a report named first is asked
    for, whatever figures follow (its flow reads them)."""
    for word in words[:3]:
        if word in ("pipeline", "forecast"):
            return word
        if word not in _REPORT_OPENERS:
            return None
    return None


def _opens_with_quote(words: tuple[str, ...]) -> bool:
    """"quote globex expansion: …", "new quote for acme", "make a quote for hooli"."""
    for word in words[:4]:
        if word == "quote":
            return True
        if word not in _QUOTE_OPENERS:
            return False
    return False


def _quote_lines(sentence: Sentence, mentions: tuple[Mention, ...]) -> Plan:
    """The deal a new quote is for, as typed, and its lines (after a colon, or the figures
    after the deal's name)."""
    raw = sentence.raw
    at = sentence.words.index("quote")
    head, colon, lines = rest_after(sentence, at + 1).partition(":")
    target = re.sub(r"^\s*(?:for|on|to)\s+", "", head, flags=re.I).strip(_LEADING)
    detail = lines.strip() if colon else None
    named = [m for m in mentions if m.kind in ("deal", "account")]
    if not colon and named:
        last = max(named, key=lambda m: m.end)
        target = raw[sentence.starts[named[0].start]:sentence.ends[last.end - 1]]
        rest = rest_after(sentence, last.end).lstrip(_LEADING)
        detail = rest if rest[:1].isdigit() else None
    return Plan("quote", command=Command("quote", args={"target": target, "detail": detail}))


def _owner(sentence: Sentence, mentions: tuple[Mention, ...]) -> Plan | None:
    """"give the hooli deal to fox", "reassign acme renewal to @dana": the deal as named
    (or typed) and the person after "to"."""
    words = sentence.words
    if "to" not in words:
        return None
    to = len(words) - 1 - words[::-1].index("to")
    person = next((m for m in mentions if m.kind == "user" and m.start > to), None)
    who = person.known.name if person else rest_after(sentence, to + 1).strip(" .!")
    if not who:
        return None
    named = [m for m in mentions if m.kind in ("deal", "account") and m.end <= to]
    if named:
        first, last = named[0], max(named, key=lambda m: m.end)
        target = sentence.raw[sentence.starts[first.start]:sentence.ends[last.end - 1]]
    else:
        cue = next((i for i, w in enumerate(words) if w in ("give", "gave", "assign", "hand",
                                                            "reassign", "transfer", "handed")),
                   -1)
        target = " ".join(words[cue + 1:to])
    target = re.sub(r"^(?:the|our|my)\s+", "", target.strip(), flags=re.I)
    if not target:
        return None
    return Plan("owner", command=Command("owner", args={"target": target, "detail": who}))


def _after(sentence: Sentence, words: set[str]) -> str:
    """What was typed after the last of `words` said in the message's first few."""
    last = -1
    for at, word in enumerate(sentence.words[:6]):
        if word in words:
            last = at
    return rest_after(sentence, last + 1).strip(" .!") if last >= 0 else sentence.raw
