"""What a pipeline sentence asks for, and how it rides in a button or a block id.

"for my team this quarter csv" is a `Request`; "for my team to #sales every monday 8am" a
`SubscriptionRequest` once its channel is known. The patterns here read the words; whose
deals and which dates they mean is `handlers.pipeline.flow`'s to resolve.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from store.periods import Period
from store.services.pipeline.figures import Scope

_I = re.IGNORECASE
CSV = re.compile(r"\b(?:as\s+(?:a\s+)?)?csv(?:\s+file)?\b", _I)
NO_CHART = re.compile(r"\b(?:no|without)\s+(?:charts?|pictures?|images?)\b|\btext[\s-]only\b",
                      _I)
SCHEDULE = re.compile(r"\b(?:every|each|weekly|subscribe)\b", _I)
LIST_SCHEDULES = re.compile(r"^(?:subscriptions|schedules?|scheduled(?:\s+reports)?)$", _I)
STOP_SCHEDULE = re.compile(r"^(?:unsubscribe|stop)\s+#?(?P<id>\d+)$", _I)
# Slack's `<#C…|name>`, a bare channel id, or `#name` (what `from_slack` leaves of a mention)
CHANNEL = re.compile(r"<#(?P<id>[CG][A-Z0-9]+)(?:\|[^>]*)?>"
                     r"|(?<![\w<#])(?P<bare>[CG][A-Z0-9]{6,})\b|(?<![\w<])#(?P<name>[\w-]+)")
_WEEKDAYS = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
             "fri": 4, "sat": 5, "sun": 6, "monday": 0, "tuesday": 1, "wednesday": 2,
             "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_WEEKDAY = re.compile(r"\b(?P<day>" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
                      + r")s?\b", _I)
_HOUR = re.compile(r"\b(?:at\s+)?(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>[ap])\.?m\.?\b"
                   r"|\bat\s+(?P<h24>\d{1,2})(?::(?P<m24>\d{2}))?\b", _I)
FILLER = re.compile(r"\b(?:post|send|share|put|please|the|pipeline|report|digest|to|into|"
                    r"in|every|each|weekly|on|subscribe|a)\b", _I)
SET_QUOTA = re.compile(
    r"^(?:set\s+)?quota\s+(?:for\s+)?(?P<who>.+?)\s+(?:(?:for|in)\s+)?"
    r"(?P<period>\d{4}-Q[1-4]|(?:this|next)\s+quarter|Q[1-4](?:\s+\d{4})?)\s+"
    r"(?:(?:to|at|of|=)\s+)?(?P<amount>[^\s]+)(?:\s+(?P<currency>[A-Z]{3}))?$", _I)
EVERYONE = ("everyone", "everybody", "all", "company", "whole company", "all teams")
ME = ("me", "mine", "my", "my own", "myself", "own")
MY_TEAM = ("my team", "team", "our team", "my teams", "the team")
TEAM_OF = re.compile(r"^(?:team\s+(?P<a>.+)|(?P<b>.+?)(?:'s|s')?\s+team)$", _I)
MENTION = re.compile(r"^<@(?P<id>[UW][A-Z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class Request:
    """What was asked for: whose deals, which close dates, and how to deliver."""

    scope: Scope
    period: Period | None
    csv: bool = False
    chart: bool = True

    def to_value(self) -> dict[str, Any]:
        """Compact enough for a button's value (2,000 characters)."""
        p = self.period
        return {"k": self.scope.kind, "u": self.scope.user_id, "t": self.scope.team_id,
                "p": [p.start.isoformat(), p.end.isoformat(), p.label, p.kind, p.code]
                if p else None}

    @classmethod
    def from_value(cls, value: dict[str, Any]) -> Request:
        p = value.get("p")
        period = Period(date.fromisoformat(p[0]), date.fromisoformat(p[1]), p[2], p[3],
                        p[4]) if p else None
        return cls(Scope(value.get("k") or "visible", value.get("u"), value.get("t")), period)


@dataclass(frozen=True)
class SubscriptionRequest:
    """A weekly report waiting for its channel; kept in the picker's block id."""

    scope: Scope
    weekday: int
    hour: int

    def to_block_id(self) -> str:
        return "pipesub:" + json.dumps([self.scope.kind, self.scope.user_id,
                                        self.scope.team_id, self.weekday, self.hour])

    @classmethod
    def from_block_id(cls, block_id: str) -> SubscriptionRequest:
        kind, user_id, team_id, weekday, hour = json.loads(block_id.removeprefix("pipesub:"))
        return cls(Scope(kind, user_id, team_id), int(weekday), int(hour))


def cut(text: str, match: re.Match[str]) -> str:
    """`text` without what `match` matched (a space in its place)."""
    return text[:match.start()] + " " + text[match.end():]


def weekly_slot(text: str) -> tuple[int, int, str] | None:
    """Weekday and hour said in `text` (Monday, 8:00 unless said) and the words left over;
    None when the hour is not on the hour."""
    weekday, hour = 0, 8
    if day := _WEEKDAY.search(text):
        weekday = _WEEKDAYS[day["day"].lower()]
        text = cut(text, day)
    if at := _HOUR.search(text):
        hour = int(at["h"] or at["h24"])
        if at["ampm"]:
            hour = hour % 12 + (12 if at["ampm"].lower() == "p" else 0)
        if (at["m"] or at["m24"] or "00") != "00" or not 0 <= hour <= 23:
            return None
        text = cut(text, at)
    return weekday, hour, text
