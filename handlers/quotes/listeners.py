"""Listeners for quotes and approvals: the quote form, request / cancel / send / revise
buttons, Approve and Reject, and the reject reason form.

Each listener is a module-level function taking the flow first; `register` binds it with
`functools.partial`, whose remaining parameter names Bolt reads to inject its arguments.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.quotes import blocks as qb
from handlers.quotes import document_listeners
from handlers.quotes import modals as quote_modals
from handlers.quotes.flow import QuoteFlow
from handlers.slack import blocks as ui
from handlers.slack import form_input, modals
from handlers.slack.actions import clicked_id, clicked_ids
from handlers.slack.answer import Answer
from handlers.slack.delivery import replace_message
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape
from store.errors import StoreError
from store.services.quotes.lines import MAX_QUANTITY, LineSpec, check_discount, line_spec
from store.services.quotes.quotes import QuoteView

log = logging.getLogger(__name__)


def _ids(body: dict[str, Any]) -> tuple[int, int]:
    first, second = clicked_ids(body, 2)
    return first, second


def _catalog(flow: QuoteFlow) -> list[tuple[str, str]]:
    return [(f"{p.name} ({p.sku})", p.sku) for p in flow.services.quotes.catalog()]


def _form_lines(form: dict[str, str | None]) -> tuple[list[LineSpec], Decimal, dict[str, str]]:
    """Read the quote form; errors are keyed by the field they belong to."""
    errors: dict[str, str] = {}
    lines: list[LineSpec] = []
    for row in range(1, quote_modals.QUOTE_ROWS + 1):
        sku, qty, off = (form.get(f"product_{row}"), form.get(f"qty_{row}"),
                         form.get(f"disc_{row}"))
        if not sku and not qty:
            continue
        if not sku:
            errors[f"product_{row}"] = "Pick a product for this quantity."
            continue
        quantity = form_input.whole_number(qty, 1, MAX_QUANTITY)
        if quantity is None:
            errors[f"qty_{row}"] = f"A whole number from 1 to {MAX_QUANTITY:,}."
            continue
        try:
            lines.append(line_spec(sku, quantity, (off or "0").strip().rstrip("%") or "0"))
        except StoreError as exc:
            errors[f"disc_{row}"] = str(exc)
    try:
        quote_off = check_discount((form.get("quote_discount") or "0").strip().rstrip("%")
                                   or "0")
    except StoreError as exc:
        errors["quote_discount"] = str(exc)
        quote_off = Decimal(0)
    if not lines and not errors:
        errors["product_1"] = "A quote needs at least one line."
    return lines, quote_off, errors


def open_quote_form(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
                    context: BoltContext) -> None:
    ack()
    opp = flow.services.opportunities.get(actor_of(context).id,
                                          clicked_id(body))
    client.views_open(trigger_id=body["trigger_id"], view=quote_modals.quote_form(
        _catalog(flow), title=f"Quote for {escape(opp.title)}", metadata={"opp": opp.id}))


def save_quote(flow: QuoteFlow, ack: Ack, view: dict[str, Any], client: WebClient,
               context: BoltContext) -> None:
    """The quote form: a new quote, or version n+1 of the one being revised."""
    form = modals.values(view)
    ids = form_input.required_ids(ack, view, "quote" if modals.metadata(view).get("quote")
                                  else "opp")
    if ids is None:
        return
    lines, quote_off, errors = _form_lines(form)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    actor = actor_of(context)
    quotes = flow.services.quotes
    try:
        if "quote" in ids:
            quote = quotes.revise(actor.id, ids["quote"], lines=lines,
                                  discount_percent=quote_off,
                                  justification=form.get("justification"))
        else:
            quote = quotes.create(actor.id, ids["opp"], lines,
                                  discount_percent=quote_off,
                                  justification=form.get("justification"))
    except StoreError as exc:
        ack(response_action="errors", errors={"product_1": str(exc)})
        return
    ack()
    if "quote" in ids:
        flow.tidy_skipped(client, ids["quote"],
                          f"This request was withdrawn: the quote is now {quote.label}.")
    client.chat_postMessage(channel=actor.slack_user_id, text=f"Quote {quote.label}",
                            blocks=qb.quote_card(quote))


def ask_for_approval(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
                     context: BoltContext) -> None:
    ack()
    quote_id, version = _ids(body)
    quote = flow.services.quotes.get(actor_of(context).id, quote_id)
    flow.services.approvals.check_may_ask_again(quote.id)  # rejected: revise first
    client.views_open(trigger_id=body["trigger_id"],
                      view=quote_modals.request_approval(quote.label, quote_id, version))


def request_submitted(flow: QuoteFlow, ack: Ack, view: dict[str, Any], client: WebClient,
                      context: BoltContext) -> None:
    ids = form_input.required_ids(ack, view, "quote")
    if ids is None:
        return
    ack()
    actor = actor_of(context)
    outcome = flow.services.approvals.request(
        actor.id, ids["quote"], justification=modals.values(view).get("justification"))
    flow.after_request(client, actor, outcome)


def cancel_request(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
                   respond: Respond, context: BoltContext) -> None:
    ack()
    quote_id, _ = _ids(body)
    actor = actor_of(context)
    quote = flow.services.approvals.cancel(actor.id, quote_id)
    flow.tidy_skipped(client, quote_id, f"{actor.name} withdrew the request for "
                                        f"{quote.label}.")
    _replace_card(body, client, respond, quote, "Request cancelled; the quote is a draft.")


def mark_sent(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
              respond: Respond, context: BoltContext) -> None:
    ack()
    quote_id, _ = _ids(body)
    sent = flow.services.approvals.mark_sent(actor_of(context).id, quote_id,
                                             stage=flow.deps.quote_sent_stage)
    note = "Marked sent. I'll remind you to call for feedback in 10 days."
    replace_message(body, client, respond, Answer(
        text=note, blocks=[*flow.sent(sent, note), *qb.quote_card(sent.quote)]))


def revise(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
           context: BoltContext) -> None:
    ack()
    quote_id, _ = _ids(body)
    quote = flow.services.quotes.get(actor_of(context).id, quote_id)
    lines = [(line.sku or "", line.quantity, f"{line.discount_percent:g}")
             for line in quote.lines if line.sku]
    client.views_open(trigger_id=body["trigger_id"], view=quote_modals.quote_form(
        _catalog(flow), title=f"Revise {escape(quote.label)}", metadata={"quote": quote.id},
        lines=lines, discount=f"{quote.quote_discount_percent:g}"))


def approve(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
            respond: Respond, context: BoltContext) -> None:
    ack()
    step_id, version = _ids(body)
    actor = actor_of(context)
    outcome = flow.services.approvals.decide(actor.id, step_id, "approved",
                                             quote_version=version)
    blocks = qb.decided(qb.step_label(outcome), "approved", outcome.decided_by, None)
    if str(body["actions"][0].get("block_id", "")).startswith(qb.QUEUE_BLOCK):
        remaining, waiting = flow.services.approvals.waiting(actor.id, limit=qb.QUEUE_SHOWN)
        blocks = qb.decided_in_queue(blocks, remaining, waiting)
    try:
        replace_message(body, client, respond, Answer(
            text=f"Approved {outcome.quote.label}", blocks=blocks))
    except SlackApiError as exc:  # the decision stands: the rep and next level must hear
        log.warning("could not show the decision: %s", exc.response.get("error"))
    flow.after_decision(client, outcome)


def reject(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
           context: BoltContext) -> None:
    ack()
    step_id, version = _ids(body)
    # only the step's approver (or delegate) gets the form; anyone else hears why, privately
    # (handlers/slack/errors.py), in words that name no quote
    step = flow.services.approvals.step_to_decide(actor_of(context).id, step_id)
    client.views_open(trigger_id=body["trigger_id"], view=quote_modals.reject_approval(
        step.quote.label, step_id, version))


def rejected(flow: QuoteFlow, ack: Ack, view: dict[str, Any], client: WebClient,
             context: BoltContext) -> None:
    """The reject reason form: decide, then show the outcome in the approver's message."""
    reason = modals.required_text(ack, view, "reason", "Say why, for the rep.")
    if reason is None:
        return
    ids = form_input.required_ids(ack, view, "step", "version")
    if ids is None:
        return
    approvals = flow.services.approvals
    try:
        outcome = approvals.decide(actor_of(context).id, ids["step"], "rejected",
                                   quote_version=ids["version"], comment=reason)
    except StoreError as exc:
        ack(response_action="errors", errors={"reason": str(exc)})
        return
    ack()
    flow.decided_elsewhere(client, outcome, reason)


def register(app: App, flow: QuoteFlow) -> None:
    app.action("quote_form")(partial(open_quote_form, flow))
    app.view("quote")(partial(save_quote, flow))
    app.action("quote_request")(partial(ask_for_approval, flow))
    app.view("quote_request")(partial(request_submitted, flow))
    app.action("quote_cancel")(partial(cancel_request, flow))
    app.action("quote_sent")(partial(mark_sent, flow))
    document_listeners.register(app, flow)
    app.action("quote_revise")(partial(revise, flow))
    app.action("approval_approve")(partial(approve, flow))
    app.action("approval_reject")(partial(reject, flow))
    app.view("approval_reject")(partial(rejected, flow))


def _replace_card(body: dict[str, Any], client: WebClient, respond: Respond, quote: QuoteView,
                  note: str) -> None:
    replace_message(body, client, respond, Answer(
        text=note, blocks=[ui.mrkdwn(note), *qb.quote_card(quote)]))
