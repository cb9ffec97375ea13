"""How one deal is shown after a change: its card, the "moved" line, what an edit changed.

Shared by the conversation's turns and the deal buttons and forms (handlers/deals), so a
deal reads the same whichever way it was changed.
"""

from __future__ import annotations

from handlers.slack import blocks as ui
from handlers.slack.answer import Answer
from handlers.slack.text import day, escape, short_money
from store.schemas import OpportunityView, UserView
from store.services.people.directory import Directory
from store.services.quotes.sync import amount_source


def card(directory: Directory, opp: OpportunityView, actor: UserView) -> Answer:
    """The deal's card, with the stage menu and the next-stage button; the amount says
    which quote it comes from while it is that synced quote's total."""
    stages = directory.stages()
    next_stage = directory.next_stage(opp.stage.id)
    source = amount_source(directory.store, opp.id, opp.amount, opp.currency)
    return Answer(
        text=escape(f"{opp.title}: {opp.stage.name}"),
        blocks=ui.opportunity_card(opp, stages, actor.timezone, next_stage=next_stage,
                                   amount_from=source),
    )


def moved(opp: OpportunityView) -> Answer:
    """"Moved X to Y (60%)", with the lost reason when it was lost, and Undo."""
    line = (f"Moved *{escape(opp.title)}* to *{escape(opp.stage.name)}* "
            f"({opp.probability}%).")
    if opp.stage.kind == "lost" and opp.lost_reason:
        line += f" Reason: {escape(opp.lost_reason)}."
    return Answer(text=line, blocks=ui.confirmation(line, opp.undo_token))


def describe_changes(before: OpportunityView, after: OpportunityView, tz: str) -> str:
    """"amount $84,000 → $120,000, close date Jan 16 → Mar 31": only what changed."""
    parts = []
    if before.amount != after.amount or before.currency != after.currency:
        parts.append(f"amount {short_money(before.amount, before.currency)} → "
                     f"{short_money(after.amount, after.currency)}")
    if before.close_date != after.close_date:
        parts.append(f"close date {day(before.close_date)} → {day(after.close_date)}")
    if before.probability != after.probability:
        parts.append(f"probability {before.probability}% → {after.probability}%")
    if before.next_step != after.next_step:
        parts.append(f"next step “{escape(after.next_step or '—')}”")
    if before.owner_id != after.owner_id:
        parts.append(f"owner {escape(before.owner_name)} → {escape(after.owner_name)}")
    return ", ".join(parts) or "nothing changed"
