"""The figures in a sentence: amounts, percentages, days, a next step, when it happened.

Each is found wherever it is in the sentence, with where it was (word positions for amounts
and percentages, character offsets in `Sentence.text` for days), so the reader after this
can tell which fact belongs to which name and what is left over. Nothing is validated here
beyond reading: a negative amount is read as negative (and refused later, in words), a
120 % discount is read as 120.

Roles of days come from the words just before them: "closing eoq", "pushed to march" are
close dates ("push our sync to thursday" is not); "f/u tmrw", "check back in 2 weeks" are
follow-ups; "until monday" is `until`; else the sentence decides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from handlers.language.calendar_days import end_of_named_month
from handlers.language.dates import find_date
from handlers.language.deal_terms import occurred_at
from handlers.language.normalise import Sentence

MAX_AMOUNT = Decimal(10) ** 12
"""No deal is worth a trillion: a longer figure is a slip of the keyboard. It is kept (and
`too_big` set), so the store refuses it with the most a deal can hold in its currency."""

_MONEY_WORD = re.compile(
    r"^(?P<sign>[-+])?(?P<symbol>[$€£])?(?P<digits>\d[\d,]*(?:\.\d+)?)(?P<scale>k|m|mm|b|bn)?$")
_SCALE = {"k": Decimal(1_000), "m": Decimal(1_000_000), "mm": Decimal(1_000_000),
          "b": Decimal(1_000_000_000), "bn": Decimal(1_000_000_000),
          "thousand": Decimal(1_000), "grand": Decimal(1_000), "million": Decimal(1_000_000),
          "mil": Decimal(1_000_000), "billion": Decimal(1_000_000_000)}
_UP = frozenset({"up", "increase", "increased", "raise", "raised", "plus", "grew", "grow",
                 "bump", "bumped", "boost", "boosted", "upped"})
_DOWN = frozenset({"down", "cut", "reduce", "reduced", "decrease", "decreased", "knock",
                   "knocked", "drop", "dropped", "lower", "lowered", "shave", "trim",
                   "slash", "slashed"})
_QUANTITY_WORDS = frozenset({"seats", "seat", "users", "user", "licenses", "licences",
                             "license", "units", "people", "days", "weeks", "months", "years",
                             "hours", "minutes", "employees", "reps", "percent", "pct"})
_MIN_BARE = Decimal(1000)  # without a symbol or scale, smaller numbers are counts or names
_BEFORE_YEAR = frozenset({"in", "of", "q1", "q2", "q3", "q4", "fy", "year", "since", "till",
                          "til", "'til", "until", "by", "before", "after", "from", "through",
                          "thru", "during", "for", "early", "mid", "late", "end", "cy"})
"""Words that make a bare figure from 1990 to 2100 a year: "no budget till 2028" sets no
amount of $2,028 (with "$" or "k" it is money whatever comes before)."""
_PERCENT_WORD = re.compile(r"^(?P<sign>-)?(?P<digits>\d{1,12}(?:\.\d+)?)%$")
CHANCE_WORDS = frozenset({"prob", "probability", "chance", "odds", "likelihood", "confidence"})
_DISCOUNT_AFTER = frozenset({"off", "discount", "discounted"})
_DISCOUNT_BEFORE = frozenset({"discount", "discounted"})  # "off" counts only after

_CLOSE_CUES = frozenset({"close", "closing", "closes", "closed", "sign", "signing", "signs",
                         "signature", "land", "landing", "lands", "expected", "expect",
                         "target", "targeting", "pushed", "push", "slip", "slipped",
                         "slipping", "slips", "pull", "pulled", "moved", "move", "date",
                         "eta", "decision", "deadline", "delayed", "delay"})
_FOLLOW_UP_CUES = frozenset({"follow", "remind", "reminder", "ping", "check", "circle",
                             "chase", "nudge", "revisit", "touch", "callback", "back",
                             "reconnect", "again"})
_UNTIL_CUES = frozenset({"until", "snooze", "snoozed", "defer", "postpone"})
_MEETINGS = frozenset({"sync", "call", "meeting", "mtg", "demo", "lunch", "kickoff", "coffee"})
_NEXT_STEP = re.compile(
    r"\b(?:(?:next|nxt)\s*steps?|ns|next(?=\s*:))"
    r"(?:\s+(?:for|on)\s+[^:,;]{1,60}?(?=\s*(?:is\b|are\b|=|:|-|–))"  # "… on tyrell platform:"
    r"|\s+(?:for|on)\s+[^:,;\s]+"  # "next step for globex send msa"
    r"|\s+[^:,;\s]+(?:\s+[^:,;\s]+){0,2}(?=\s*:))?"
    r"\s*(?:is|are|will be|=|:|-|–|\s)"
    r"\s*(?P<step>.+?)\s*"
    r"(?=$|[.;!]\s|\s+(?:and\s+)?(?:clos(?:e|ing|es)|amount|f/?u|follow[\s-]?up)\b)", re.I)


@dataclass(frozen=True, slots=True)
class Amount:
    value: Decimal  # signed, in major units
    start: int  # word positions in `Sentence.words`, end exclusive
    end: int
    explicit: bool  # a currency sign or k/m said: money for sure
    change: int = 0  # +1 "up 10k", -1 "knock 4k off": a change to the amount, not the amount


@dataclass(frozen=True, slots=True)
class Percent:
    value: Decimal
    start: int
    end: int
    discount: bool  # "20% off", "discount of 15%": a price cut, not a probability


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    role: str | None  # "close", "follow_up", "until", "gone" (time gone by) or None
    start: int  # character offsets in `Sentence.text`
    end: int
    phrase: str
    other: date | None = None  # a second reading ("next fri" on a Wednesday): ask which
    closes: date | None = None  # as a close date, when that differs ("next qtr": its last day)

    @property
    def close_day(self) -> date:
        """The day as a close date: a period said ("pushed to next month") means its end."""
        return self.closes or self.day


@dataclass(frozen=True, slots=True)
class Facts:
    amounts: tuple[Amount, ...]
    percents: tuple[Percent, ...]
    days: tuple[Day, ...]
    next_step: str | None
    occurred: datetime
    too_big: bool  # an amount past MAX_AMOUNT was typed
    occurred_day: date  # the day it happened in the rep's zone (9 pm in New York is not
    # tomorrow yet, though UTC says so): what "ahead" and "in the past" are measured from
    today: date | None = None  # the rep's own today, whatever day the message speaks of
    step_words: frozenset[int] = frozenset()  # positions of the next step's words: "next
    # step: procurement call w ivan" names a call to come, not one that happened


def read_facts(sentence: Sentence, now: datetime, tz: str, *,
               fiscal_year_start: int = 1) -> Facts:
    """Every figure in `sentence`, read at `now` in the rep's zone `tz`."""
    amounts, too_big = _amounts(sentence.words)
    step = _NEXT_STEP.search(sentence.raw)
    return Facts(
        amounts=tuple(amounts),
        percents=tuple(_percents(sentence.words)),
        days=tuple(_days(sentence.text, now, tz, fiscal_year_start)),
        next_step=_next_step(step),
        occurred=(occurred := occurred_at(sentence.text, now, tz)),
        too_big=too_big,
        occurred_day=occurred.astimezone(ZoneInfo(tz)).date(),
        today=now.astimezone(ZoneInfo(tz)).date(),
        step_words=_words_within(sentence, step.span("step")) if step else frozenset(),
    )


