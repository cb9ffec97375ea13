"""The buttons on reminder messages: Done, Snooze, pick a date, Log activity, create the
renewal deal, move a close date. What the reminders say is in handlers/reminders/messages.py.

Each listener is a module-level function taking `deps` first; `register` binds it with
functools.partial, which Bolt's argument injection sees through (it reads the remaining
parameter names)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.activities import modals as activity_modals
from handlers.deps import Deps
from handlers.slack import blocks as ui
from handlers.slack import form_input, modals
from handlers.slack.actions import STALE_BUTTON, clicked_id, clicked_ids
from handlers.slack.answer import Answer
from handlers.slack.delivery import replace_message
from handlers.slack.middleware import actor_of
from handlers.slack.text import day, escape, local_time, short_money
from store.errors import InvalidInput
from store.working_time import start_of_working_day

MAX_SNOOZE_DAYS = 366
SNOOZE = re.compile(r"^followup_snooze(_\d+)?$")  # not followup_snooze_date


def done_message(text: str) -> Answer:
    return Answer(text=text, blocks=[ui.mrkdwn(text)])


def _picked(action: dict[str, Any]) -> tuple[int, date]:
    """The row id a date picker's block carries (`kind:ID`) and the date picked;
    InvalidInput when either is not what the bot sent."""
    row_id = form_input.whole_number(str(action.get("block_id", "")).partition(":")[2], 1,
                                     form_input.MAX_ROW_ID)
    picked = modals.parse_day(action.get("selected_date") or "none")
    if row_id is None or picked is None:
        raise InvalidInput(STALE_BUTTON)
    return row_id, picked


def follow_up_done(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                   respond: Respond, context: BoltContext) -> None:
    ack()
    activity = deps.services.activities.set_follow_up_done(
        actor_of(context).id, clicked_id(body))
    replace_message(body, client, respond,
                    done_message(f":white_check_mark: Done: {escape(activity.subject)}"))


def _snooze_until(deps: Deps, context: BoltContext, activity_id: int, when: datetime,
                  body: dict[str, Any], client: WebClient, respond: Respond) -> None:
    """Move the follow-up to `when` and say so in place of the reminder."""
    actor = actor_of(context)
    activity = deps.services.activities.reschedule(actor.id, activity_id, when)
    replace_message(body, client, respond, done_message(
        f":zzz: Snoozed “{escape(activity.subject)}” until "
        f"{local_time(when, actor.timezone or deps.default_timezone)}."))


def snooze(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
           context: BoltContext) -> None:
    ack()
    activity_id, days = clicked_ids(body, 2)
    if days > MAX_SNOOZE_DAYS:
        raise InvalidInput(STALE_BUTTON)
    _snooze_until(deps, context, activity_id, deps.clock.now() + timedelta(days=days),
                  body, client, respond)


def snooze_to_date(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                   respond: Respond, context: BoltContext) -> None:
    ack()
    action = body["actions"][0]
    tz = actor_of(context).timezone or deps.default_timezone
    row_id, picked = _picked(action)
    when = start_of_working_day(picked, tz, deps.working_hours)
    _snooze_until(deps, context, row_id, when, body, client, respond)


def log_after_follow_up(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                        context: BoltContext) -> None:
    ack()
    activity = deps.services.activities.get(actor_of(context).id,
                                            clicked_id(body))
    metadata = {"opp": activity.opportunity_id} if activity.opportunity_id else {}
    client.views_open(trigger_id=body["trigger_id"], view=activity_modals.log_activity(
        about=activity.account_name or activity.contact_name, metadata=metadata))


def create_renewal(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                   respond: Respond, context: BoltContext) -> None:
    ack()
    opp = deps.services.contracts.create_renewal(actor_of(context).id,
                                                 clicked_id(body))
    replace_message(body, client, respond, done_message(
        f"Created *{escape(opp.title)}* ({short_money(opp.amount, opp.currency)}, "
        f"closes {day(opp.close_date)})."))


def move_close_date(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient,
                    respond: Respond, context: BoltContext) -> None:
    ack()
    action = body["actions"][0]
    opp_id, picked = _picked(action)
    opp = deps.services.opportunities.update(actor_of(context).id, opp_id, close_date=picked)
    replace_message(body, client, respond, done_message(
        f"*{escape(opp.title)}* now closes {day(opp.close_date)}."))


def register(app: App, deps: Deps) -> None:
    app.action("followup_done")(partial(follow_up_done, deps))
    # followup_snooze_1 / _7; the bare id is still on reminders sent before ids were unique
    app.action(SNOOZE)(partial(snooze, deps))
    app.action("followup_snooze_date")(partial(snooze_to_date, deps))
    app.action("followup_log")(partial(log_after_follow_up, deps))
    app.action("renewal_create")(partial(create_renewal, deps))
    app.action("stale_close_date")(partial(move_close_date, deps))
