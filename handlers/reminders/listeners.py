"""Reminder messages and their buttons: Done, Snooze, pick a date, Log activity,
create the renewal deal, move a close date, close lost."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.activities import modals as activity_modals
from handlers.deps import Deps
from handlers.pipeline.flow import scheduled_report
from handlers.slack import blocks as ui
from handlers.slack import modals
from handlers.slack.answer import Answer
from handlers.slack.delivery import replace_message
from handlers.slack.middleware import actor_of
from handlers.slack.text import day, escape, local_time, short_money
from store.services import Services
from store.services.reminders.reminders import DueReminder
from store.working_time import start_of_working_day


def _datepicker(action_id: str, placeholder: str) -> dict[str, Any]:
    return {"type": "datepicker", "action_id": action_id,
            "placeholder": {"type": "plain_text", "text": placeholder}}


def reminder_message(services: Services, due: DueReminder, now: datetime,
                     default_tz: str) -> Answer | None:
    """What to send for `due`, or None when its reason has gone away."""
    tz = due.user_timezone or default_tz
    context = services.reminder_context
    if due.kind in ("follow_up", "quote_feedback"):
        follow = context.follow_up(due.subject_id, due.due_at)
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
                       ui.button("Snooze 1 day", "followup_snooze", f"{a.id}:1"),
                       ui.button("Snooze 1 week", "followup_snooze", f"{a.id}:7"),
                       _datepicker("followup_snooze_date", "Pick a date"),
                       ui.button("Log activity", "followup_log", value),
                       block_id=f"followup:{a.id}")])
    if due.kind == "renewal":
        r = context.renewal(due.subject_id)
        if r is None:
            return None
        risk = [f"{r.open_cases} open case(s)" if r.open_cases else "no open cases",
                f"last activity {r.days_since_activity} days ago"
                if r.days_since_activity is not None else "no activity logged",
                f"{r.recent_lost} deal(s) lost in 6 months" if r.recent_lost else
                "no recent lost deals"]
        text = (f":hourglass: *{escape(r.account_name)}*: “{escape(r.contract_name)}” "
                f"({short_money(r.value, r.currency)}) ends {day(r.end_date)}, "
                f"in {r.days_left} days.\nRenewal risk: {', '.join(risk)}.")
        elements = [] if r.renewal_opportunity_id else [
            ui.button("Create renewal deal", "renewal_create", str(r.contract_id),
                      style="primary")]
        blocks = [ui.mrkdwn(text)]
        if elements:
            blocks.append(ui.actions(*elements))
        return Answer(text=escape(f"{r.account_name} renews in {r.days_left} days"),
                      blocks=blocks)
    if due.kind == "stale_deal":
        st = context.stale(due.subject_id, due.key)
        if st is None:
            return None
        opp = st.opportunity
        why = (f"its close date {day(opp.close_date)} has passed" if st.past_close_date else
               f"nothing has happened for {st.quiet_days}+ days")
        return Answer(text=escape(f"{opp.title} has gone quiet"), blocks=[
            ui.mrkdwn(f":zzz: *{escape(opp.title)}* ({escape(opp.stage.name)}, "
                      f"{short_money(opp.amount, opp.currency)}): {why}."),
            ui.actions(ui.button("Log activity", "opp_log_activity", str(opp.id)),
                       _datepicker("stale_close_date", "Move close date"),
                       ui.button("Close lost…", "opp_close_lost", str(opp.id)),
                       block_id=f"stale:{opp.id}")])
    if due.kind == "digest":
        start = now.astimezone(ZoneInfo(tz)).replace(hour=0, minute=0, second=0)
        d = context.digest(due.subject_id, start.astimezone(now.tzinfo))
        if not d.follow_ups and not d.meetings:
            return None
        lines = [":sunrise: *Your day*"]
        lines += [ui.follow_up_line(a, tz, now) for a in d.follow_ups]
        lines += [f"• meeting · {escape(a.subject)} ({local_time(a.occurred_at, tz)})"
                  for a in d.meetings]
        return Answer(text="Your day", blocks=[ui.mrkdwn("\n".join(lines))])
    if due.kind == "report":
        return scheduled_report(services, due.subject_id)
    return None


def register(app: App, deps: Deps) -> None:
    services = deps.services

    def done_message(text: str) -> Answer:
        return Answer(text=text, blocks=[ui.mrkdwn(text)])

    @app.action("followup_done")
    def follow_up_done(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                       context: BoltContext) -> None:
        ack()
        activity = services.activities.set_follow_up_done(
            actor_of(context).id, int(body["actions"][0]["value"]))
        replace_message(body, client, respond,
                        done_message(f":white_check_mark: Done: {escape(activity.subject)}"))

    @app.action("followup_snooze")
    def snooze(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
               context: BoltContext) -> None:
        ack()
        actor = actor_of(context)
        activity_id, days = (int(x) for x in body["actions"][0]["value"].split(":"))
        when = deps.clock.now() + timedelta(days=days)
        activity = services.activities.reschedule(actor.id, activity_id, when)
        replace_message(body, client, respond, done_message(
            f":zzz: Snoozed “{escape(activity.subject)}” until "
            f"{local_time(when, actor.timezone or deps.default_timezone)}."))

    @app.action("followup_snooze_date")
    def snooze_to_date(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                       context: BoltContext) -> None:
        ack()
        actor = actor_of(context)
        tz = actor.timezone or deps.default_timezone
        action = body["actions"][0]
        activity_id = int(action["block_id"].split(":")[1])
        when = start_of_working_day(modals.parse_day(action["selected_date"]), tz,
                                    deps.working_hours)
        activity = services.activities.reschedule(actor.id, activity_id, when)
        replace_message(body, client, respond, done_message(
            f":zzz: Snoozed “{escape(activity.subject)}” until {local_time(when, tz)}."))

    @app.action("followup_log")
    def log_after_follow_up(ack: Ack, body: dict[str, Any], client: WebClient,
                            context: BoltContext) -> None:
        ack()
        activity = services.activities.get(actor_of(context).id,
                                           int(body["actions"][0]["value"]))
        metadata = {"opp": activity.opportunity_id} if activity.opportunity_id else {}
        client.views_open(trigger_id=body["trigger_id"], view=activity_modals.log_activity(
            about=activity.account_name or activity.contact_name, metadata=metadata))

    @app.action("renewal_create")
    def create_renewal(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                       context: BoltContext) -> None:
        ack()
        opp = services.contracts.create_renewal(actor_of(context).id,
                                                int(body["actions"][0]["value"]))
        replace_message(body, client, respond, done_message(
            f"Created *{escape(opp.title)}* ({short_money(opp.amount, opp.currency)}, "
            f"closes {day(opp.close_date)})."))

    @app.action("stale_close_date")
    def move_close_date(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                        context: BoltContext) -> None:
        ack()
        action = body["actions"][0]
        opp_id = int(action["block_id"].split(":")[1])
        opp = services.opportunities.update(actor_of(context).id, opp_id,
                                            close_date=modals.parse_day(action["selected_date"]))
        replace_message(body, client, respond, done_message(
            f"*{escape(opp.title)}* now closes {day(opp.close_date)}."))
