"""Listeners for quotes and approvals: the quote form, request / cancel / send / revise
buttons, Approve and Reject, and the reject reason form."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.quotes import blocks as qb
from handlers.quotes.flow import QuoteFlow
from handlers.slack import modals
from handlers.slack.answer import Answer
from handlers.slack.delivery import replace_message
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape
from store.errors import StoreError
from store.services.quotes.quotes import LineSpec, QuoteView


def _ids(body: dict[str, Any]) -> tuple[int, int]:
    first, second = body["actions"][0]["value"].split(":")
    return int(first), int(second)


def _catalog(deps: Deps) -> list[tuple[str, str]]:
    return [(f"{p.name} ({p.sku})", p.sku) for p in deps.services.quotes.catalog()]


def _form_lines(form: dict[str, str | None]) -> tuple[list[LineSpec], Decimal, dict[str, str]]:
    """Read the quote form; errors are keyed by the field they belong to."""
    errors: dict[str, str] = {}
    lines: list[LineSpec] = []
    for row in range(1, modals.QUOTE_ROWS + 1):
        sku, qty, off = (form.get(f"product_{row}"), form.get(f"qty_{row}"),
                         form.get(f"disc_{row}"))
        if not sku and not qty:
            continue
        if not sku:
            errors[f"product_{row}"] = "Pick a product for this quantity."
            continue
        if not (qty or "").strip().isdigit() or int(qty or 0) <= 0:
            errors[f"qty_{row}"] = "A whole number above zero."
            continue
        try:
            percent = Decimal((off or "0").strip().rstrip("%") or "0")
            lines.append(LineSpec(product=sku, quantity=int(qty or 0),
                                  discount_percent=percent))
        except (InvalidOperation, ValueError):
            errors[f"disc_{row}"] = "A percentage between 0 and 100."
    try:
        quote_off = Decimal((form.get("quote_discount") or "0").strip().rstrip("%") or "0")
        if not 0 <= quote_off <= 100:
            raise InvalidOperation
    except InvalidOperation:
        errors["quote_discount"] = "A percentage between 0 and 100."
        quote_off = Decimal(0)
    if not lines and not errors:
        errors["product_1"] = "A quote needs at least one line."
    return lines, quote_off, errors


def register(app: App, deps: Deps, flow: QuoteFlow) -> None:
    services = deps.services

    @app.action("quote_form")
    def open_quote_form(ack: Ack, body: dict[str, Any], client: WebClient,
                        context: BoltContext) -> None:
        ack()
        opp = services.opportunities.get(actor_of(context).id, int(body["actions"][0]["value"]))
        client.views_open(trigger_id=body["trigger_id"], view=modals.quote_form(
            _catalog(deps), title=f"Quote for {escape(opp.title)}", metadata={"opp": opp.id}))

    @app.view("quote")
    def save_quote(ack: Ack, view: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
        form = modals.values(view)
        meta = modals.metadata(view)
        lines, quote_off, errors = _form_lines(form)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        actor = actor_of(context)
        try:
            if meta.get("quote"):
                quote = services.quotes.revise(actor.id, int(meta["quote"]), lines=lines,
                                               discount_percent=quote_off,
                                               justification=form.get("justification"))
            else:
                quote = services.quotes.create(actor.id, int(meta["opp"]), lines,
                                               discount_percent=quote_off,
                                               justification=form.get("justification"))
        except StoreError as exc:
            ack(response_action="errors", errors={"product_1": str(exc)})
            return
        ack()
        if meta.get("quote"):
            flow.tidy_skipped(client, int(meta["quote"]),
                              f"This request was withdrawn: the quote is now {quote.label}.")
        client.chat_postMessage(channel=actor.slack_user_id, text=f"Quote {quote.label}",
                                blocks=qb.quote_card(quote))

    @app.action("quote_request")
    def ask_for_approval(ack: Ack, body: dict[str, Any], client: WebClient,
                         context: BoltContext) -> None:
        ack()
        quote_id, version = _ids(body)
        quote = services.quotes.get(actor_of(context).id, quote_id)
        client.views_open(trigger_id=body["trigger_id"],
                          view=modals.request_approval(quote.label, quote_id, version))

    @app.view("quote_request")
    def request_submitted(ack: Ack, view: dict[str, Any], client: WebClient,
                          context: BoltContext) -> None:
        ack()
        meta = modals.metadata(view)
        actor = actor_of(context)
        outcome = services.approvals.request(
            actor.id, int(meta["quote"]), justification=modals.values(view).get("justification"))
        flow.after_request(client, actor, outcome)

    @app.action("quote_cancel")
    def cancel_request(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                       context: BoltContext) -> None:
        ack()
        quote_id, _ = _ids(body)
        actor = actor_of(context)
        quote = services.approvals.cancel(actor.id, quote_id)
        flow.tidy_skipped(client, quote_id, f"{actor.name} withdrew the request for "
                                            f"{quote.label}.")
        _replace_card(body, client, respond, quote, "Request cancelled; the quote is a draft.")

    @app.action("quote_sent")
    def mark_sent(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                  context: BoltContext) -> None:
        ack()
        quote_id, _ = _ids(body)
        quote = services.approvals.mark_sent(actor_of(context).id, quote_id)
        _replace_card(body, client, respond, quote,
                      "Marked sent. I'll remind you to call for feedback in 10 days.")

    @app.action("quote_revise")
    def revise(ack: Ack, body: dict[str, Any], client: WebClient,
               context: BoltContext) -> None:
        ack()
        quote_id, _ = _ids(body)
        quote = services.quotes.get(actor_of(context).id, quote_id)
        lines = [(line.sku or "", line.quantity, f"{line.discount_percent:g}")
                 for line in quote.lines if line.sku]
        client.views_open(trigger_id=body["trigger_id"], view=modals.quote_form(
            _catalog(deps), title=f"Revise {escape(quote.label)}", metadata={"quote": quote.id},
            lines=lines, discount=f"{quote.quote_discount_percent:g}"))

    @app.action("approval_approve")
    def approve(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond,
                context: BoltContext) -> None:
        ack()
        step_id, version = _ids(body)
        outcome = services.approvals.decide(actor_of(context).id, step_id, "approved",
                                            quote_version=version)
        label = f"{outcome.quote.label} (level {outcome.level}: {outcome.rule})"
        replace_message(body, client, respond, Answer(
            text=f"Approved {outcome.quote.label}",
            blocks=qb.decided(label, "approved", outcome.decided_by, None)))
        flow.after_decision(client, outcome)

    @app.action("approval_reject")
    def reject(ack: Ack, body: dict[str, Any], client: WebClient,
               context: BoltContext) -> None:
        ack()
        step_id, version = _ids(body)
        step = services.approvals.pending_step(step_id)
        actor_of(context)  # makes sure the clicker exists before the form opens
        client.views_open(trigger_id=body["trigger_id"], view=modals.reject_approval(
            step.quote.label, step_id, version))

    @app.view("approval_reject")
    def rejected(ack: Ack, view: dict[str, Any], client: WebClient,
                 context: BoltContext) -> None:
        reason = (modals.values(view).get("reason") or "").strip()
        if not reason:
            ack(response_action="errors", errors={"reason": "Say why, for the rep."})
            return
        meta = modals.metadata(view)
        actor = actor_of(context)
        try:
            outcome = services.approvals.decide(actor.id, int(meta["step"]), "rejected",
                                                quote_version=int(meta["version"]),
                                                comment=reason)
        except StoreError as exc:
            ack(response_action="errors", errors={"reason": str(exc)})
            return
        ack()
        step = services.approvals.pending_step(outcome.step_id)
        if step.slack_channel and step.slack_ts:
            client.chat_update(channel=step.slack_channel, ts=step.slack_ts,
                               text=f"Rejected {outcome.quote.label}",
                               blocks=qb.decided(f"{outcome.quote.label} (level {outcome.level}:"
                                                 f" {outcome.rule})",
                                                 "rejected", outcome.decided_by, reason))
        flow.after_decision(client, outcome)


def _replace_card(body: dict[str, Any], client: WebClient, respond: Respond, quote: QuoteView,
                  note: str) -> None:
    from handlers.slack import blocks as ui

    replace_message(body, client, respond, Answer(
        text=note, blocks=[ui.mrkdwn(note), *qb.quote_card(quote)]))
