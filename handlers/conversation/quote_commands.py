"""Quotes decided in words, by number, with the rules and the notices of the buttons:
"approve Q-2026-0006", "reject Q-2026-0004, 20% is too rich", "mark Q-2026-0001 sent",
"revise Q-2026-0002 to 12% off", "customer accepted Q-2026-0001"."""

from __future__ import annotations

import logging
import re
from decimal import Decimal

from handlers.conversation.turn import Turn
from handlers.language.intents import Intent
from handlers.language.plan import Plan, Reading
from handlers.language.quote_text import said_accepted
from handlers.quotes.flow import QuoteFlow
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape
from store.services.quotes.by_deal import DealQuotes

log = logging.getLogger(__name__)
_NUMBER = re.compile(r"\bq-?\d{4}-?\d{1,6}\b[\s,:;.\-–—]*", re.I)
_QUOTE_WORD = re.compile(r"\bquote\b[\s,:;.\-–—]*", re.I)


def run(turn: Turn, plan: Plan, reading: Reading, flow: QuoteFlow) -> Answer | Intent | None:
    command = plan.command
    if command is not None and command.target is None \
            and command.args.get("action") in ("approve", "reject"):
        return _decide_by_deal(turn, flow, reading, str(command.args["action"]))
    if command is not None and command.target is None and command.args.get("action") == "sent":
        return _sent_by_deal(turn, flow, reading)
    if command is None or command.target is None:
        return None  # "approve the quote": the sentence-shape turns ask which
    number, action = command.target.name, str(command.args.get("action") or "show")
    if action == "show" and "history" in reading.sentence.words:  # "quote Q-… history"
        return Intent("quote", reading.sentence.raw, target=f"{number} history")
    numbers = list(dict.fromkeys(m.known.name for m in reading.mentions if m.kind == "quote"))
    if action in ("approve", "reject"):
        return _decide(turn, flow, numbers or [number], action, _reason(reading))
    if action == "sent":
        return _mark_sent(turn, flow, number)
    if action == "show" and said_accepted(reading.sentence.raw):
        return flow.accepted(turn.actor, number)  # what the Customer accepted button does
    if action == "revise" and command.args.get("discount_pct") is not None:
        revised = turn.services.quotes.revise_discount(
            turn.actor.id, number, Decimal(str(command.args["discount_pct"])))
        return say_text(f"Revised {escape(revised.label)} to {command.args['discount_pct']}% "
                        "off; ask for approval again when it is ready.")
    return Intent("quote", reading.sentence.raw, target=number)  # show it, with its buttons


def _mark_sent(turn: Turn, flow: QuoteFlow, number: str) -> Answer:
    sent = turn.services.approvals.mark_sent(turn.actor.id, number,
                                             stage=turn.deps.quote_sent_stage)
    note = f"Marked {sent.quote.label} sent. I'll remind you to call for feedback in 10 days."
    return Answer(text=escape(note), blocks=flow.sent(sent, note))


_STATES = {"draft": "a draft, not approved yet", "pending_approval": "waiting for approval",
           "presented": "already sent", "accepted": "already accepted"}


def _sent_by_deal(turn: Turn, flow: QuoteFlow, reading: Reading) -> Answer | None:
    """"acme quote sent": the deal's newest quote, marked sent when it is approved; said
    what it is otherwise (a draft, waiting for approval), with nothing changed."""
    named = next((m.known for m in reading.mentions if m.kind in ("deal", "account")), None)
    if named is None:
        return None
    if named.kind == "deal":
        deals = [named.id]
    else:
        deals = [d.id for d in turn.directory.open_deals(turn.actor.id, account_id=named.id)]
    newest = DealQuotes(turn.services.store)
    quotes = [q for q in (newest.latest(turn.actor.id, d) for d in deals) if q is not None]
    if len(quotes) != 1:
        which = "has no quote yet" if not quotes else "has quotes on several deals"
        return say_text(f"*{escape(named.name)}* {which}, so nothing was marked sent. Say "
                        "the quote's number: `mark Q-2026-0001 sent`.", private=True)
    [quote] = quotes
    if quote.status != "approved":
        state = _STATES.get(quote.status, quote.status.replace("_", " "))
        return say_text(f"{escape(quote.label)} is {escape(state)}, so it can't be marked "
                        "sent. Nothing was changed.", private=True)
    return _mark_sent(turn, flow, quote.number)


