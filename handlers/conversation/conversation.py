"""The conversation: one intent in, one answer out, the same for DMs, @mentions, the
assistant thread, `/sales` and the buttons that finish a pending question.

It turns an intent into service calls and renders the result; it holds no rules of its
own (those are in `store/`), and never touches Slack's API (the surfaces deliver).
`Conversation.handlers` says which function answers each intent; they live in the
`*_turns` modules next to this one, by feature.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from handlers.conversation import (
    activity_turns,
    approval_turns,
    deal_answers,
    deal_turns,
    help_turns,
    reminder_turns,
    renewal_turns,
    stage_turns,
)
from handlers.conversation.help_turns import UNKNOWN_REPLY
from handlers.conversation.reading_turns import READ, Reader
from handlers.conversation.turn import Turn, TurnHandler
from handlers.deps import Deps
from handlers.language.asides import declined_rest, trailing_question
from handlers.language.intents import Intent, strip_mention, too_long
from handlers.leads.flow import LeadFlow
from handlers.pipeline.flow import PipelineFlow
from handlers.quotes.flow import QuoteFlow
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, MessageLink
from handlers.slack.text import escape
from store.schemas import OpportunityView, UserView


class Conversation:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.quotes = QuoteFlow(deps)
        self.pipeline = PipelineFlow(deps)
        self.leads = LeadFlow(deps)
        self.reader = Reader(deps.directory, self.quotes)
        self.handlers = self._handlers()

    def _handlers(self) -> dict[str, TurnHandler]:
        """Intent name → the function that answers it; any other name is `unknown`."""
        quotes, pipeline, leads = self.quotes, self.pipeline, self.leads
        return {
            "help": help_turns.show_help,
            "usage": help_turns.usage,
            "too_long": help_turns.too_long,
            "kb": help_turns.kb,
            "show": deal_turns.show,
            "account": deal_turns.account,
            "create": deal_turns.create,
            "edit": deal_turns.edit,
            "advance": stage_turns.advance,
            "won": stage_turns.won,
            "lost": stage_turns.lost,
            "move": stage_turns.move,
            "log": activity_turns.log,
            "followups": reminder_turns.followups,
            "reminders": reminder_turns.reminders,
            "renewals": renewal_turns.renewals,
            "mute": reminder_turns.mute,
            "digest": reminder_turns.digest,
            "approvals": approval_turns.approvals,
            "delegate": approval_turns.delegate,
            "quote": lambda turn: quotes.answer(turn.intent, turn.actor, turn.chosen),
            "pipeline": lambda turn: pipeline.pipeline(turn.intent, turn.actor),
            "forecast": lambda turn: pipeline.forecast(turn.intent, turn.actor),
            "lead": lambda turn: leads.lead(turn.intent, turn.actor),
            "leads": lambda turn: leads.mine(turn.actor),
        }

    def answer(self, intent: Intent, actor: UserView, *, chosen: dict[str, int] | None = None,
               link: MessageLink | None = None, follow_up_day: date | None = None) -> Answer:
        """Carry out `intent`; `chosen` holds ids the rep picked from an earlier question,
        `link` the Slack message an activity is logged from, `follow_up_day` a date picked
        in a form (instead of one said in words)."""
        with self.deps.directory.turn(actor):  # one request: its repeated reads read once
            return self._answer(Turn(self.deps, intent, actor, chosen or {}, link,
                                     follow_up_day))

    def _answer(self, turn: Turn) -> Answer:
        intent = turn.intent
        if intent.name == READ:  # a click on a question the reader asked: read it again
            read = self.reader.read(turn)
            if isinstance(read, Answer):
                return read
            turn = replace(turn, intent=read, chosen={})
        return self.handlers.get(turn.intent.name, help_turns.unknown)(turn)

    def answer_text(self, text: str, actor: UserView, *,
                    bot_user_id: str | None = None) -> tuple[Intent, Answer]:
        """What a rep typed (a DM, an @mention, free text after `/sales`), read by the
        language layer; returns the intent it was read as (for the surfaces' sharing
        rules) and the answer."""
        text = strip_mention(text, bot_user_id)
        if (refused := too_long(text)) is not None:
            return refused, self.answer(refused, actor)
        if (both := self._fact_then_question(text, actor)) is not None:
            return both
        said = Intent(READ, " ".join(text.split()))
        with self.deps.directory.turn(actor):
            read = self.reader.read(Turn(self.deps, said, actor))
            if isinstance(read, Answer):
                return said, read
            return read, self.answer(read, actor)

    def _fact_then_question(self, text: str, actor: UserView) -> tuple[Intent, Answer] | None:
        """"globex is at 130k now — what's my pipeline look like?": the fact applied, then
        the question answered, in one reply ("…, don't log the rest": the fact applied and
        the rest said not done); None when the line is not a statement that writes with a
        question or a decline after it (`handlers.language.asides`)."""
        split = trailing_question(text)
        declined = declined_rest(text) if split is None else None
        statement = split[0] if split else declined[0] if declined else None
        if statement is None:
            return None
        with self.deps.directory.turn(actor):
            reading = self.reader.reading(Turn(self.deps, Intent(READ, statement), actor))
        if not reading.plan.writes and not reading.plan.parts:
            return None  # not a fact after all: the whole line is the question, or declined
        intent, done = self.answer_text(statement, actor)
        if declined is not None:  # "…, don't log the rest": said after what was done
            return intent, Answer(text=f"{done.text} {declined[1]}",
                                  blocks=[*done.blocks, ui.context(declined[1])],
                                  private=done.private)
        question = split[1] if split else ""
        asked, answer = self.answer_text(question, actor)
        if asked.name in (READ, "unknown") and answer.text == UNKNOWN_REPLY:
            answer = Answer(text=f"I couldn't answer “{escape(question)}”; ask it on its own "
                                 "line.")
        return intent, Answer(text=f"{done.text}\n{answer.text}",
                              blocks=[*done.blocks, {"type": "divider"}, *answer.blocks],
                              private=done.private or answer.private)

    # -- shared with the deal buttons and forms ----------------------------------------
    def moved(self, opp: OpportunityView) -> Answer:
        return deal_answers.moved(opp)

    def card(self, opp: OpportunityView, actor: UserView) -> Answer:
        with self.deps.directory.turn(actor):  # the stages, read once for the card
            return deal_answers.card(self.deps.directory, opp, actor)

