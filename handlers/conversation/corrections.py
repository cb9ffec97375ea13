"""A correction typed right after a change: "virtucon is 75k", then "oops meant 57k". The
second line names no deal; it is about the one just changed, so it goes there instead of
asking which deal. Only a change of a deal's fields said with no name at all, and only
within half an hour of the rep's last change, which must have been to a deal (and not
undone since): anything else is asked about as before."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from handlers.conversation.turn import Turn
from handlers.language.deal_facts import said_as_correction
from handlers.language.plan import Plan, Reading
from handlers.language.spotting import Known

JUST_NOW = timedelta(minutes=30)


def corrected_last(turn: Turn, plan: Plan, reading: Reading) -> Plan:
    """`plan` about the deal the rep just changed, when it corrects that change; else
    `plan` as it was."""
    if plan.intent != "edit" or plan.account or plan.deal or plan.activity \
            or any(a.what != "subject" for a in plan.asks) \
            or not said_as_correction(reading.sentence):
        return plan
    since = turn.deps.clock.now() - JUST_NOW
    deal_id = turn.services.undo.last_deal(turn.actor.id, since)
    deal = turn.directory.open_deal(turn.actor.id, deal_id) if deal_id else None
    if deal is None:
        return plan
    return replace(plan, deal=Known("deal", deal.id, deal.display), asks=(),
                   unknown_name=None, unknown_rest=None)