def _decide_by_deal(turn: Turn, flow: QuoteFlow, reading: Reading,
                    action: str) -> Answer | None:
    """"approve the globex quote": the one quote of that account (or deal) waiting for this
    approver, decided as by its number; asked which when two wait or none is named, said
    when none waits. None when the account named is not one the approver may see."""
    named = [m.known for m in reading.mentions if m.kind in ("account", "deal")]
    if not named:
        return say_text("Which quote? Say its number, like `approve Q-2026-0006`, or its "
                        "deal; `approvals` lists the ones waiting for you. Nothing was "
                        "decided.", private=True)
    known = named[0]
    account_id = known.id if known.kind == "account" else known.scope
    name = turn.directory.account_name(turn.actor.id, account_id) if account_id else None
    if name is None:
        return None
    deals = ({known.id} if known.kind == "deal" else
             {d.id for d in turn.directory.open_deals(turn.actor.id, account_id=account_id)})
    steps = [p for p in turn.services.approvals.queue(turn.actor.id)
             if p.quote.opportunity_id in deals]
    if not steps:
        return say_text(f"No quote on *{escape(name)}* is waiting for your approval. "
                        "`approvals` lists the ones that are.", private=True)
    if len(steps) > 1:
        numbers = ", ".join(p.quote.number for p in steps)
        return say_text(f"{len(steps)} quotes on *{escape(name)}* wait for you ({numbers}). "
                        f"Say which: `{action} {steps[0].quote.number}`. Nothing was decided.",
                        private=True)
    return _decide(turn, flow, [steps[0].quote.number], action, _reason(reading))


def _reason(reading: Reading) -> str | None:
    """What follows the number (the last, when several are named) or, for a quote named
    by its deal, the word "quote": "20% is too rich for that deal"."""
    numbers = list(_NUMBER.finditer(reading.sentence.raw))
    found = (numbers[-1] if numbers else None) or _QUOTE_WORD.search(reading.sentence.raw)
    rest = reading.sentence.raw[found.end():].strip() if found else ""
    rest = re.sub(r"^(?:rejected|declined|because|since|as)\b[\s,:]*", "", rest, flags=re.I)
    return rest or None


def _decide(turn: Turn, flow: QuoteFlow, numbers: list[str], action: str,
            reason: str | None) -> Answer:
    """"approve Q-2026-0002" or "approve Q-2026-0002 and Q-2026-0004": every quote waiting
    for this person, decided in one transaction, or none. The same words whether a quote
    is not theirs to decide or does not exist, so a number names nothing it should not."""
    waiting = {p.quote.number.upper(): p for p in turn.services.approvals.queue(turn.actor.id)}
    missing = [n for n in numbers if n.upper() not in waiting]
    if missing:
        return say_text(f"{escape(missing[0])} isn't waiting for your approval, so nothing was "
                        "decided. `approvals` lists the ones that are.", private=True)
    if action == "reject" and not reason:
        return say_text(f"What should I tell the rep? Say why: `reject "
                        f"{escape(' and '.join(numbers))}, the discount needs a multi-year "
                        "commit`. Nothing was decided.", private=True)
    decision = "approved" if action == "approve" else "rejected"
    comment = reason if decision == "rejected" else None
    steps = [waiting[n.upper()] for n in numbers]
    outcomes = turn.services.approvals.decide_all(
        turn.actor.id, [(p.step_id, p.quote.version) for p in steps], decision,
        comment=comment)
    if turn.deps.client is not None:
        for outcome in outcomes:
            flow.decided_elsewhere(turn.deps.client, outcome, comment)
    labels = ", ".join(escape(o.quote.label) for o in outcomes)
    return say_text(f"{decision.capitalize()} {labels}."
                    + (f" Reason: {escape(reason)}." if comment and reason else ""))
