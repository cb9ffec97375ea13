"""Turns about one deal as a whole: show it (or its account), create it, edit its fields.

Moving a deal through the stages is in `stage_turns`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import TypedDict

from handlers.conversation.deal_answers import card, describe_changes
from handlers.conversation.resolver import clean_phrase, plausible, resolve_deal
from handlers.conversation.turn import Turn
from handlers.conversation.which_deal import ask_deal, deal_of
from handlers.deals.new_owner import tell_new_owner
from handlers.language.deal_terms import DealEdit, deal_terms, edit_terms
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import day, escape, short_money
from store.resolve import resolve
from store.services.people.directory import DealRef


def show(turn: Turn) -> Answer:
    """A deal's card, or an account's summary when the name is an account's."""
    if "deal" not in turn.chosen:
        resolved = resolve_deal(turn.directory, turn.actor.id, turn.intent.target or "")
        if resolved.found is None:  # none or several deals: the account's health, if named
            if (summary := _account_summary(turn)) is not None:
                return summary
            return ask_deal(turn.intent, resolved)
        deal: DealRef | Answer = resolved.found  # resolved once: not looked up again
    else:
        deal = deal_of(turn)
    if isinstance(deal, Answer):
        return deal
    return card(turn.directory, turn.services.opportunities.get(turn.actor.id, deal.id),
                turn.actor)


def account(turn: Turn) -> Answer:
    """"how's acme doing", "show acme", "when does the acme contract renew?": the account's
    health; a name that is no account's is looked up as a deal. "show acme" for an account
    with one open deal is that deal's card (its buttons are what a rep wants next); with
    several, the account's health (its open deals, last activity, renewal), not a question
    which deal."""
    if turn.intent.detail == "show":
        return show(turn)  # one deal: its card; none or several: the account's health
    return _account_summary(turn) or show(turn)


def _account_summary(turn: Turn) -> Answer | None:
    """The account's open deals, renewal, open cases and latest activity, when the phrase
    names one account (a bounded number of statements, however big the account)."""
    actor, phrase = turn.actor, clean_phrase(turn.intent.target or "")
    matches = turn.directory.accounts(actor.id).search(phrase, limit=5, cutoff=80)
    result = resolve([m for m in matches if plausible(phrase, m.name)])
    if (found := result.match) is None:
        return None
    health = turn.services.account_health.of(actor.id, found.id)
    lines = [f"*{escape(health.name)}*"]
    if turn.intent.detail == "renewal":  # "when does it renew?": the answer first
        lines.append(f"Renews {day(health.renewal.end_date)}: the *"
                     f"{escape(health.renewal.contract)}* contract ends then."
                     if health.renewal else "No active contract on file, so no renewal date.")
    if health.deals:
        total = sum((d.amount for d in health.deals), Decimal(0))
        currency = health.deals[0].currency
        count = len(health.deals) + health.more_deals
        lines.append(f"_Open deals_ ({count}"
                     + (f", {short_money(total, currency)} shown" if health.more_deals else
                        f", {short_money(total, currency)}" if count > 1 else "") + ")")
        lines += [ui.opportunity_line(v) for v in health.deals]
        if health.more_deals:
            lines.append(f"…and {health.more_deals} more")
    else:
        lines.append("No open deals you can see.")
    if health.renewal is not None:
        renewal = health.renewal
        lines.append(f"_Renewal_: {escape(renewal.contract)} ends {day(renewal.end_date)} "
                     f"({short_money(Decimal(str(renewal.value)), renewal.currency)})")
    else:
        lines.append("_Renewal_: no active contract on file.")
    if health.open_cases:
        lines.append(f"_Open cases_: {health.open_cases} ("
                     + "; ".join(escape(c) for c in health.case_subjects)
                     + ("; …" if health.open_cases > len(health.case_subjects) else "") + ")")
    else:
        lines.append("_Open cases_: none.")
    if health.last_activity:
        lines.append("_Recent activity_")
        lines += [ui.activity_line(a, actor.timezone) for a in health.last_activity]
    else:
        lines.append("_Recent activity_: none logged yet.")
    return Answer(text=escape(health.name), blocks=[ui.mrkdwn("\n".join(lines))])