def _amounts(words: tuple[str, ...]) -> tuple[list[Amount], bool]:
    found: list[Amount] = []
    too_big = False
    for at, word in enumerate(words):
        match = _MONEY_WORD.match(word)
        if match is None or _looks_like_date_or_code(words, at):
            continue
        try:
            value = Decimal(match["digits"].replace(",", ""))
        except InvalidOperation:
            continue
        end = at + 1
        scale = match["scale"]
        following = words[at + 1] if at + 1 < len(words) else ""
        if scale:
            value *= _SCALE[scale]
        elif following in _SCALE:
            value *= _SCALE[following]
            end += 1
            scale = following
        elif following in _QUANTITY_WORDS or following.endswith("%"):
            continue
        explicit = bool(match["symbol"] or scale)
        if not explicit and value < _MIN_BARE:
            continue
        if not explicit and 1990 <= value <= 2100 and at > 0 and (
                words[at - 1] in _BEFORE_YEAR or words[at - 1] in _CLOSE_CUES):
            continue  # "no budget till 2028", "closing 2027": a year
        change = _change(words, at, end)
        negative = not change and (match["sign"] == "-" or (
            at > 0 and words[at - 1] in ("minus", "negative")))
        if value.copy_abs() >= MAX_AMOUNT:
            too_big = True  # kept: the store says how much a deal can hold, in its currency
        found.append(Amount(-value if negative else value, at, end, explicit, change))
    return found, too_big


def _change(words: tuple[str, ...], at: int, end: int) -> int:
    """+1 or -1 when the amount is said as a change ("went up 10k", "knock 4k off",
    "+10k", "10k more"), else 0."""
    before = words[max(0, at - 3):at]
    after = words[end:end + 2]
    if set(before) & {"to", "at", "now", "is", "of"}:
        return 0  # "raised to 120k", "cut to 80k": the new amount itself
    if words[at].startswith("+") or set(before) & _UP or "more" in after:
        return 1
    if set(before) & _DOWN or set(after) & {"off", "less", "lower"}:
        return -1
    return 0


