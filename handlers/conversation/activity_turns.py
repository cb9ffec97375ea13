"""Logging what happened with a customer: "logged a call with acme, they want pricing by
friday", a note, or the log form; the follow-up date is read from the words or the form."""

from __future__ import annotations

from datetime import datetime

from handlers.conversation.resolver import Subject, new_account_name, resolve_subject
from handlers.conversation.turn import Turn
from handlers.language.dates import find_date
from handlers.language.deal_terms import occurred_at
from handlers.language.intents import Intent
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape, local_time, with_article
from store.schemas import ActivityView
from store.working_time import start_of_working_day


def log(turn: Turn) -> Answer:
    """Log the activity on the account, contact and deal the sentence names."""
    intent, actor, link = turn.intent, turn.actor, turn.link
    subject = _subject(turn)
    if isinstance(subject, Answer):
        return subject
    now = turn.deps.clock.now()
    about = subject.deal.display if subject.deal else (subject.account_name or (
        subject.contact.name if subject.contact else ""))
    activity = turn.services.activities.log(
        actor.id, kind=intent.kind or "note", subject=_headline(intent, subject, about)[:300],
        body=intent.text, occurred_at=occurred_at(intent.text, now, turn.tz),
        follow_up_at=_follow_up_at(turn, now),
        account_id=subject.account_id,
        contact_id=subject.contact.id if subject.contact else None,
        opportunity_id=subject.deal.id if subject.deal else None,
        slack_permalink=link.permalink if link else None,
        slack_event_key=link.event_key if link else None,
    )
    return _logged(activity, subject, about, turn.tz)


def _follow_up_at(turn: Turn, now: datetime) -> datetime | None:
    """The form's date, else one said in the words, at the start of that working day."""
    follow_up_day = turn.follow_up_day
    if follow_up_day is None and (found := find_date(turn.intent.detail or turn.intent.text,
                                                     now, turn.tz)) is not None:
        follow_up_day = found.day
    if not follow_up_day:
        return None
    return start_of_working_day(follow_up_day, turn.tz, turn.deps.working_hours)


def _headline(intent: Intent, subject: Subject, about: str) -> str:
    """"Call with Jane Roe: wants pricing", or what was said, or "Meeting with Globex"."""
    kind = intent.kind or "note"
    if not intent.detail:
        who = subject.contact.name if subject.contact else (subject.account_name or about)
        return f"{kind.capitalize()} with {who}"
    if subject.contact is not None and kind in ("meeting", "call", "email"):
        return f"{kind.capitalize()} with {subject.contact.name}: {intent.detail}"
    return intent.detail[:1].upper() + intent.detail[1:]


def _logged(activity: ActivityView, subject: Subject, about: str, tz: str) -> Answer:
    with_whom = f" with {escape(subject.contact.name)}" if subject.contact else ""
    line = (f"Logged {with_article(activity.kind)}{with_whom} on *{escape(about)}*: "
            f"“{escape(activity.subject)}”.")
    if activity.follow_up_at:
        line += f" Follow-up due {local_time(activity.follow_up_at, tz)}."
    return Answer(text=line, blocks=ui.confirmation(line, activity.undo_token))


def _subject(turn: Turn) -> Subject | Answer:
    """What the activity is about, or the question to ask first (which account? create it?)."""
    intent, chosen = turn.intent, turn.chosen
    if "account" in chosen:
        account = turn.directory.account_name(turn.actor.id, chosen["account"])
        if account is None:  # gone, or a forged id the rep may not see: the same words
            return say_text("That account no longer exists, so nothing was logged.",
                            private=True)
        deals = turn.directory.open_deals(turn.actor.id, account_id=chosen["account"])
        return Subject(account_id=chosen["account"], account_name=account,
                       deal=deals[0] if len(deals) == 1 else None)
    subject = resolve_subject(turn.directory, turn.actor.id, intent.target or "", intent.text)
    target = escape(intent.target or "")
    extras = _extras(turn)
    if subject.account_choices:
        options = [(name, {"i": intent.to_dict(), "account": account_id, **extras})
                   for account_id, name in subject.account_choices]
        return Answer(text=f"Which account do you mean by “{target}”?",
                      blocks=ui.choice(f"Which account do you mean by “{target}”?", options),
                      private=True)
    if subject.is_none:
        name = new_account_name(intent.target or "")
        return Answer(
            text=f"I couldn't find an account or contact called “{target}”.",
            blocks=[ui.mrkdwn(f"I couldn't find an account or contact called “{target}”, "
                              "so nothing was logged."),
                    ui.actions(ui.button(f"Create account “{name[:40]}”", "account_new",
                                         {"i": intent.to_dict(), "name": name, **extras}))],
            private=True,
        )
    return subject


def _extras(turn: Turn) -> dict[str, str]:
    """A form's date and a message link ride along with any question asked, so the answer
    logs what was first sent."""
    extras: dict[str, str] = {}
    if turn.follow_up_day is not None:
        extras["fu"] = turn.follow_up_day.isoformat()
    if turn.link is not None:
        extras |= {"pl": turn.link.permalink, "ek": turn.link.event_key}
    return extras
