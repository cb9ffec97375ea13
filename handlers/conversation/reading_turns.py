"""Free text read by the language layer: one message, one plan, applied whole or asked about.

`Reader.read` takes what a rep typed, has `handlers.language.understanding` read it against
every name the store knows (the rep's visibility applied), and then:
- a refusal (a negative amount, a 120 % discount) is said, and nothing is written;
- an ask (two Kens, two open deals, two stages fitting "prop") is a button per reading,
  each carrying the message, so a click re-reads it with the choice made; nothing before;
- a plan about one deal (an activity, a stage move, field changes, together or not) is
  written by `PlanService.apply` in one transaction, in one line, with one Undo; a plan
  about several ("initech to proposal and hooli to needs analysis") likewise, every deal's
  part at once (`several_turns`), or a question about the first part that needs one;
- a question never writes: the turn that answers it does (card, pipeline, forecast, kb);
- a request (help, a list, mute, a lead, a quote's lines…) or a name the store does not
  know goes to the turn that answers it, as its intent (`plan_intents`).
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.conversation import (
    command_turns,
    corrections,
    day_questions,
    plan_intents,
    plan_parts,
    questions,
    quote_commands,
    several_turns,
)
from handlers.conversation.deal_answers import describe_changes, moved
from handlers.conversation.names import Names, shown_name
from handlers.conversation.turn import Turn
from handlers.language.intents import Intent
from handlers.language.plan import Plan, Reading, with_choice
from handlers.language.spotting import EXACT, Known
from handlers.language.understanding import understand
from handlers.language.unnamed import unnamed_moved
from handlers.quotes.flow import QuoteFlow
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape
from store.services.people.directory import DealRef, Directory

WRITES = frozenset({"log", "move", "edit", "multi", "create", "several"})
READ = "read"
"""The intent name a question's buttons carry: the click re-reads the message."""

