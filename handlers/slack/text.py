"""The one place user text and values become Slack mrkdwn.

Slack treats `&`, `<` and `>` as control characters: `<!channel>` pings everyone
and `<https://evil|bank>` forges a link. Escaping exactly those three (Slack's
"Escaping text" rule) makes any user text inert while leaving it readable.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency

LOCALE = "en_US"


_SLACK_LINK = re.compile(r"<(?P<target>[^<>|]+)(?:\|(?P<label>[^<>]*))?>")


def from_slack(text: str | None) -> str:
    """Slack's message text → what the person typed.

    Slack sends `&`, `<`, `>` escaped and wraps links and emails in `<…>`; reading them
    raw would store "Q&amp;A" and miss "AT&T". User and channel mentions (`<@U…>`,
    `<#C…>`) stay as they are, so they can be resolved by id.
    """
    def plain(match: re.Match[str]) -> str:
        target, label = match["target"], match["label"]
        if target.startswith(("@", "#")):
            return match.group(0)  # people and channels stay ids: "to <#C123|sales>"
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        return label or target

    text = _SLACK_LINK.sub(plain, (text or "").replace(LINK_MARK, ""))  # never ours to trust
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str | None) -> str:
    """Make user-supplied text safe to embed in mrkdwn or plain_text."""
    if not text:
        return ""
    return (text.replace(LINK_MARK, "").replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


LINK_MARK = "\ue000"
"""Put in front of a link the bot built, so `handlers/slack/outgoing.py` lets it pass."""


def link(url: str, label: str) -> str:
    """`<url|label>` from a builder that escaped both; the only links that reach Slack."""
    return f"{LINK_MARK}<{url}|{label}>"


def money(amount: Decimal, currency: str) -> str:
    """`$84,000.00`, `¥1,200`: the currency's own symbol and decimals."""
    return format_currency(amount, currency, locale=LOCALE)


def short_money(amount: Decimal, currency: str) -> str:
    """Whole units for cards and lists (`$84,000`); exact figures stay in reports."""
    return format_currency(amount, currency, locale=LOCALE, format="¤#,##0",
                           currency_digits=False)


def day(value: date) -> str:
    """`Fri, Nov 27, 2026`."""
    return format_date(value, "EEE, MMM d, y", locale=LOCALE)


def local_time(value: datetime, tz: str | None) -> str:
    """A UTC instant shown in the reader's zone: `Fri, Nov 27, 09:00`."""
    local = value.astimezone(ZoneInfo(tz or "UTC"))
    return f"{format_date(local.date(), 'EEE, MMM d', locale=LOCALE)}, {local:%H:%M}"


def clip(text: str, limit: int) -> str:
    """Cut to Block Kit limits without breaking in the middle of an escape sequence."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def with_article(word: str) -> str:
    """"a call", "an email": the article English puts before `word` (by its first letter;
    the activity kinds and stage names it is used for have no silent h or "uni-")."""
    article = "an" if word[:1].lower() in ("a", "e", "i", "o", "u") else "a"
    return f"{article} {word}"
