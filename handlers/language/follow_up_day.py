"""The follow-up day of an activity that happened: a day said as one ("f/u friday"), else
a day ahead that is not the close date ("called acme, friday"); never a stretch of time
said of budgets and plans ("budget approved for q1"). Pure Python."""

from __future__ import annotations

from datetime import date

from handlers.language.facts import Facts
from handlers.language.plan import Edits


def follow_up_day(facts: Facts, edits: Edits) -> date | None:
    """The follow-up of an activity that happened: a day said as one, else a day ahead
    that is not the close date ("called acme, friday"); "today" is when it happened."""
    follow_up = next((d.day for d in facts.days if d.role == "follow_up"), None)
    if follow_up is None and not edits.close_date:  # "budget approved for q1": no to-do
        follow_up = next((d.day for d in facts.days if d.role is None
                          and d.day > facts.occurred_day and not a_period(d.phrase)), None)
    return follow_up


def a_period(phrase: str) -> bool:
    """"q1", "next quarter", "eoy", "next month": a stretch of time, said of budgets and
    plans, not the day of a to-do (unless the rep says "f/u in q1")."""
    words = set(phrase.lower().replace("-", " ").split())
    return bool(words & PERIOD_WORDS) or any(
        len(w) == 2 and w[0] == "q" and w[1] in "1234" for w in words)


PERIOD_WORDS = frozenset({"quarter", "qtr", "month", "year", "eoq", "eoy", "eom", "h1", "h2",
                          "end of quarter", "end of year", "fy"})
