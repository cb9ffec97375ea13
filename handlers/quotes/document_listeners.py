"""Listeners for what a customer receives: Send to customer (the approved PDF into the
thread), PDF, Sync deal amount and Customer accepted.

Module-level functions taking the flow first, bound by `register` with `functools.partial`
(as in `listeners`), so Bolt reads the remaining parameter names to inject its arguments.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.quotes import blocks as qb
from handlers.quotes.flow import QuoteFlow
from handlers.slack import blocks as ui
from handlers.slack.actions import clicked_ids
from handlers.slack.answer import Answer
from handlers.slack.delivery import replace_message
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape


def _ids(body: dict[str, Any]) -> tuple[int, int]:
    first, second = clicked_ids(body, 2)
    return first, second


def _where(body: dict[str, Any]) -> tuple[str, str | None]:
    """The conversation the card is in, and its thread (the card's own, or the card as
    the thread's start): where the document goes."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    message = body.get("message") or {}
    return str(channel), message.get("thread_ts") or message.get("ts")


def send_to_customer(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
                     respond: Respond, context: BoltContext) -> None:
    """The approved quote's PDF into the deal's thread, then recorded as sent (who, when,
    which file). Nothing is recorded when the upload fails; an unapproved quote is refused
    before anything is uploaded."""
    ack()
    quote_id, _ = _ids(body)
    actor = actor_of(context)
    rendered = flow.documents.for_customer(actor.id, quote_id)
    channel, thread_ts = _where(body)
    file_id = flow.upload(client, rendered, channel, thread_ts,
                          comment=f"{rendered.label} for {rendered.facts.customer}, "
                                  f"sent by {actor.name}.")
    sent = flow.services.approvals.mark_sent(actor.id, quote_id, file_id=file_id,
                                             stage=flow.deps.quote_sent_stage)
    note = (f"Sent {sent.quote.label} to the customer: {rendered.filename} is in this "
            "thread. I'll remind you to call for feedback in 10 days.")
    replace_message(body, client, respond, Answer(
        text=escape(note), blocks=[*flow.sent(sent, note), *qb.quote_card(sent.quote)]))


def show_pdf(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
             context: BoltContext) -> None:
    """The document as it stands (watermarked unless approved), in the card's thread."""
    ack()
    quote_id, _ = _ids(body)
    rendered = flow.documents.render(actor_of(context).id, quote_id)
    channel, thread_ts = _where(body)
    flow.upload(client, rendered, channel, thread_ts)


def sync_amount(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
                respond: Respond, context: BoltContext) -> None:
    """The rep picks this quote as the deal's synced quote; Undo puts the amount back."""
    ack()
    quote_id, _ = _ids(body)
    actor = actor_of(context)
    deal = flow.services.quotes.sync(actor.id, quote_id)
    quote = flow.services.quotes.get(actor.id, quote_id)
    follows = flow.deal_follows(deal) or [ui.mrkdwn(
        f"{escape(deal.deal_title)} already holds {escape(deal.quote_label)}'s total; its "
        "amount follows this quote from now on.")]
    replace_message(body, client, respond, Answer(
        text=f"The deal follows {quote.label}", blocks=[*qb.quote_card(quote), *follows]))


def accept(flow: QuoteFlow, ack: Ack, body: dict[str, Any], client: WebClient,
           respond: Respond, context: BoltContext) -> None:
    """The customer said yes: the quote is accepted, the deal follows it and moves on."""
    ack()
    quote_id, _ = _ids(body)
    actor = actor_of(context)
    deal = flow.services.quotes.accept(actor.id, quote_id, stage=flow.deps.quote_accepted_stage)
    quote = flow.services.quotes.get(actor.id, quote_id)
    replace_message(body, client, respond, Answer(
        text=f"{quote.label} accepted", blocks=[
            ui.mrkdwn(f"{escape(quote.label)} accepted by the customer. :tada:"),
            *qb.quote_card(quote), *flow.deal_follows(deal)]))


def register(app: App, flow: QuoteFlow) -> None:
    app.action("quote_send")(partial(send_to_customer, flow))
    app.action("quote_pdf")(partial(show_pdf, flow))
    app.action("quote_sync")(partial(sync_amount, flow))
    app.action("quote_accept")(partial(accept, flow))
