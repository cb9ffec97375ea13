"""Turns about what is coming up: follow-ups due, scheduled reminders, muting, the digest."""

from __future__ import annotations

from handlers.conversation.turn import Turn
from handlers.language.dates import find_date
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import local_time
from store.working_time import DEFAULT_DIGEST_HOUR, follow_up_horizon, start_of_working_day

_REMINDER_NAMES = {"follow_up": "follow-up", "renewal": "renewal", "stale_deal": "quiet deal",
                   "digest": "daily digest"}
_MAX_FOLLOW_UPS = 30


def followups(turn: Turn) -> Answer:
    """"my follow-ups": overdue ones and those due this week (`follow_up_horizon`)."""
    actor, now = turn.actor, turn.deps.clock.now()
    due = turn.services.activities.due_follow_ups(actor.id, follow_up_horizon(now, turn.tz))
    if not due:
        return say_text("Nothing due this week. :tada:")
    lines = [ui.follow_up_line(a, actor.timezone, now) for a in due[:_MAX_FOLLOW_UPS]]
    more = (f"\n…and {len(due) - _MAX_FOLLOW_UPS} more" if len(due) > _MAX_FOLLOW_UPS
            else "")
    return say_text("*Your follow-ups (this week)*\n" + "\n".join(lines) + more)


def reminders(turn: Turn) -> Answer:
    """"my reminders": what the bot will remind the rep of, and when, with the follow-ups
    due this week (each is a reminder once its day comes; the sweep schedules it then, so
    "Nothing scheduled" beside four follow-ups due was wrong)."""
    actor, now = turn.actor, turn.deps.clock.now()
    coming = turn.services.reminders.upcoming(actor.id)
    lines = [f"• {local_time(at, turn.tz)}: {_REMINDER_NAMES.get(kind, kind)}"
             for at, kind, _ in coming]
    due = turn.services.activities.due_follow_ups(actor.id, follow_up_horizon(now, turn.tz))
    text = "*Coming up*\n" + ("\n".join(lines) or ("No other reminders scheduled." if due
                                                   else "Nothing scheduled."))
    if due:
        text += "\n*Follow-ups due this week*\n" + "\n".join(
            ui.follow_up_line(a, actor.timezone, now) for a in due[:_MAX_FOLLOW_UPS])
    return say_text(text, private=True)


def mute(turn: Turn) -> Answer:
    """"mute reminders until monday" (to the start of that working day); "unmute"."""
    actor, tz = turn.actor, turn.tz
    if turn.intent.detail is None:
        turn.services.reminders.mute(actor.id, None)
        return say_text("Reminders are on again.", private=True)
    found = find_date(turn.intent.detail, turn.deps.clock.now(), tz)
    if found is None:
        return say_text("Until when? Try `mute reminders until monday`.", private=True)
    until = start_of_working_day(found.day, tz, turn.deps.working_hours)
    turn.services.reminders.mute(actor.id, until)
    return say_text(f"Muted until {local_time(until, tz)}. Say `unmute` to undo.",
                    private=True)


def digest(turn: Turn) -> Answer:
    """"digest at 8am", "digest off"."""
    detail = turn.intent.detail
    hour = None if detail == "off" else int(detail or DEFAULT_DIGEST_HOUR)
    if hour is not None and not 0 <= hour <= 23:
        return say_text("An hour between 0 and 23, like `digest at 8am`.", private=True)
    turn.services.reminders.set_digest_hour(turn.actor.id, hour)
    if hour is None:
        return say_text("No more daily digest.", private=True)
    return say_text(f"Your daily digest comes at {hour:02d}:00 your time.", private=True)
