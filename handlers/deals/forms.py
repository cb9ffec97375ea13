"""Modal submissions: validate in the ack (errors shown on the field), then act.

Each submission handler is a module-level function; `register` binds the dependencies
it needs with `functools.partial`, and Bolt passes the rest (ack, view, client, context)
by name. A service error is shown on the input it is about (`StoreError.field`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.conversation.conversation import Answer, Conversation, MessageLink
from handlers.conversation.deal_answers import describe_changes
from handlers.deals.new_owner import tell_new_owner
from handlers.deps import Deps
from handlers.language.amounts import parse_amount
from handlers.language.intents import Intent
from handlers.slack import blocks as ui
from handlers.slack import form_input, modals
from handlers.slack.delivery import dm
from handlers.slack.middleware import actor_of
from handlers.slack.text import day, escape, local_time, short_money, with_article
from store.errors import StoreError
from store.working_time import start_of_working_day

# the inputs of each form a service error can be shown on; any other goes on the default
_EDIT_FIELDS = ("amount", "currency", "owner")
_NEW_FIELDS = ("account", "name", "amount", "stage", "close_date")


def _field_for(exc: StoreError, fields: tuple[str, ...], default: str) -> str:
    """The input to show `exc` on: the one it is about if the form has it, else `default`."""
    return exc.field if exc.field in fields else default


def submit_close_lost(deps: Deps, conversation: Conversation, ack: Ack, view: dict[str, Any],
                      client: WebClient, context: BoltContext) -> None:
    reason = (modals.values(view).get("reason") or "").strip()
    if not reason:
        ack(response_action="errors", errors={"reason": "Say why it was lost."})
        return
    ids = form_input.required_ids(ack, view, "opp")
    if ids is None:
        return
    ack()
    actor = actor_of(context)
    opp = deps.services.opportunities.close(actor.id, ids["opp"], "lost", lost_reason=reason)
    moved = conversation.moved(opp)
    card = form_input.message_ref(view, "card")
    if card:  # the card or question the form came from: no live buttons left behind
        client.chat_update(channel=card["channel"], ts=card["ts"], text=moved.text,
                           blocks=conversation.card(opp, actor).blocks + moved.blocks)
    else:
        dm(client, actor.slack_user_id, moved)


def submit_log_activity(deps: Deps, conversation: Conversation, ack: Ack,
                        view: dict[str, Any], client: WebClient,
                        context: BoltContext) -> None:
    """Logged on the deal the form was opened from, or on whatever its "about" names."""
    form = modals.values(view)
    meta = form_input.text_metadata(view, "permalink", "event_key")
    opp_id = form_input.metadata_id(view, "opp")
    forged_link = bool(meta.get("permalink")) and not meta.get("event_key")
    if (modals.metadata(view).get("opp") not in (None, "") and opp_id is None) or forged_link:
        form_input.refuse(ack, view)
        return
    try:
        follow_up = modals.parse_day(form.get("follow_up"))
    except StoreError as exc:
        ack(response_action="errors", errors={"follow_up": str(exc)})
        return
    ack()
    actor = actor_of(context)
    tz = actor.timezone or deps.default_timezone
    if opp_id is not None:
        opp = deps.services.opportunities.get(actor.id, opp_id)
        activity = deps.services.activities.log(
            actor.id, kind=form.get("kind") or "note", subject=form.get("subject") or "",
            opportunity_id=opp.id, slack_permalink=meta.get("permalink"),
            slack_event_key=meta.get("event_key"),
            follow_up_at=start_of_working_day(follow_up, tz, deps.working_hours)
            if follow_up else None,
        )
        line = (f"Logged {with_article(activity.kind)} on *{escape(opp.title)}*: "
                f"“{escape(activity.subject)}”.")
        if activity.follow_up_at:
            tz = actor.timezone or deps.default_timezone
            line += f" Follow-up due {local_time(activity.follow_up_at, tz)}."
        dm(client, actor.slack_user_id, Answer(line, ui.confirmation(line,
                                                                      activity.undo_token)))
        return
    intent = Intent("log", form.get("subject") or "", kind=form.get("kind") or "note",
                    target=form.get("about") or "", detail=form.get("subject") or "")
    link = (MessageLink(meta["permalink"], meta["event_key"])
            if meta.get("permalink") else None)
    answer = conversation.answer(intent, actor, link=link, follow_up_day=follow_up)
    dm(client, actor.slack_user_id, answer)


def _edit_changes(form: dict[str, str | None]) -> tuple[dict[str, Any], dict[str, str]]:
    """The edit form's inputs as `update` arguments, and the errors of those it can't read."""
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    try:
        changes["amount"] = parse_amount(form.get("amount") or "")
    except StoreError as exc:
        errors["amount"] = str(exc)
    probability = form_input.whole_number((form.get("probability") or "").strip().rstrip("%"),
                                          0, 100)
    if probability is None:
        errors["probability"] = "A whole percentage from 0 to 100."
    else:
        changes["probability"] = probability
    changes["currency"] = (form.get("currency") or "").strip().upper() or None
    try:
        changes["close_date"] = modals.parse_day(form.get("close_date"))
    except StoreError as exc:
        errors["close_date"] = str(exc)
    changes["next_step"] = form.get("next_step") or None
    owner = form.get("owner")
    changes["owner_id"] = form_input.whole_number(owner, 1, form_input.MAX_ROW_ID)
    if owner and changes["owner_id"] is None:
        errors["owner"] = "Pick the owner from the list."
    return changes, errors


def submit_deal_edit(deps: Deps, ack: Ack, view: dict[str, Any], client: WebClient,
                     context: BoltContext) -> None:
    ids = form_input.required_ids(ack, view, "opp")
    if ids is None:
        return
    opp_id = ids["opp"]
    changes, errors = _edit_changes(modals.values(view))
    if errors:
        ack(response_action="errors", errors=errors)
        return
    actor = actor_of(context)
    try:
        before = deps.services.opportunities.get(actor.id, opp_id)
        if changes["probability"] == before.probability:
            changes.pop("probability")  # an untouched field must not become an override
        after = deps.services.opportunities.update(actor.id, opp_id, **changes)
    except StoreError as exc:
        ack(response_action="errors", errors={_field_for(exc, _EDIT_FIELDS, "owner"): str(exc)})
        return
    ack()
    tell_new_owner(client, actor, before, after)
    tz = actor.timezone or deps.default_timezone
    line = f"Updated *{escape(after.title)}*: {describe_changes(before, after, tz)}."
    dm(client, actor.slack_user_id, Answer(line, ui.confirmation(line, after.undo_token)))


def submit_new_deal(deps: Deps, conversation: Conversation, ack: Ack, view: dict[str, Any],
                    client: WebClient, context: BoltContext) -> None:
    form = modals.values(view)
    errors: dict[str, str] = {}
    amount = None
    if form.get("amount"):
        try:
            amount = parse_amount(form["amount"] or "")
        except StoreError as exc:
            errors["amount"] = str(exc)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    actor = actor_of(context)
    try:
        opp = deps.services.opportunities.create(
            actor.id, form.get("name") or "", account=form.get("account") or None,
            amount=amount, stage=form.get("stage"),
            close_date=modals.parse_day(form.get("close_date")), undoable=True,
        )
    except StoreError as exc:
        ack(response_action="errors", errors={_field_for(exc, _NEW_FIELDS, "name"): str(exc)})
        return
    ack()
    line = (f"Created *{escape(opp.title)}* in *{escape(opp.stage.name)}* "
            f"({short_money(opp.amount, opp.currency)}, closes {day(opp.close_date)}).")
    dm(client, actor.slack_user_id, Answer(
        line, ui.confirmation(line, opp.undo_token) + conversation.card(opp, actor).blocks))


def register(app: App, deps: Deps, conversation: Conversation) -> None:
    app.view("close_lost")(partial(submit_close_lost, deps, conversation))
    app.view("log_activity")(partial(submit_log_activity, deps, conversation))
    app.view("opp_edit")(partial(submit_deal_edit, deps))
    app.view("new_opportunity")(partial(submit_new_deal, deps, conversation))