def create(turn: Turn) -> Answer:
    """"new deal for acme: expansion, 50k, closing end of march"."""
    account_name = _account_for_new_deal(turn)
    if isinstance(account_name, Answer):
        return account_name
    terms = deal_terms(turn.intent.detail or "", turn.deps.clock.now(), turn.tz)
    opp = turn.services.opportunities.create(
        turn.actor.id, terms.name or "New deal", account=account_name, amount=terms.amount,
        close_date=terms.close_date, undoable=True,
    )
    shown = card(turn.directory, opp, turn.actor)
    line = (f"Created *{escape(opp.title)}* in *{escape(opp.stage.name)}*"
            f" ({short_money(opp.amount, opp.currency)}, closes {day(opp.close_date)}).")
    return Answer(text=line, blocks=ui.confirmation(line, opp.undo_token) + shown.blocks)


def _account_for_new_deal(turn: Turn) -> str | Answer:
    """The account's name, or the question (which one? create it?) to ask first; an account
    picked earlier that is gone, or not the actor's to see (a forged id), is refused."""
    intent = turn.intent
    if "account" in turn.chosen:
        name = turn.directory.account_name(turn.actor.id, turn.chosen["account"])
        return name if name is not None else say_text(
            "That account no longer exists, so no deal was created.", private=True)
    result = resolve(turn.directory.accounts(turn.actor.id).search(
        clean_phrase(intent.target or ""), limit=5, cutoff=80))
    if result.match is not None:
        return result.match.name
    target = intent.target or ""
    if result.kind == "ambiguous":
        options = [(m.name, {"i": intent.to_dict(), "account": m.id}) for m in result.candidates]
        return Answer(text="Which account?", private=True, blocks=ui.choice(
            f"Which account do you mean by “{escape(target)}”?", options))
    return Answer(
        text=f"There is no account called “{escape(target)}”.",
        private=True,
        blocks=[ui.mrkdwn(f"There is no account called “{escape(target)}” yet, so no deal "
                          "was created."),
                ui.actions(ui.button(f"Create account “{target[:40]}”", "account_new",
                                     {"i": intent.to_dict()}))])


class DealChanges(TypedDict, total=False):
    """The keywords of `OpportunityService.update` an edit sets; absent ones stay as they are."""

    amount: Decimal
    close_date: date
    probability: int
    next_step: str
    owner_id: int


def edit(turn: Turn) -> Answer:
    """"acme renewal is now 120k, closing end of march", "give the hooli deal to fox"…"""
    deal = deal_of(turn)
    if isinstance(deal, Answer):
        return deal
    said = edit_terms(turn.intent, turn.deps.clock.now(), turn.tz)
    owner_id = None
    if said.owner is not None:
        owner_id = _person(turn, said.owner)
        if owner_id is None:
            return say_text(f"I don't know who “{escape(turn.intent.detail)}” is; use their "
                            "name as in Slack.", private=True)
    changes = _changes(said, owner_id)
    if not changes:
        return say_text("I couldn't tell what to change. Try `acme renewal is now 120k, "
                        "closing end of march` or `set wayne to 60%`.", private=True)
    before = turn.services.opportunities.get(turn.actor.id, deal.id)
    after = turn.services.opportunities.update(turn.actor.id, deal.id, **changes)
    tell_new_owner(turn.deps.client, turn.actor, before, after)
    line = f"Updated *{escape(after.title)}*: {describe_changes(before, after, turn.tz)}."
    return Answer(text=line, blocks=ui.confirmation(line, after.undo_token))


_SLACK_USER = re.compile(r"<?@(?P<id>[UW][A-Z0-9]{2,})(?:\|[^>]*)?>?")


def _person(turn: Turn, said: str) -> int | None:
    """The new owner: an @mention by its Slack id, else a name as the directory has it."""
    if (mention := _SLACK_USER.fullmatch(said.strip())) is not None:
        user = turn.services.users.find(mention["id"])
        return user.id if user is not None else None
    found = resolve(turn.directory.users().search(said, limit=5, cutoff=80))
    return found.match.id if found.match is not None else None


def _changes(said: DealEdit, owner_id: int | None) -> DealChanges:
    changes: DealChanges = {}
    if said.amount is not None:
        changes["amount"] = said.amount
    if said.close_date is not None:
        changes["close_date"] = said.close_date
    if said.probability is not None:
        changes["probability"] = said.probability
    if said.next_step is not None:
        changes["next_step"] = said.next_step
    if owner_id is not None:
        changes["owner_id"] = owner_id
    return changes
