"""What a due reminder says: one renderer per reminder kind, chosen from `RENDERERS`.

Each renderer reads the reminder's reason, loaded fresh for the whole batch just before it
is sent (`ReminderContext.load`, store/services/reminders/context.py), and returns None
when it has gone away (follow-up done, deal moved on), so nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from handlers.reminders.rule_messages import rule_message
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer
from handlers.slack.text import day, escape, local_time, short_money
from store.services import Services
from store.services.reminders.context import BatchContext, RenewalContext, digest_day
from store.services.reminders.reminders import DueReminder

Renderer = Callable[[Services, DueReminder, datetime, str, BatchContext], Answer | None]
"""(services, the reminder, now, the recipient's time zone, the batch's context) -> the
message, or None."""


def datepicker(action_id: str, placeholder: str) -> dict[str, Any]:
    return {"type": "datepicker", "action_id": action_id,
            "placeholder": {"type": "plain_text", "text": placeholder}}


def follow_up_message(_services: Services, due: DueReminder, _now: datetime,
                      tz: str, batch: BatchContext) -> Answer | None:
    """The follow-up with Done, Snooze (a day, a week, a date) and Log activity."""
    follow = batch.follow_ups.get(due.id)
    if follow is None:
        return None
    a = follow.activity
    about = " — ".join(x for x in (a.account_name, a.opportunity_name) if x) or (
        a.contact_name or "")
    text = f":alarm_clock: Follow up on *{escape(about)}*: {escape(a.subject)}"
    lines = [text, f"Due {local_time(a.follow_up_at or due.due_at, tz)}"]
    if follow.last_note and follow.last_note != a.subject:
        lines.append(f"Last note: “{escape(ui.clip(follow.last_note, 300))}”")
    value = str(a.id)
    return Answer(text=escape(f"Follow up on {about}"), blocks=[
        ui.mrkdwn("\n".join(lines)),
        ui.actions(ui.button("Done", "followup_done", value, style="primary"),
                   # one action_id per button (Slack refuses a block with two alike)
                   ui.button("Snooze 1 day", "followup_snooze_1", f"{a.id}:1"),
                   ui.button("Snooze 1 week", "followup_snooze_7", f"{a.id}:7"),
                   datepicker("followup_snooze_date", "Pick a date"),
                   ui.button("Log activity", "followup_log", value),
                   block_id=f"followup:{a.id}")])


def _renewal_risk(r: RenewalContext) -> list[str]:
    return [f"{r.open_cases} open case(s)" if r.open_cases else "no open cases",
            f"last activity {r.days_since_activity} days ago"
            if r.days_since_activity is not None else "no activity logged",
            f"{r.recent_lost} deal(s) lost in 6 months" if r.recent_lost else
            "no recent lost deals"]


def renewal_message(_services: Services, due: DueReminder, _now: datetime,
                    _tz: str, batch: BatchContext) -> Answer | None:
    """A contract nearing its end, its renewal risk, and Create renewal deal if none yet."""
    r = batch.renewals.get(due.id)
    if r is None:
        return None
    text = (f":hourglass: *{escape(r.account_name)}*: “{escape(r.contract_name)}” "
            f"({short_money(r.value, r.currency)}) ends {day(r.end_date)}, "
            f"in {r.days_left} days.\nRenewal risk: {', '.join(_renewal_risk(r))}.")
    if r.renewal_title:
        text += f"\nRenewal deal open: *{escape(r.renewal_title)}*."
    blocks = [ui.mrkdwn(text)]
    if not r.renewal_opportunity_id:
        blocks.append(ui.actions(ui.button("Create renewal deal", "renewal_create",
                                           str(r.contract_id), style="primary")))
    return Answer(text=escape(f"{r.account_name} renews in {r.days_left} days"),
                  blocks=blocks)


def stale_deal_message(_services: Services, due: DueReminder, _now: datetime,
                       _tz: str, batch: BatchContext) -> Answer | None:
    """A quiet or overdue deal with Log activity, Move close date and Close lost."""
    st = batch.stale.get(due.id)
    if st is None:
        return None
    opp = st.opportunity
    why = (f"its close date {day(opp.close_date)} has passed" if st.past_close_date else
           f"nothing has happened for {st.quiet_days}+ days")
    return Answer(text=escape(f"{opp.title} has gone quiet"), blocks=[
        ui.mrkdwn(f":zzz: *{escape(opp.title)}* ({escape(opp.stage.name)}, "
                  f"{short_money(opp.amount, opp.currency)}): {why}."),
        ui.actions(ui.button("Log activity", "opp_log_activity", str(opp.id)),
                   datepicker("stale_close_date", "Move close date"),
                   ui.button("Close lost…", "opp_close_lost", str(opp.id)),
                   block_id=f"stale:{opp.id}")])


def digest_message(_services: Services, due: DueReminder, now: datetime,
                   tz: str, batch: BatchContext) -> Answer | None:
    """The morning digest: today's follow-ups and meetings; None on an empty day, and None
    for a digest of a day gone by (held back by a mute or a weekend): it would repeat
    today's, which goes out on its own."""
    if digest_day(due.due_at, now, tz) is None:
        return None
    d = batch.digests.get(due.id)
    if d is None or (not d.follow_ups and not d.meetings):
        return None
    lines = [":sunrise: *Your day*"]
    lines += [ui.follow_up_line(a, tz, now) for a in d.follow_ups]
    lines += [f"• meeting · {escape(a.subject)} ({local_time(a.occurred_at, tz)})"
              for a in d.meetings]
    return Answer(text="Your day", blocks=[ui.mrkdwn("\n".join(lines))])


def report_message(services: Services, due: DueReminder, _now: datetime,
                   _tz: str, _batch: BatchContext) -> Answer | None:
    # the report renders a chart (matplotlib): imported by the sweep that posts one only
    from handlers.pipeline.flow import scheduled_report

    return scheduled_report(services, due.subject_id)


def workflow_rule_message(services: Services, due: DueReminder, _now: datetime,
                          _tz: str, _batch: BatchContext) -> Answer | None:
    return rule_message(services, due)


RENDERERS: dict[str, Renderer] = {
    "follow_up": follow_up_message,
    "renewal": renewal_message,
    "stale_deal": stale_deal_message,
    "digest": digest_message,
    "report": report_message,
    "rule": workflow_rule_message,
}
"""Reminder kind (as the store plans it) -> its renderer."""


def reminder_message(services: Services, due: DueReminder, now: datetime,
                     default_tz: str, batch: BatchContext | None = None) -> Answer | None:
    """What to send for `due`, or None when its reason has gone away (or its kind is
    unknown to this version). `batch`: its batch's context, loaded once for all of them
    (`ReminderContext.load`); without it, this one's is loaded."""
    render = RENDERERS.get(due.kind)
    if render is None:
        return None
    if batch is None:
        batch = services.reminder_context.load([due], now, default_tz)
    return render(services, due, now, due.user_timezone or default_tz, batch)
