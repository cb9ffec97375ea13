"""'renewals this quarter', 'what renews in the next 90 days': the contracts that end.

The renewal reminders tell each owner at 90, 60 and 30 days; this answers the question a
rep or a manager asks in between, over the accounts they can see, with each contract's
renewal deal (or a word that there is none yet, which is what to act on).
"""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from handlers.conversation.turn import Turn
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import day, escape, short_money
from store.periods import find_period

DEFAULT_DAYS = 90
"""The window when none is said: the renewal reminders' first warning."""
_NEXT_DAYS = re.compile(r"\b(?:next|coming|within)\s+(\d{1,3})\s+days?\b", re.I)
_SHOWN = 15


def renewals(turn: Turn) -> Answer:
    """The contracts ending in the period said ("this month", "Q1", "next 60 days"), else
    in the next 90 days."""
    text = turn.intent.text
    today = turn.deps.clock.now().astimezone(ZoneInfo(turn.tz)).date()
    found = find_period(text, today, turn.services.pipeline.fiscal_year_start)
    days = _NEXT_DAYS.search(text)
    if found is not None:
        period, _ = found
        start, end, label = max(period.start, today), period.end, f"in {period.label}"
    else:
        count = int(days.group(1)) if days else DEFAULT_DAYS
        start, end, label = today, today + timedelta(days=count + 1), f"in the next {count} days"
    ending = turn.services.contracts.ending(turn.actor.id, start, end)
    if not ending:
        return say_text(f"No contract you can see ends {escape(label)}.", private=True)
    lines = [f"• *{escape(e.account)}* — {escape(e.name)}, {short_money(e.value, e.currency)}, "
             f"ends {day(e.end_date)}; "
             + (f"renewal deal *{escape(e.renewal)}*" if e.renewal else "no renewal deal yet")
             for e in ending[:_SHOWN]]
    more = f"\n…and {len(ending) - _SHOWN} more." if len(ending) > _SHOWN else ""
    return say_text(f"*Renewals {escape(label)}* ({len(ending)})\n" + "\n".join(lines) + more,
                    private=True)
