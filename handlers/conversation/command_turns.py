"""Typed commands the language layer reads: snooze or finish a follow-up by naming its
account, and create a deal in words ("new opp for hooli: expansion, 75k, closing eoq")."""

from __future__ import annotations

from datetime import timedelta

from handlers.conversation import plan_parts
from handlers.conversation.deal_answers import card
from handlers.conversation.turn import Turn
from handlers.language.plan import Plan, Reading
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape, local_time, with_article
from store.errors import Conflict
from store.roles import ROLES
from store.schemas import ActivityView
from store.services.deals.plans import FollowUpSpec, Part
from store.working_time import follow_up_horizon, start_of_working_day

_HORIZON = timedelta(days=3650)  # every open follow-up, however far ahead
UNDO_WINDOW = timedelta(minutes=30)
"""How far back a typed "undo" reaches."""


def follow_up(turn: Turn, plan: Plan) -> Answer | None:
    """Snooze or finish the rep's open follow-up on the account the message names."""
    if plan.command is not None and plan.command.args.get("all"):
        return every_follow_up(turn, plan)
    found = follow_up_part(turn, plan, turn.chosen, {"name": "read", "text": turn.intent.text})
    if found is None or isinstance(found, Answer):
        return found
    part, target, name = found
    _done, token = turn.services.plans.apply_all(turn.actor.id, [part])  # as with facts
    said = follow_up_said(part, target, name, turn.tz)
    line = said[:1].upper() + said[1:] + "."
    return Answer(text=line, blocks=ui.confirmation(line, token))


def every_follow_up(turn: Turn, plan: Plan) -> Answer:
    """"snooze all my follow-ups till monday", "mark all my follow-ups done": every one due
    this week (overdue included), in one transaction with one Undo."""
    assert plan.command is not None
    now = turn.deps.clock.now()
    due = turn.services.activities.due_follow_ups(turn.actor.id,
                                                  follow_up_horizon(now, turn.tz))
    if not due:
        return say_text("You have no follow-ups due this week, so nothing was changed.",
                        private=True)
    until = plan.command.args.get("until")
    if plan.command.name == "snooze" and until is None:
        return say_text("Until when? Say a day, like `snooze all my follow-ups till "
                        "monday`. Nothing was changed.", private=True)
    when = (start_of_working_day(until, turn.tz, turn.deps.working_hours)  # type: ignore[arg-type]
            if plan.command.name == "snooze" else None)
    if when is not None:  # a snooze never brings one forward
        due = [a for a in due if a.follow_up_at is not None and a.follow_up_at < when]
        if not due:
            return say_text(f"None of your follow-ups is due before "
                            f"{local_time(when, turn.tz)}, so nothing was changed.",
                            private=True)
    parts = [Part(None, a.account_id, follow_up=FollowUpSpec(a.id, when)) for a in due]
    _done, token = turn.services.plans.apply_all(turn.actor.id, parts)
    names = ", ".join(escape(a.account_name or a.subject) for a in due)
    line = (f"Snoozed {len(due)} follow-up{'s' if len(due) > 1 else ''} until "
            f"{local_time(when, turn.tz)}: {names}." if when is not None else
            f"Done: {len(due)} follow-up{'s' if len(due) > 1 else ''} ({names}).")
    return Answer(text=line, blocks=ui.confirmation(line, token))


