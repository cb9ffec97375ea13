"""Turns that move a deal through the stages: advance, won, lost, move to a named stage."""

from __future__ import annotations

from handlers.conversation.deal_answers import moved
from handlers.conversation.resolver import resolve_stage
from handlers.conversation.turn import Turn
from handlers.conversation.which_deal import deal_of
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape


def advance(turn: Turn) -> Answer:
    """"advance acme renewal": the next stage in order."""
    deal = deal_of(turn)
    if isinstance(deal, Answer):
        return deal
    return moved(turn.services.opportunities.advance(turn.actor.id, deal.id))


def won(turn: Turn) -> Answer:
    deal = deal_of(turn)
    if isinstance(deal, Answer):
        return deal
    return moved(turn.services.opportunities.close(turn.actor.id, deal.id, "won"))


def lost(turn: Turn) -> Answer:
    """A lost deal needs a reason: without one, ask for it (in words or in the form)."""
    deal = deal_of(turn)
    if isinstance(deal, Answer):
        return deal
    if not turn.intent.detail:
        return Answer(
            text="Why was it lost?",
            blocks=[ui.mrkdwn(f"Sorry to hear it. Why was *{escape(deal.display)}* lost? "
                              "Tell me (`we lost umbrella, they went with a competitor`) "
                              "or use the form."),
                    ui.actions(ui.button("Close lost…", "opp_close_lost", str(deal.id)))],
        )
    return moved(turn.services.opportunities.close(turn.actor.id, deal.id, "lost",
                                                   lost_reason=turn.intent.detail))


def move(turn: Turn) -> Answer:
    """"move the globex expansion to negotiation"; a lost stage goes through `lost`."""
    stages = turn.directory.stages()
    stage = resolve_stage(stages, turn.intent.stage or "")
    if stage is None:
        names = ", ".join(s.name for s in stages)
        return say_text(f"I don't know a stage called “{escape(turn.intent.stage)}”. "
                        f"The stages are: {escape(names)}.", private=True)
    if stage.kind == "lost" and not turn.intent.detail:
        return lost(turn)
    return _to_stage(turn, stage.name)


def _to_stage(turn: Turn, stage: str) -> Answer:
    deal = deal_of(turn)
    if isinstance(deal, Answer):
        return deal
    opp = turn.services.opportunities.move_stage(turn.actor.id, deal.id, stage,
                                                 lost_reason=turn.intent.detail)
    return moved(opp)
