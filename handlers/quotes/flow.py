"""Quotes and approvals in the conversation: building a quote, asking approvers,
telling the rep. Shared by free text, `/sales quote`, buttons and forms.

The store decides everything (totals, who approves, whether a click counts); this
module only delivers: DMs to approvers, the outcome in place of their buttons, and a
reply in the rep's thread.
"""

from __future__ import annotations

import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.conversation.resolver import resolve_deal
from handlers.deps import Deps
from handlers.language.intents import Intent
from handlers.language.quote_text import parse_lines, said_accepted
from handlers.quotes import blocks as qb
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.delivery import dm_channel
from handlers.slack.text import escape, money
from store.schemas import UserView
from store.services.quotes.approval_decisions import DecisionOutcome
from store.services.quotes.approval_requests import RequestOutcome, StepNotice
from store.services.quotes.by_deal import DealQuotes
from store.services.quotes.documents import QuoteDocuments, RenderedQuote
from store.services.quotes.lines import line_spec
from store.services.quotes.sending import SentOutcome
from store.services.quotes.sync import SyncOutcome

log = logging.getLogger(__name__)
QUOTE_NUMBER = re.compile(r"^(?P<number>Q-\d{4}-\d{3,})(?:\s+(?:(?P<history>history)|pdf|"
                          r"(?:(?:is|was|has been|got)\s+)?accepted))?$", re.I)
PDF_WORD = re.compile(r"\b(?:pdf|document)\b", re.I)


