"""A typed message made readable once, for every reader after it.

Reps write between two calls: `mtg w/ acme re pricing, f/u tmrw 🎉`. Each reader (amounts,
dates, names, cue words) would otherwise deal with Slack's escapes, emoji, case and sales
shorthand on its own, and each would do it a little differently. `normalise` does it once:

- Slack's escapes are decoded: `<@U123|dana>` → `@dana` (the id is kept in `users`),
  `<#C1|sales>` → `#sales`, `<https://x|label>` → `label`, `<mailto:a@b|a@b>` → `a@b`,
  `&amp;` `&lt;` `&gt;` → `&` `<` `>`;
- emoji (characters and `:shortcodes:`) are dropped; a celebrating one (🎉 :tada: 🥳 🍾 🙌)
  is remembered in `cheer`, since "oscorp pilot closed 🎉" is a win;
- words are lower-cased and sales shorthand is spelled out from `SHORTHAND`
  (`mtg` → `meeting`, `w/` → `with`, `eoq` → `end of quarter`, `tmrw` → `tomorrow`);
- the sentence's mood is read: a question (a `?`, or a question word first) never writes.

`raw` keeps what the rep typed (escapes decoded, emoji dropped) for an activity's body: the
bot stores the rep's words, not its reading of them. Linear in the text's length.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SHORTHAND: dict[str, str] = {
    # meetings and calls
    "mtg": "meeting", "mtgs": "meetings", "mtng": "meeting", "meet": "meet", "appt": "appointment",
    "vm": "voicemail", "v/m": "voicemail", "convo": "conversation", "conf": "conference",
    # glue words
    "w/": "with", "w": "with", "w/o": "without", "re": "about", "re:": "about", "abt": "about",
    "b/c": "because", "bc": "because", "cuz": "because", "thru": "through", "til": "until",
    "till": "until", "untill": "until", "n": "and", "&": "and", "+": "and", "pls": "please",
    "plz": "please", "thx": "thanks", "ty": "thanks", "tks": "thanks", "u": "you", "ur": "your",
    "nxt": "next", "lmk": "let me know", "asap": "as soon as possible", "msg": "message",
    "ppl": "people", "mgr": "manager", "acct": "account", "cust": "customer", "approx": "about",
    # follow-ups
    "f/u": "follow up", "fu": "follow up", "fup": "follow up", "followup": "follow up",
    "follow-up": "follow up", "followups": "follow ups", "follow-ups": "follow ups",
    "f/us": "follow ups",
    # days and periods
    "tmrw": "tomorrow", "tmr": "tomorrow", "tmw": "tomorrow", "tmrow": "tomorrow",
    "tomoz": "tomorrow", "2moro": "tomorrow", "2morrow": "tomorrow", "tommorow": "tomorrow",
    "tomorow": "tomorrow", "tommorrow": "tomorrow", "yday": "yesterday", "yest": "yesterday",
    "yesterdy": "yesterday", "tdy": "today", "2day": "today", "tonite": "tonight",
    "eod": "end of day", "cob": "end of day", "eow": "end of week", "eom": "end of month",
    "eoq": "end of quarter", "eoy": "end of year", "wk": "week", "wks": "weeks",
    "wknd": "weekend", "qtr": "quarter",
    "qtrs": "quarters", "mos": "months", "yr": "year", "yrs": "years", "hr": "hour", "hrs": "hours",
    "mins": "minutes", "min": "minutes",
    # deals
    "opp": "deal", "opps": "deals", "oppty": "deal", "opty": "deal", "oppy": "deal",
    "opportunity": "deal", "opportunities": "deals", "pipe": "pipeline", "fcst": "forecast",
    "ns": "next step", "ns:": "next step:", "e-mail": "email", "emails": "email",
    "demo'd": "demoed", "demod": "demoed",
    "mtg'd": "met", "mtgd": "met", "@": "at", "vc": "video call",
    "ctrl+z": "undo",
}
"""Sales shorthand → the words every reader after `normalise` knows. Only spellings with a
single reading in a sales chat are here ("prop" is not: it is a stage for one team and a
proposal document for another, so the stage names decide it)."""

CHEERS = frozenset("🎉🥳🍾🙌🎊🏆💰🚀✅💪")
CHEER_CODES = frozenset({"tada", "partying_face", "champagne", "raised_hands", "confetti_ball",
                         "trophy", "moneybag", "rocket", "white_check_mark", "muscle", "fire"})

_SLACK_ESCAPE = re.compile(r"<(?P<body>[^<>]{1,600})>")
_SHORTCODE = re.compile(r":(?P<code>[a-z0-9_+-]{1,40}):")
_QUESTION_WORDS = frozenset({"how", "what", "what's", "whats", "why", "when", "where", "which",
                             "who", "whose", "can", "could", "do", "does", "is", "are",
                             "should", "will", "would", "any", "anything", "hows", "how's",
                             "where's", "wheres", "when's", "whens", "who's", "am"})
# A word: letters/digits with inner apostrophes, dots, slashes, hyphens and a leading
# currency sign or trailing % kept, so "$1.2m", "3/15", "q-2026-0006", "f/u", "20%" stay one.
_WORD = re.compile(r"-?[$€£]?[\w@#]+(?:['’./\-:&]\w+|,\d{3}(?!\d))*%?|[&+]")
_ARROW = re.compile(r"\s*(?:->|=>|→|⇒|➡️?)\s*")
_AT_SIGN = re.compile(r"(?<=[a-z])@(?=[a-z][\w-]*(?:\s|$|[,;:!?]))")  # "mtg@acme"; not e-mail
_JOINED = re.compile(r"(?<=[a-z])[-/.](?=[a-z])")  # "add-on", "proposal/price", "acme.example"
_POLITE = frozenset({"can", "could", "would", "will", "pls", "please"})
_TELLING_TOO = frozenset({"will", "do", "should", "can", "could", "would"})
_THEN_TELLS = frozenset({"a", "an", "not", "call", "email", "ping", "text", "meet", "demo", "send",
                         "move", "log", "follow", "circle", "check", "reach", "visit", "push",
                         "chase", "update", "loop", "set", "book", "schedule", "present"})
"""After a word that may open a question, words that make it a statement without a "?":
"will call acme tmrw" is a plan, "do a demo friday" an order, "will acme sign?" a question."""


def opens_clause(sentence: Sentence, word: int) -> bool:
    """Whether word number `word` starts the message or a clause of it (after , ; . : -)."""
    before = sentence.raw[:sentence.starts[word]].rstrip() if word < len(sentence.starts) else ""
    return not before or before[-1] in ",;.:!?-–—("


_BETWEEN_FACTS = frozenset(",;/:|\n–—-")


def stands_alone(sentence: Sentence, start: int, end: int) -> bool:
    """Whether words[start:end] are a clause of their own, set off by commas, dashes or a
    colon before them, and after them too unless the message ends there: "sent proposal,
    125k, they want…" (a figure said so is the deal's amount, not one mentioned in passing),
    "hooli pilot: needs analysis, 30k" (a stage said so is where the deal now is)."""
    raw, starts, ends = sentence.raw, sentence.starts, sentence.ends
    opened = start > 0 and bool(_BETWEEN_FACTS & set(raw[ends[start - 1]:starts[start]]))
    closed = end == len(sentence.words) or bool(
        _BETWEEN_FACTS & set(raw[ends[end - 1]:starts[end]]))
    return opened and closed


def rest_after(sentence: Sentence, word: int) -> str:
    """What the rep wrote after word number `word` (exclusive), as they wrote it."""
    if word <= 0:
        return sentence.raw
    if word > len(sentence.ends):
        return ""
    return sentence.raw[sentence.ends[word - 1]:]


@dataclass(frozen=True, slots=True)
class Sentence:
    """A message read once: `words` lower-cased with shorthand spelled out, `text` the same
    words joined by single spaces, `raw` what the rep wrote (escapes decoded, emoji gone)."""

    raw: str
    text: str
    words: tuple[str, ...]
    ends: tuple[int, ...]  # where each word's source ends in `raw` ("the rest of what was said")
    starts: tuple[int, ...]  # and where it starts
    users: tuple[str, ...]
    is_question: bool
    cheer: bool


def decode_slack(text: str) -> tuple[str, tuple[str, ...]]:
    """Slack's escaped markup → plain text, and the user ids it @mentions, in order."""
    users: list[str] = []

    def plain(found: re.Match[str]) -> str:
        body = found["body"]
        target, _, label = body.partition("|")
        if target.startswith("@"):
            users.append(target[1:])
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return label or target[1:].split("^")[0]
        if target.startswith("mailto:"):
            return label or target[len("mailto:"):]
        return label or target

    decoded = _SLACK_ESCAPE.sub(plain, text)
    decoded = decoded.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return decoded, tuple(users)