class Reader:
    def __init__(self, directory: Directory, quotes: QuoteFlow) -> None:
        self.names = Names(directory)
        self.quotes = quotes

    def reading(self, turn: Turn) -> Reading:
        may_see = self._may_see(turn)
        return understand(turn.intent.text, self.names.gazetteer(), turn.deps.clock.now(),
                          turn.tz, fiscal_year_start=turn.services.pipeline.fiscal_year_start,
                          visible=may_see, decoded=True)

    @staticmethod
    def _may_see(turn: Turn) -> Callable[[Known], bool]:
        visible = turn.directory.visible_accounts(turn.actor.id)

        def may_see(known: Known) -> bool:
            if visible is None or known.kind in ("user", "stage", "quote"):
                return True
            account = known.id if known.kind == "account" else known.scope
            return account is not None and account in visible

        return may_see

    def hidden_part(self, turn: Turn, reading: Reading) -> Answer | None:
        """"log mtg w maria at stark + move dunder mifflin expansion to negotiation" from a
        rep who cannot see Dunder Mifflin: nothing is written, rather than the move given to
        Stark. Said in the rep's own words, as for a name the store does not know, so the
        reply tells no more about accounts the rep may not see."""
        if (typed := unnamed_moved(reading.sentence, reading.mentions)) is not None:
            return _not_found(typed)  # "… + move zorblax expansion to negotiation"
        may_see = self._may_see(turn)
        seen = {i for m in reading.mentions for i in range(m.start, m.end)}
        hidden = [m for m in self.names.gazetteer().spot(reading.sentence.words)
                  if m.kind in ("account", "deal") and m.score >= EXACT and m.whole
                  and not may_see(m.known) and not seen & set(range(m.start, m.end))]
        if not hidden:
            return None
        sentence, first = reading.sentence, hidden[0]
        return _not_found(sentence.raw[sentence.starts[first.start]:
                                       sentence.ends[first.end - 1]])

    def read(self, turn: Turn) -> Answer | Intent:
        """The answer to the message, or the intent whose turn answers it (a question, a
        request, a name to create)."""
        reading = self.reading(turn)
        plan = corrections.corrected_last(turn, _with_chosen(reading.plan, turn), reading)
        if plan.refusals:
            return say_text(escape(" ".join(plan.refusals)) + " Nothing was changed.",
                            private=True)  # a refusal may quote the rep's words
        if plan.intent in WRITES and (plan.account or plan.deal or plan.parts) \
                and (hidden := self.hidden_part(turn, reading)):
            return hidden  # "… + move dunder mifflin to negotiation": none of it, not half
        if plan.intent == "several":  # about several deals: all of it, or a question first
            return several_turns.apply(turn, plan)
        if plan.asks and plan.asks[0].what == "day":  # "next fri" on a Wednesday: which?
            return day_questions.ask(turn, reading.sentence.text, plan.asks[0])
        if plan.intent == "undo" and plan.asks:  # "undo 3 times": one change at a time
            return say_text("I undo only your last change. Undo that one now? Say `undo`, "
                            "then tell me which of the others to change back.", private=True)
        if plan.intent == "undo":
            return command_turns.undo_last(turn)
        if plan.intent == "chatter":
            return say_text(_chatter_reply(reading))
        if plan.intent == "hello":
            hello = "Hi! Tell me what happened with a customer, or ask about a deal."
            return Answer(text=hello, blocks=[ui.mrkdwn(hello), *ui.help_blocks()])
        if plan.intent == "role":
            return command_turns.role(turn, plan)
        if (asked := plan_intents.request(turn, plan)) is not None:
            return asked
        if plan.intent == "quote":
            return quote_commands.run(turn, plan, reading, self.quotes) or _unknown(turn)
        if plan.intent == "question" and plan.question is not None:
            return questions.intent_for(plan.question, reading) or _unknown(turn)
        if plan.intent in ("snooze", "done"):
            return command_turns.follow_up(turn, plan) or say_text(
                "Which follow-up? Say its account: `snooze the hooli follow-up till friday` "
                "or `done with the hooli follow-up`.", private=True)
        if plan.intent not in ("log", "move", "edit", "multi", "create"):
            return (plan_intents.note_offer(turn, reading) if plan.intent == "unknown"
                    else None) or _unknown(turn)
        if plan.asks and plan.asks[0].what == "account" and plan.unknown_name \
                and (plan.activity is not None or plan.new_deal is not None):
            return plan_intents.unknown_subject(turn, plan)  # the turn asks which account
        if plan.asks:
            return _ask(turn, plan) or plan_intents.unknown_subject(turn, plan)
        if plan.new_deal is not None:  # a new deal, and what was said with it
            return command_turns.create_deal(turn, plan, reading) \
                or plan_intents.unknown_subject(turn, plan)
        if plan.account is None and plan.deal is None:
            return plan_intents.unknown_subject(turn, plan)
        deal = _deal(turn, plan)
        if isinstance(deal, Answer):
            return deal
        if deal is None:
            if plan.activity is None or plan.stage is not None or plan.edits:
                return plan_intents.no_open_deal(turn, plan)
            return _log_on_account(turn, plan, reading)
        return _apply(turn, plan, reading, deal)


FAREWELLS = frozenset({"weekend", "bye", "night", "ttyl", "cya", "later"})
THANKS = frozenset({"thanks", "thank", "thx", "ty", "cheers"})


def _chatter_reply(reading: Reading) -> str:
    """"have a good weekend" is not thanked; "thx" is; "cool", "lol", "👍" get a thumb."""
    words = set(reading.sentence.words)
    if words & FAREWELLS:
        return "You too! I'll keep your follow-ups until you're back."
    if words & THANKS:
        return "You're welcome! Tell me what happened with a customer any time."
    return "👍"


def _not_found(typed: str) -> Answer:
    """The same words for a name that does not exist and one the rep may not see."""
    return say_text(f"I couldn't find an account or deal called “{escape(typed)}” among "
                    "yours, so nothing was changed, the rest of the message included.",
                    private=True)


def _unknown(turn: Turn) -> Intent:
    return Intent("unknown", turn.intent.text)


def _carried(turn: Turn) -> dict[str, str]:
    """The message a question's buttons carry, whole (a value too long for Slack is parked
    in the store by the button layer instead: `Intent.to_dict` would clip it)."""
    return {"name": READ, "text": turn.intent.text}


def _with_chosen(plan: Plan, turn: Turn) -> Plan:
    """The plan with what the rep picked from an earlier question."""
    chosen = turn.chosen
    for key in ("contact", "stage", "deal", "account"):
        if key in chosen and plan.asks and plan.asks[0].what == key:
            pick = next((o for o in plan.asks[0].options if o.id == chosen[key]), None)
            if pick is not None:
                plan = with_choice(plan, pick)
    return plan


