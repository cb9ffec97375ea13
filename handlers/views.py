"""Modal submissions: validate in the ack (errors shown on the field), then act."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers import blocks as ui
from handlers import modals
from handlers.amounts import parse_amount
from handlers.conversation import Answer, Conversation, MessageLink
from handlers.dates import start_of_working_day
from handlers.deps import Deps
from handlers.intents import Intent
from handlers.middleware import actor_of
from store.errors import StoreError


def _dm(client: WebClient, user_id: str, answer: Answer) -> None:
    """Confirm a form in the person's DM with the bot (forms have no channel of their own)."""
    client.chat_postMessage(channel=user_id, text=answer.text, blocks=answer.blocks)


def register(app: App, deps: Deps, conversation: Conversation) -> None:
    services = deps.services

    @app.view("close_lost")
    def close_lost(ack: Ack, view: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
        reason = (modals.values(view).get("reason") or "").strip()
        if not reason:
            ack(response_action="errors", errors={"reason": "Say why it was lost."})
            return
        ack()
        actor = actor_of(context)
        opp = services.opportunities.move_stage(actor.id, int(modals.metadata(view)["opp"]),
                                                "Closed Lost", lost_reason=reason)
        _dm(client, actor.slack_user_id, conversation.moved(opp))

    @app.view("log_activity")
    def log_activity(ack: Ack, view: dict[str, Any], client: WebClient,
                     context: BoltContext) -> None:
        form = modals.values(view)
        meta = modals.metadata(view)
        ack()
        actor = actor_of(context)
        tz = actor.timezone or deps.default_timezone
        follow_up = modals.parse_day(form.get("follow_up"))
        if meta.get("opp"):
            opp = services.opportunities.get(actor.id, int(meta["opp"]))
            activity = services.activities.log(
                actor.id, kind=form.get("kind") or "note", subject=form.get("subject") or "",
                opportunity_id=opp.id, slack_permalink=meta.get("permalink"),
                slack_event_key=meta.get("event_key"),
                follow_up_at=start_of_working_day(follow_up, tz, deps.working_hours)
                if follow_up else None,
            )
            line = f"Logged a {activity.kind} on *{opp.title}*."
            _dm(client, actor.slack_user_id, Answer(line, ui.confirmation(line,
                                                                          activity.undo_token)))
            return
        intent = Intent("log", form.get("subject") or "", kind=form.get("kind") or "note",
                        target=form.get("about") or "", detail=form.get("subject") or "")
        link = (MessageLink(meta["permalink"], meta["event_key"])
                if meta.get("permalink") else None)
        answer = conversation.answer(intent, actor, link=link, follow_up_day=follow_up)
        _dm(client, actor.slack_user_id, answer)

    @app.view("new_opportunity")
    def new_opportunity(ack: Ack, view: dict[str, Any], client: WebClient,
                        context: BoltContext) -> None:
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
            opp = services.opportunities.create(
                actor.id, form.get("name") or "", account=form.get("account") or None,
                amount=amount, stage=form.get("stage"),
                close_date=modals.parse_day(form.get("close_date")),
            )
        except StoreError as exc:
            field = "account" if "account" in str(exc).lower() else "name"
            ack(response_action="errors", errors={field: str(exc)})
            return
        ack()
        _dm(client, actor.slack_user_id, conversation.card(opp, actor))