def _drop_emoji(text: str) -> tuple[str, bool]:
    cheer = False

    def code(found: re.Match[str]) -> str:
        nonlocal cheer
        cheer = cheer or found["code"] in CHEER_CODES
        return " "

    text = _SHORTCODE.sub(code, text)
    kept = []
    for char in text:
        if char in CHEERS:
            cheer = True
        category = unicodedata.category(char)
        # So: pictographs; Sk: skin tones; Cf: zero-width joiners and variation selectors
        if category in ("So", "Sk", "Cf") or 0x1F000 <= ord(char) <= 0x1FAFF:
            kept.append(" ")
        else:
            kept.append(char)
    return "".join(kept), cheer


def normalise(text: str, *, decoded: bool = False) -> Sentence:
    """Read `text` once (see the module docstring); linear in its length. With `decoded`,
    Slack's escapes were read already (`handlers.slack.text.from_slack`): "<tomorrow>" is
    what the rep typed, and only mentions (`<@U1|dana>`, kept as ids there) are read."""
    if decoded:
        text = text or ""
        users = tuple(m.group(1) for m in re.finditer(r"<@([A-Z0-9]+)(?:\|[^<>]*)?>", text))
        decoded_text = text  # as typed: the body keeps "<@U1>", the words read "@u1"
    else:
        decoded_text, users = decode_slack(text or "")
    raw, cheer = _drop_emoji(_ARROW.sub(" -> ", decoded_text))  # "➡️" before emoji go
    raw = " ".join(raw.split())  # each arrow is "->", read as "to": two letters each
    lowered = raw.lower().replace("’", "'").replace("->", "to")  # so offsets stay raw's
    lowered = _AT_SIGN.sub(" at ", lowered)
    words: list[str] = []
    ends: list[int] = []
    starts: list[int] = []
    for found in _WORD.finditer(lowered):
        word = found.group(0)
        spelled = SHORTHAND.get(word)
        if spelled is None and word.endswith(":"):
            spelled = SHORTHAND.get(word[:-1])
        for part in _split(spelled or word):
            words.append(part)
            ends.append(min(found.end(), len(raw)))
            starts.append(min(found.start(), len(raw)))
    return Sentence(raw=raw, text=" ".join(words), words=tuple(words), ends=tuple(ends),
                    starts=tuple(starts),
                    users=users, is_question=_asks(raw, words), cheer=cheer)

    # (`lowered` has `raw`'s length but for a few letters whose lower case is longer, such
    # as "İ"; `ends` is clamped to `raw`, so at worst "the rest" starts a letter early.)


def _split(word: str) -> list[str]:
    """Words joined by "-", "/" or "." are each a word ("add-on" is "add on", as a name
    is read); numbers, quote numbers and e-mail addresses stay whole."""
    if "@" in word or word[:1].isdigit() or re.match(r"^-?[$€£]?\d", word) \
            or re.match(r"^q-?\d", word):
        return word.split()
    return _JOINED.sub(" ", word).split()


def _asks(raw: str, words: list[str]) -> bool:
    """A question, not a request: "can you move acme to proposal?" asks the bot to write."""
    if len(words) > 2 and words[0] in _POLITE and words[1] == "you":
        return False
    if raw.rstrip().endswith("?"):
        return True
    if len(words) > 1 and words[0] in _TELLING_TOO and words[1] in _THEN_TELLS:
        return False  # "will call acme tmrw", "do a demo for globex fri": said, not asked
    return len(words) > 1 and words[0] in _QUESTION_WORDS