def _ask(turn: Turn, plan: Plan) -> Answer | None:
    ask = plan.asks[0]
    if ask.what not in ("contact", "stage", "deal", "account") or not ask.options:
        return None  # no name to pick from: the caller says what it can
    carried = _carried(turn)
    noun = ask.what
    options = [(shown_name(o, turn.directory, turn.actor.id), {"i": carried, noun: o.id})
               for o in ask.options]
    prompt = f"Which {noun} do you mean? Nothing is saved until you pick one."
    return Answer(text=prompt, blocks=ui.choice(prompt, options), private=True)


def _deal(turn: Turn, plan: Plan) -> DealRef | Answer | None:
    """The deal the plan is about: picked, named, or the account's only open one; several
    open deals and no name is a question; none is None (log on the account)."""
    actor = turn.actor
    if "deal" in turn.chosen:
        return turn.directory.open_deal(actor.id, turn.chosen["deal"]) or say_text(
            "That deal is closed or gone, so nothing was changed.", private=True)
    if plan.deal is not None:
        return turn.directory.open_deal(actor.id, plan.deal.id)
    assert plan.account is not None
    if (reopened := plan_intents.reopened_deal(turn, plan)) is not None:
        return reopened
    deals = turn.directory.open_deals(actor.id, account_id=plan.account.id)
    if len(deals) == 1:
        return deals[0]
    only_logging = plan.activity is not None and plan.stage is None and not plan.edits
    if not deals or only_logging:
        return None  # an activity alone goes on the account when no deal is named
    carried = _carried(turn)
    options = [(d.display, {"i": carried, "deal": d.id}) for d in deals]
    prompt = "Which deal do you mean? Nothing is saved until you pick one."
    return Answer(text=prompt, blocks=ui.choice(prompt, options), private=True)


def _apply(turn: Turn, plan: Plan, reading: Reading, deal: DealRef) -> Answer:
    now = turn.deps.clock.now()
    services = turn.services
    before = services.opportunities.get(turn.actor.id, deal.id)
    change = plan_parts.deal_change(plan, reading, deal, before.amount)
    if isinstance(change, Answer):
        return change
    spec = plan_parts.activity(turn, plan, reading, now)
    applied = services.plans.apply(turn.actor.id, deal.id, activity=spec, deal=change)
    after = applied.opportunity
    parts = []
    title = f"*{escape(after.title)}*"
    if applied.activity is not None:
        logged = plan_parts.logged(applied.activity, plan, title, turn.tz)
        parts.append(logged[:1].lower() + logged[1:])
    moved_to = after.stage.id != before.stage.id
    if moved_to:
        parts.append(f"moved {'it' if parts else title} to *{escape(after.stage.name)}* "
                     f"({after.probability}%)")
    fields = describe_changes(before.model_copy(update={"probability": after.probability})
                              if moved_to else before, after, turn.tz)
    if fields != "nothing changed":
        parts.append(f"updated {fields}" if parts else f"Updated {title}: {fields}")
    if parts and plan.stage is not None and not moved_to:  # said, and already true: say so
        parts.append(f"it was already in *{escape(after.stage.name)}*")
    if not parts:
        return say_text(f"{title} is already in *{escape(after.stage.name)}*; nothing "
                        "changed.", private=True)
    if len(parts) == 1 and moved_to and applied.activity is None:
        return moved(after.model_copy(update={"undo_token": applied.undo_token}))
    line = "; ".join(parts) + "."
    line = line[:1].upper() + line[1:]
    return Answer(text=line, blocks=ui.confirmation(line, applied.undo_token))


def _log_on_account(turn: Turn, plan: Plan, reading: Reading) -> Answer:
    """An activity on an account with no open deal (or about a contact alone)."""
    assert plan.account is not None
    now = turn.deps.clock.now()
    spec = plan_parts.activity(turn, plan, reading, now)
    assert spec is not None
    activity = turn.services.activities.log(
        turn.actor.id, kind=spec.kind, subject=spec.subject, body=spec.body,
        occurred_at=spec.occurred_at, follow_up_at=spec.follow_up_at,
        account_id=plan.account.id, contact_id=spec.contact_id,
        slack_permalink=spec.slack_permalink, slack_event_key=spec.slack_event_key)
    name = turn.directory.account_name(turn.actor.id, plan.account.id) or plan.account.name
    line = plan_parts.logged(activity, plan, f"*{escape(name)}*", turn.tz) + "."
    return Answer(text=line, blocks=ui.confirmation(line, activity.undo_token))
