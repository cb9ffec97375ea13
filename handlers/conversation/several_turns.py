"""A message about several deals, applied whole or asked about first.

"initech to proposal and hooli to needs analysis" is read (`handlers.language.several`) as
one part per deal. Every part is resolved before anything is written: its deal (named, the
account's only open one, or asked), its contact or stage when two fit, its lost reason. The
first part that needs an answer is asked, with buttons that carry the message and the picks
made so far (so the next click asks the next part, or applies the lot); then every part is
written by `PlanService.apply_all` in one transaction, said in one line, with one Undo.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.conversation import command_turns, day_questions, plan_intents, plan_parts
from handlers.conversation.deal_answers import describe_changes
from handlers.conversation.names import shown_name
from handlers.conversation.turn import Turn
from handlers.language.plan import Plan, Reading, with_choice
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape
from store.schemas import OpportunityView
from store.services.deals.changes import UNSET
from store.services.deals.plans import DealChangeSpec, Part
from store.services.people.directory import DealRef

Picks = dict[int, dict[str, int]]


@dataclass(frozen=True)
class _Ready:
    """One part, resolved: what to write and what the deal was before."""

    reading: Reading
    plan: Plan
    part: Part
    before: OpportunityView | None
    place: str


def picks_of(turn: Turn) -> Picks:
    """The picks carried by the clicked button (earlier parts') plus the click itself."""
    picks: Picks = {}
    for item in (turn.intent.detail or "").split(";"):
        index, _, rest = item.partition(":")
        key, _, value = rest.partition("=")
        if index.isdigit() and key in ("deal", "contact", "stage", "follow_up") \
                and value.isdigit():
            picks.setdefault(int(index), {})[key] = int(value)
    target = turn.intent.target or ""
    if target.startswith("part ") and target[5:].isdigit():
        picks.setdefault(int(target[5:]), {}).update(turn.chosen)
    return picks


def _carried(turn: Turn, picks: Picks, index: int) -> dict[str, str]:
    detail = ";".join(f"{i}:{k}={v}" for i, chosen in sorted(picks.items())
                      for k, v in chosen.items())
    return {"name": "read", "text": turn.intent.text, "detail": detail,
            "target": f"part {index}"}


def apply(turn: Turn, plan: Plan) -> Answer:
    """Resolve every part, ask about the first that needs it, else write them all."""
    picks = picks_of(turn)
    ready: list[_Ready] = []
    for index, reading in enumerate(plan.parts):
        part_plan = reading.plan
        chosen = picks.get(index, {})
        while part_plan.asks and part_plan.asks[0].what in chosen:
            ask = part_plan.asks[0]
            pick = next((o for o in ask.options if o.id == chosen[ask.what]), None)
            if pick is None:
                break
            part_plan = with_choice(part_plan, pick)
        if part_plan.intent in ("done", "snooze"):  # "done w the wayne f/u - close 12/15"
            task = command_turns.follow_up_part(turn, part_plan, chosen,
                                                _carried(turn, picks, index))
            if task is None or isinstance(task, Answer):
                return task or say_text("Which follow-up? Nothing was changed.",
                                        private=True)
            part, target, name = task
            ready.append(_Ready(reading, part_plan, part, None,
                                command_turns.follow_up_said(part, target, name, turn.tz)))
            continue
        if part_plan.asks:
            return _ask(turn, picks, index, part_plan)
        if part_plan.new_deal is not None:  # "new deal for acme: training 5k, and …"
            made = _new_deal_part(turn, reading, part_plan)
            if isinstance(made, Answer):
                return made
            ready.append(made)
            continue
        deal = _deal(turn, part_plan, chosen)
        if isinstance(deal, tuple):
            return _ask_deal(turn, picks, index, deal)
        if deal is None and (part_plan.activity is None or part_plan.stage is not None
                             or part_plan.edits):
            name = part_plan.deal.name if part_plan.deal else (
                part_plan.account.name if part_plan.account else "it")
            return say_text(f"I can't find an open deal of yours for *{escape(name)}*, so "
                            "nothing was changed.", private=True)
        before = (turn.services.opportunities.get(turn.actor.id, deal.id)
                  if deal is not None else None)
        change = None
        if deal is not None and (part_plan.stage is not None or part_plan.edits):
            assert before is not None
            found = plan_parts.deal_change(part_plan, reading, deal, before.amount)
            if isinstance(found, Answer):  # a lost reason to ask, a change below zero
                if part_plan.stage is not None and part_plan.stage.tag == "lost":
                    return _ask_reason(deal)
                return found
            change = found
        activity = plan_parts.activity(turn, part_plan, reading, turn.deps.clock.now())
        account_id = part_plan.account.id if part_plan.account is not None else None
        place = deal.display if deal is not None else (
            turn.directory.account_name(turn.actor.id, account_id) if account_id else "")
        part = Part(deal.id if deal else None, account_id, activity,
                    change if change is not None else DealChangeSpec())
        ready.append(_Ready(reading, part_plan, part, before, place or ""))
    return _write(turn, ready)


def _new_deal_part(turn: Turn, reading: Reading, plan: Plan) -> _Ready | Answer:
    """The part that creates a deal, with the activity said beside it logged on it."""
    part = plan_parts.new_deal_part(turn, plan, reading)
    if part is None:
        return say_text("I can't find that account, so nothing was changed.", private=True)
    if isinstance(part, Answer):
        return part
    assert part.new_deal is not None
    return _Ready(reading, plan, part, None, f"{part.new_deal.account} — {part.new_deal.name}")


def _deal(turn: Turn, plan: Plan,
          chosen: dict[str, int]) -> DealRef | tuple[DealRef, ...] | None:
    """The part's open deal; None (an activity goes on the account); or the account's
    several open deals, to ask which."""
    actor = turn.actor
    if "deal" in chosen or plan.deal is not None:
        wanted = chosen.get("deal") or (plan.deal.id if plan.deal else None)
        return next((d for d in turn.directory.open_deals(actor.id) if d.id == wanted), None)
    if plan.account is None:
        return None
    if (reopened := plan_intents.reopened_deal(turn, plan)) is not None:
        return reopened
    deals = turn.directory.open_deals(actor.id, account_id=plan.account.id)
    if len(deals) == 1:
        return deals[0]
    only_logging = plan.activity is not None and plan.stage is None and not plan.edits
    if not deals or only_logging:
        return None
    return tuple(deals)


def _ask(turn: Turn, picks: Picks, index: int, plan: Plan) -> Answer:
    ask = plan.asks[0]
    if ask.what == "day":
        carried = {k: v for k, v in _carried(turn, picks, index).items()
                   if k in ("detail",)}
        return day_questions.ask(turn, turn.intent.text, ask, carried)
    if not ask.options:
        return say_text("I couldn't tell what one part of that means, so nothing was "
                        "changed. Try saying each deal on its own line.", private=True)
    noun = ask.what
    about = _about(plan)
    carried = _carried(turn, picks, index)
    options = [(shown_name(o, turn.directory, turn.actor.id), {"i": carried, noun: o.id})
               for o in ask.options]
    prompt = (f"Which {noun} do you mean{about}? Nothing is saved until you pick one "
              "(the rest of the message waits for it).")
    return Answer(text=prompt, blocks=ui.choice(prompt, options), private=True)


def _ask_deal(turn: Turn, picks: Picks, index: int, deals: tuple[DealRef, ...]) -> Answer:
    carried = _carried(turn, picks, index)
    options = [(d.display, {"i": carried, "deal": d.id}) for d in deals]
    prompt = ("Which deal do you mean? Nothing is saved until you pick one (the rest of the "
              "message waits for it).")
    return Answer(text=prompt, blocks=ui.choice(prompt, options), private=True)


def _ask_reason(deal: DealRef) -> Answer:
    text = (f"Why was *{escape(deal.display)}* lost? Nothing was changed yet: say the whole "
            "message again with the reason (`umbrella lost to a competitor`), or use the form "
            "for that deal alone.")
    return Answer(text=text, blocks=[ui.mrkdwn(text), ui.actions(
        ui.button("Close lost…", "opp_close_lost", str(deal.id)))], private=True)


def _about(plan: Plan) -> str:
    name = plan.deal.name if plan.deal else (plan.account.name if plan.account else "")
    return f" for *{escape(name)}*" if name else ""


def _write(turn: Turn, ready: list[_Ready]) -> Answer:
    done, token = turn.services.plans.apply_all(turn.actor.id, [r.part for r in ready])
    said = []
    for item, applied in zip(ready, done, strict=True):
        if item.part.follow_up is not None:
            said.append(item.place)  # what finishing or snoozing it did, already said
            continue
        title = f"*{escape(item.place)}*"
        if item.part.new_deal is not None and applied.opportunity is not None:
            made = plan_parts.created(applied.opportunity)
            said.append(made[:1].lower() + made[1:])
            title = "it"
        if applied.activity is not None:
            logged = plan_parts.logged(applied.activity, item.plan, title, turn.tz)
            said.append(logged[:1].lower() + logged[1:])
        after, before = applied.opportunity, item.before
        if after is None or before is None or not item.part.deal:
            continue
        moved_to = after.stage.id != before.stage.id
        if moved_to:
            said.append(f"moved {title} to *{escape(after.stage.name)}* ({after.probability}%)")
        spec = item.part.deal
        said_fields = (spec.amount is not None or spec.close_date is not None
                       or spec.probability is not None or spec.next_step is not UNSET)
        fields = describe_changes(before.model_copy(update={"probability": after.probability})
                                  if moved_to else before, after, turn.tz)
        if not said_fields:
            fields = "nothing changed"  # a close moves the close date itself: not news
        if fields != "nothing changed":
            said.append(f"updated {title}: {fields}")
        if not moved_to and fields == "nothing changed" and applied.activity is None:
            said.append(f"{title} is already in *{escape(after.stage.name)}*")
    line = "; ".join(said) + "."
    line = line[:1].upper() + line[1:]
    return Answer(text=line, blocks=ui.confirmation(line, token))