def _looks_like_date_or_code(words: tuple[str, ...], at: int) -> bool:
    word = words[at]
    return "/" in word or word.count("-") > 1 or word.count(".") > 1


def _percents(words: tuple[str, ...]) -> list[Percent]:
    found = []
    for at, word in enumerate(words):
        value_text = None
        end = at + 1
        if (match := _PERCENT_WORD.match(word)) is not None:
            value_text = ("-" if match["sign"] else "") + match["digits"]
        elif re.fullmatch(r"\d{1,12}(?:\.\d+)?", word) and at + 1 < len(words) and \
                words[at + 1] in ("percent", "pct"):
            value_text, end = word, at + 2
        elif re.fullmatch(r"\d{1,6}", word) and at > 0 and (
                words[at - 1] in CHANCE_WORDS or (at > 1 and words[at - 2] in CHANCE_WORDS
                and words[at - 1] in ("at", "to", "of", "is", "="))):
            value_text = word  # "prob 55", "probability to 60"
        if value_text is None:
            continue
        after = words[end] if end < len(words) else ""
        before = words[max(0, at - 3):at]
        discount = after in _DISCOUNT_AFTER or any(w in _DISCOUNT_BEFORE for w in before)
        found.append(Percent(Decimal(value_text), at, end, discount))
    return found


def _days(text: str, now: datetime, tz: str, fiscal_year_start: int) -> list[Day]:
    """Every date phrase in `text`, each with its role."""
    found: list[Day] = []
    offset = 0
    while offset < len(text):
        match = find_date(text[offset:], now, tz, fiscal_year_start=fiscal_year_start,
                          ambiguous=True)
        if match is None:
            break
        start, end = offset + match.start, offset + match.end
        day, other = match.day, match.other
        if text[:start].endswith("last ") and match.phrase.lower() in _WEEKDAY_NAMES:
            today = now.astimezone(ZoneInfo(tz)).date()  # "closing last friday": gone by
            day = today - timedelta(days=(today.weekday() - day.weekday()) % 7 or 7)
            other = None
        # the cue words since the day before: "closing friday, send contract tmrw" closes
        # on friday; "closing" is not tomorrow's
        found.append(Day(day, _role(text[offset:start]), start, end, match.phrase,
                         other, match.period_end))
        offset = end
    return found + _months_alone(text, now, tz, found)


_MONTH_ALONE = re.compile(
    r"\b(?P<cue>closing|closes|close|close date|to|till|until|for|in)\s+(?:in\s+)?"
    r"(?P<month>january|february|march|april|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b"
    r"(?!\s*\d{1,2}(?:st|nd|rd|th)?\b(?![%.,]?\d|%|k\b))(?!\s+of\b)")
"""A close date said as a month alone ("closing june", "pushed to feb"): its last day. Only
after a close word, since "may", "march" and "jan" are everyday words and names too; a day
number after it is a date of its own ("feb 15"), a figure is not ("pushed to feb, 110k")."""


def _months_alone(text: str, now: datetime, tz: str, taken: list[Day]) -> list[Day]:
    found = []
    for match in _MONTH_ALONE.finditer(text):
        start = match.start("month")
        if any(d.start <= start < d.end for d in taken):
            continue
        role = "close" if match["cue"].startswith("clos") else _role(text[:start])
        if role != "close":
            continue
        month = _MONTH_NUMBERS[match["month"][:3]]
        day = end_of_named_month(month, now.astimezone(ZoneInfo(tz)).date())
        found.append(Day(day, "close", start, match.end("month"), match["month"]))
    return found


_WEEKDAY_NAMES = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday",
                            "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur",
                            "thurs", "fri", "sat", "sun"})
_MONTH_NUMBERS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def _role(before: str) -> str | None:
    """What a day is for, from the (up to) four words before it."""
    words = before.split()[-4:]
    for word in reversed(words):
        if word in _MEETINGS:
            return None  # "push our sync to thursday": the meeting's day, not the deal's
        if word in _UNTIL_CUES:
            return "until"
        if word in _FOLLOW_UP_CUES:  # not "haven't heard back in 3 wks": time gone by
            return "gone" if word == "back" and {"heard", "hear"} & set(words) else "follow_up"
        if word in _CLOSE_CUES:
            return "close"
    return None


def _words_within(sentence: Sentence, span: tuple[int, int]) -> frozenset[int]:
    return frozenset(at for at, (start, end) in enumerate(zip(sentence.starts, sentence.ends,
                                                              strict=True))
                     if start >= span[0] and end <= span[1])


def _next_step(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    step = match["step"].strip(" ,.")
    return step or None
