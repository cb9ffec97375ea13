"""Leads in the conversation: "new lead: Jane Roe, CTO at Hooli, met at the trade show",
"leads", and the conversion the Convert button starts.

This module reads the words and delivers (the new owner's DM); who owns a lead and what a
conversion creates come from the store.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.deps import Deps
from handlers.language.intents import Intent
from handlers.language.lead_text import LeadFields, parse_lead
from handlers.leads import blocks as lb
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer
from handlers.slack.text import escape
from store.schemas import UserView
from store.services.leads.views import AccountQuestion

log = logging.getLogger(__name__)


class LeadFlow:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.leads = deps.services.leads
        self.client: WebClient | None = None  # given by `handlers.leads.listeners.register`

    def lead(self, intent: Intent, actor: UserView) -> Answer:
        fields = parse_lead(intent.detail or "")
        if fields is None:
            return Answer(text="Who is the lead? Nothing was added yet.", private=True, blocks=[
                ui.mrkdwn("Who is the lead? Say `new lead: Jane Roe, CTO at Hooli, met at the "
                          "trade show`, or use the form."),
                ui.actions(ui.button("New lead form", "lead_form", "new"))])
        return self.capture(actor, fields)

    def capture(self, actor: UserView, fields: LeadFields) -> Answer:
        """Save the lead, DM its new owner when that is someone else, answer with its card."""
        captured = self.leads.capture(actor.id, name=fields.name, company=fields.company,
                                      title=fields.title, email=fields.email,
                                      phone=fields.phone, source=fields.source)
        if captured.notify_slack_id and self.client is not None:
            try:
                self.client.chat_postMessage(
                    channel=captured.notify_slack_id,
                    text=f"New lead: {escape(captured.lead.name)}",
                    blocks=lb.new_lead_for_owner(captured, actor.name))
            except SlackApiError as exc:  # the lead is saved; they see it under `leads`
                log.warning("new owner not told: %s", exc.response.get("error"))
        return Answer(text=f"Lead {escape(captured.lead.name)} added",
                      blocks=lb.captured_blocks(captured))

    def mine(self, actor: UserView) -> Answer:
        mine = self.leads.mine(actor.id)
        return Answer(text=f"{len(mine)} open lead(s)", blocks=lb.leads_blocks(mine))

    def convert(self, actor: UserView, lead_id: int, choice: str | None = None) -> Answer:
        """Convert, or ask which account when the company only resembles existing ones;
        `choice` is the answer: an account id, or "new"."""
        outcome = self.leads.convert(
            actor.id, lead_id, account_id=int(choice) if choice and choice.isdigit() else None,
            new_account=choice == "new")
        if isinstance(outcome, AccountQuestion):
            return Answer(text="Which account?", blocks=lb.account_question_blocks(outcome))
        return Answer(text=f"Converted {escape(outcome.lead.name)}",
                      blocks=lb.converted_blocks(outcome))
