"""The deal a turn is about: picked earlier, or named in the sentence, or a question."""

from __future__ import annotations

from handlers.conversation.resolver import Resolved, resolve_deal
from handlers.conversation.turn import Turn
from handlers.language.intents import Intent
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer
from handlers.slack.text import escape
from store.services.people.directory import DealRef


def deal_of(turn: Turn) -> DealRef | Answer:
    """The deal the rep picked (`chosen["deal"]`) or named; else the question to ask."""
    intent, actor = turn.intent, turn.actor
    if "deal" in turn.chosen:
        deal = next((d for d in turn.directory.open_deals(actor.id)
                     if d.id == turn.chosen["deal"]), None)
        if deal is not None:
            return deal
        opp = turn.services.opportunities.get(actor.id, turn.chosen["deal"])
        return DealRef(opp.id, opp.name, opp.account_id, opp.account_name, opp.owner_id)
    resolved = resolve_deal(turn.directory, actor.id, intent.target or "")
    if resolved.found is not None:
        return resolved.found
    return ask_deal(intent, resolved)


def ask_deal(intent: Intent, resolved: Resolved) -> Answer:
    """Nothing matched: offer to create a deal; several did: ask which one."""
    target = escape(intent.target or "")
    if resolved.is_none:
        return Answer(
            text=f"I couldn't find an open deal matching “{target}”.",
            blocks=[ui.mrkdwn(f"I couldn't find an open deal matching “{target}”."),
                    ui.actions(ui.button("Create a deal", "opp_new",
                                         (intent.target or "")[:150]))],
            private=True,
        )
    options = [(d.display, {"i": intent.to_dict(), "deal": d.id})
               for d in resolved.candidates]
    return Answer(text=f"Which deal do you mean by “{target}”?",
                  blocks=ui.choice(f"Which deal do you mean by “{target}”?", options),
                  private=True)