class QuoteFlow:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.services = deps.services
        self.documents = QuoteDocuments(deps.services.store, deps.letterhead)

    # -- conversation -------------------------------------------------------------------
    def _deal_quote(self, actor: UserView, target: str, intent: Intent) -> Answer:
        """"status of my globex quote": the deal's newest quote, as its number would show."""
        resolved = resolve_deal(self.deps.directory, actor.id, target)
        if resolved.found is None:
            options = [(d.display, {"i": intent.to_dict(), "deal": d.id})
                       for d in resolved.candidates]
            if options:
                return Answer(text="Which deal?", private=True, blocks=ui.choice(
                    f"Which deal's quote (“{escape(target)}”)?", options))
            return say_text(f"I couldn't find an open deal matching “{escape(target)}”.",
                            private=True)
        quote = DealQuotes(self.services.store).latest(actor.id, resolved.found.id)
        if quote is None:
            return say_text(f"*{escape(resolved.found.display)}* has no quote yet. Say "
                            f"`quote {escape(target.lower())}: 20 seats of Platform` to make "
                            "one.", private=True)
        return Answer(text=f"Quote {quote.label}", blocks=qb.quote_card(quote))

    def answer(self, intent: Intent, actor: UserView, chosen: dict[str, int]) -> Answer:
        """"quote globex expansion: 20 seats of Platform at 15% off", "quote Q-2026-0001"."""
        target = (intent.target or "").strip()
        if match := QUOTE_NUMBER.match(target):
            if match["history"]:
                history = self.services.approvals.history(actor.id, match["number"])
                return Answer(text=f"History of {match['number']}",
                              blocks=qb.history(match["number"].upper(), history))
            if said_accepted(intent.text):
                return self.accepted(actor, match["number"])
            quote = self.services.quotes.get(actor.id, match["number"])
            if PDF_WORD.search(f"{intent.text} {target}") and self.deps.client is not None:
                rendered = self.documents.render(actor.id, quote.id)
                self.upload(self.deps.client, rendered,
                            dm_channel(self.deps.client, actor.slack_user_id))
                return Answer(text=f"Quote {quote.label}", blocks=[
                    ui.mrkdwn(f"The PDF of *{escape(quote.label)}* is in our DM: "
                              f"`{rendered.filename}`."), *qb.quote_card(quote)])
            return Answer(text=f"Quote {quote.label}", blocks=qb.quote_card(quote))
        if intent.kind == "show" and "deal" not in chosen:
            return self._deal_quote(actor, target, intent)
        if "deal" in chosen:
            deal_id = chosen["deal"]
        else:
            resolved = resolve_deal(self.deps.directory, actor.id, target)
            if resolved.found is None:
                options = [(d.display, {"i": intent.to_dict(), "deal": d.id})
                           for d in resolved.candidates]
                if options:
                    return Answer(text="Which deal?", private=True, blocks=ui.choice(
                        f"Which deal is the quote for (“{escape(target)}”)?", options))
                return Answer(text="No such deal", private=True, blocks=[ui.mrkdwn(
                    f"I couldn't find an open deal matching “{escape(target)}”.")])
            deal_id = resolved.found.id
        if not intent.detail:
            opp = self.services.opportunities.get(actor.id, deal_id)
            return Answer(text="Open the quote form", blocks=[
                ui.mrkdwn(f"Let's quote *{escape(opp.title)}*. Say the lines "
                          "(`quote globex expansion: 20 seats of Platform at 15% off`) "
                          "or use the form."),
                ui.actions(ui.button("Open quote form", "quote_form", str(opp.id)))])
        said, quote_discount = parse_lines(intent.detail)
        specs = [line_spec(line.product, line.quantity, line.discount_percent)
                 for line in said]
        quote = self.services.quotes.create(actor.id, deal_id, specs,
                                            discount_percent=quote_discount)
        return Answer(text=f"Quote {quote.label} saved as a draft", blocks=qb.quote_card(quote))

    def accepted(self, actor: UserView, number: str) -> Answer:
        """"Q-2026-0001 was accepted": what the Customer accepted button does (the same
        service call and rules), said in one line with Undo for the deal's change."""
        deal = self.services.quotes.accept(actor.id, number,
                                           stage=self.deps.quote_accepted_stage)
        line = f"Marked {deal.quote_label} accepted by the customer."
        if deal.changed:
            moved = f" and moved to {deal.moved_to}" if deal.moved_to else ""
            line += (f" {deal.deal_title}'s amount is {money(deal.amount, deal.currency)}, "
                     f"from {deal.quote_label}{moved}.")
        return Answer(text=escape(line), blocks=ui.confirmation(escape(line), deal.undo_token))

    # -- delivery -----------------------------------------------------------------------
    @staticmethod
    def sent(outcome: SentOutcome, note: str) -> list[ui.Block]:
        """`note`, then the stage sending moved the deal to, with Undo for that move."""
        if outcome.moved_to:
            note += f" {outcome.deal_title} moved to {outcome.moved_to}."
        return ui.confirmation(escape(note), outcome.undo_token)

    @staticmethod
    def deal_follows(deal: SyncOutcome | None, *, undo: bool = True) -> list[ui.Block]:
        """"The deal's amount is now $19,200.00, from Q-2026-0001 v2", with Undo."""
        if deal is None or not deal.changed:
            return []
        moved = f" and it moved to {deal.moved_to}" if deal.moved_to else ""
        return ui.confirmation(
            f"{escape(deal.deal_title)}'s amount is now {money(deal.amount, deal.currency)}, "
            f"from {escape(deal.quote_label)}{escape(moved)}.",
            deal.undo_token if undo else None)

    def upload(self, client: WebClient, rendered: RenderedQuote, channel: str,
               thread_ts: str | None = None, comment: str | None = None) -> str | None:
        """The PDF into a conversation (files upload v2); the Slack file's id."""
        response = client.files_upload_v2(
            channel=channel, thread_ts=thread_ts, initial_comment=comment,
            content=rendered.content, filename=rendered.filename,
            title=f"{rendered.label} · {rendered.facts.customer}")
        files = response.get("files") or [response.get("file") or {}]
        file_id = files[0].get("id") if files else None
        return str(file_id) if file_id else None

    def after_request(self, client: WebClient, actor: UserView, outcome: RequestOutcome
                      ) -> None:
        """Tell the rep (the thread decisions will land in) and DM the first approvers."""
        quote = outcome.quote
        if outcome.status == "approved":
            text = f"{quote.label} needs no approval: it is approved. :white_check_mark:"
        else:
            first = ", ".join(sorted({n.approver_name for n in outcome.notify}))
            text = (f"Approval requested for {quote.label} ({', '.join(outcome.rules)}). "
                    f"Asked {first}; I'll tell you here as they decide.")
        try:
            posted = client.chat_postMessage(channel=actor.slack_user_id, text=escape(text),
                                             blocks=[ui.mrkdwn(escape(text)),
                                                     *qb.quote_card(quote),
                                                     *self.deal_follows(outcome.deal)])
            self.services.approvals.remember_thread(outcome.request_id, posted["channel"],
                                                    posted["ts"])
        except SlackApiError as exc:  # the request stands: its approvers must still be asked
            log.warning("could not tell the requester: %s", exc.response.get("error"))
        self.ask(client, outcome.notify)

    def ask(self, client: WebClient, notices: list[StepNotice]) -> None:
        """DM each approver (or their delegate, while they are away) the request."""
        for notice in notices:
            step = self.services.approvals.pending_step(notice.step_id)
            to = notice.delegate_slack_id or notice.approver_slack_id
            on_behalf = notice.approver_name if notice.delegate_slack_id else None
            try:
                posted = client.chat_postMessage(
                    channel=to, text=f"Approval needed: {step.quote.label}",
                    blocks=qb.approval_request(step, on_behalf_of=on_behalf))
            except SlackApiError as exc:  # one approver unreachable: still ask the others
                log.warning("could not ask an approver: %s", exc.response.get("error"))
                continue
            self.services.approvals.remember_message(step.step_id, posted["channel"],
                                                     posted["ts"])

    def decided_elsewhere(self, client: WebClient, outcome: DecisionOutcome,
                          comment: str | None) -> None:
        """A decision made outside the approver's own message (the reject form, typed
        words): that message shows the outcome, then the rep and the next level hear."""
        step = self.services.approvals.pending_step(outcome.step_id)
        if step.slack_channel and step.slack_ts:
            try:
                client.chat_update(channel=step.slack_channel, ts=step.slack_ts,
                                   text=f"{outcome.decision.capitalize()} {outcome.quote.label}",
                                   blocks=qb.decided(qb.step_label(outcome), outcome.decision,
                                                     outcome.decided_by, comment))
            except SlackApiError as exc:  # the decision stands: the rep must still hear
                log.warning("could not show the decision: %s", exc.response.get("error"))
        self.after_decision(client, outcome)

    def after_decision(self, client: WebClient, outcome: DecisionOutcome) -> None:
        """Tell the rep in their thread, ask the next level, and when done say so."""
        quote = outcome.quote
        verb = "approved" if outcome.decision == "approved" else "rejected"
        text = f"{outcome.decided_by} {verb} {quote.label}"
        if outcome.comment:
            text += f": “{outcome.comment}”"
        final = None
        if outcome.request_status in ("approved", "rejected"):
            final = ("It is approved: send it to the customer (or mark it sent)." if
                     outcome.request_status == "approved" else "Revise it and ask again.")
        blocks = [ui.mrkdwn(escape(text))]
        if final is not None:
            blocks = [ui.mrkdwn(escape(f"{text}. {final}")), *qb.quote_card(quote),
                      *self.deal_follows(outcome.deal)]
        elif outcome.notify:
            names = ", ".join(n.approver_name for n in outcome.notify)
            blocks = [ui.mrkdwn(escape(f"{text}. Next: {names}."))]
        channel = outcome.request_channel or outcome.requester_slack_id
        if final is not None and outcome.request_ts:
            # the request message's Cancel button is stale now: show the quote as it is
            try:
                client.chat_update(channel=channel, ts=outcome.request_ts, text=escape(text),
                                   blocks=[ui.mrkdwn(escape(f"{text}.")),
                                           *qb.quote_card(quote),
                                           *self.deal_follows(outcome.deal)])
            except SlackApiError as exc:
                log.warning("could not refresh the request: %s", exc.response.get("error"))
            # the Undo lives on the refreshed request message; the thread only tells
            blocks = [ui.mrkdwn(escape(f"{text}. {final}")),
                      *self.deal_follows(outcome.deal, undo=False)]
        try:
            client.chat_postMessage(channel=channel, thread_ts=outcome.request_ts,
                                    text=escape(text), blocks=blocks)
        except SlackApiError as exc:  # the decision stands; the rep sees it in /sales
            log.warning("could not tell the requester: %s", exc.response.get("error"))
        self.ask(client, outcome.notify)

    def tidy_skipped(self, client: WebClient, quote_id: int, why: str) -> None:
        """Replace approvers' messages whose step can no longer be decided."""
        for channel, ts in self.services.approvals.pending_messages(quote_id):
            client.chat_update(channel=channel, ts=ts, text=escape(why),
                               blocks=[ui.mrkdwn(escape(why))])