def follow_up_part(turn: Turn, plan: Plan, chosen: dict[str, int], carried: dict[str, str],
                   ) -> tuple[Part, ActivityView, str] | Answer | None:
    """What finishing or snoozing the follow-up writes, or why it can't be; None when no
    account is named. With two open on the account, the rep picks one (`carried` is the
    message the buttons carry, `chosen` the pick). Alone, or as the first part of a
    message that also changes a deal."""
    if plan.command is None or plan.account is None:
        return None
    mine = _open_on(turn, plan.account.id)
    name = turn.directory.account_name(turn.actor.id, plan.account.id) or plan.account.name
    if "follow_up" in chosen:
        mine = [a for a in mine if a.id == chosen["follow_up"]]
    if not mine:
        return say_text(f"You have no open follow-up on *{escape(name)}*, so nothing was "
                        "changed. Which one did you mean? `followups` lists yours.",
                        private=True)
    if len(mine) > 1:
        prompt = (f"Which follow-up on *{escape(name)}*? Nothing is changed until you pick "
                  "one.")
        options = [(f"{a.subject[:40]} ({local_time(a.follow_up_at, turn.tz)})"
                    if a.follow_up_at else a.subject[:60], {"i": carried, "follow_up": a.id})
                   for a in mine]
        return Answer(text=prompt, blocks=ui.choice(prompt, options), private=True)
    target = mine[0]
    if plan.command.name == "done":
        return Part(None, plan.account.id, follow_up=FollowUpSpec(target.id)), target, name
    until = plan.command.args.get("until")
    if until is None:
        return say_text("Until when? Say a day, like `snooze the hooli follow-up till "
                        "friday`. Nothing was changed.", private=True)
    when = start_of_working_day(until, turn.tz, turn.deps.working_hours)  # type: ignore[arg-type]
    return Part(None, plan.account.id, follow_up=FollowUpSpec(target.id, when)), target, name


def follow_up_said(part: Part, target: ActivityView, name: str, tz: str) -> str:
    """"done: “Confirm the signature date” on *Wayne Enterprises*", lower-case first."""
    assert part.follow_up is not None
    what = f"“{escape(target.subject)}” on *{escape(name)}*"
    if part.follow_up.until is None:
        return f"done: {what}"
    return f"snoozed {what} until {local_time(part.follow_up.until, tz)}"


def _open_on(turn: Turn, account_id: int) -> list[ActivityView]:
    until = turn.deps.clock.now() + _HORIZON
    return [a for a in turn.services.activities.due_follow_ups(turn.actor.id, until)
            if a.account_id == account_id]


def create_deal(turn: Turn, plan: Plan, reading: Reading) -> Answer | None:
    """A new deal on the named account, with the terms said, and the activity said with it
    ("…, f/u friday", "had a call with their cfo") logged on it: one transaction, one Undo.
    No name said is a question."""
    part = plan_parts.new_deal_part(turn, plan, reading)
    if part is None or isinstance(part, Answer):
        return part
    [done], token = turn.services.plans.apply_all(turn.actor.id, [part])
    opp = done.opportunity
    assert opp is not None
    shown = card(turn.directory, opp, turn.actor)
    line = plan_parts.created(opp)
    if done.activity is not None:
        logged = plan_parts.logged(done.activity, plan, "it", turn.tz)
        line += "; " + logged[:1].lower() + logged[1:]
    line += "."
    return Answer(text=line, blocks=ui.confirmation(line, token) + shown.blocks)


def role(turn: Turn, plan: Plan) -> Answer:
    """"make dana a manager": an admin changes a role, as in `/sales admin`."""
    assert plan.command is not None
    who, role_name = plan.command.args.get("who"), plan.command.args.get("role")
    if not who or not role_name:
        return say_text("Whose role, and which one? The roles are "
                        f"{', '.join(ROLES)}: say it like `make dana a manager`. Nothing "
                        "was changed.", private=True)
    ref = turn.actor.slack_user_id if who == "me" else str(who)
    user = turn.services.people.update(turn.actor.id, ref, role=str(role_name))
    role_said = "in finance" if user.role == "finance" else with_article(user.role)
    return say_text(f"{escape(user.name)} is now {role_said}.")  # not "a finance"


def undo_last(turn: Turn) -> Answer:
    """"undo": the rep's own latest change the bot made, reversed once; only one from the
    last half hour (typed after a question that saved nothing, "undo" once removed a call
    logged that morning). An older change keeps the Undo button on its own message."""
    since = turn.deps.clock.now() - UNDO_WINDOW
    token = turn.services.undo.last_token(turn.actor.id, since)
    if token is None:
        try:
            older = turn.services.undo.last_token(turn.actor.id)
        except Conflict:  # the latest of all was one that can't be undone: no hint
            older = None
        return say_text("There is nothing of yours from the last half hour to undo, so "
                        "nothing was changed." + (" An older change can still be undone "
                                                  "with the Undo button on its message."
                                                  if older else ""), private=True)
    summary = turn.services.undo.undo(turn.actor.id, token)
    return say_text(f"Undone: {escape(summary)}")
