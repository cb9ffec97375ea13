"""Block Kit for leads: the lead card, the list, the account question, the forms.

Pure functions of the store's views; every name a person typed goes through `escape`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.slack import blocks as ui
from handlers.slack.modals import View, input_block, modal, text_input
from handlers.slack.text import escape
from store.services.leads.duplicates import Duplicate
from store.services.leads.views import AccountQuestion, CapturedLead, Conversion, LeadView

Block = dict[str, Any]


def _lead_facts(lead: LeadView) -> str:
    who = f"*{escape(lead.name)}*"
    role = " at ".join(escape(x) for x in (lead.title, lead.company) if x)
    facts = [who + (f" — {role}" if role else "")]
    facts += [escape(x) for x in (lead.email, lead.phone) if x]
    if lead.source:
        facts.append(f"source: {escape(lead.source)}")
    return " · ".join(facts)


def duplicate_text(duplicates: Sequence[Duplicate]) -> str:
    return ":warning: Looks like: " + "; ".join(
        f"{d.kind} {escape(d.name)} ({escape(d.reason)})" for d in duplicates[:6])


def lead_card(lead: LeadView, *, duplicates: Sequence[Duplicate] = (),
              note: str | None = None) -> list[Block]:
    status = f"Status: {lead.status}"
    if lead.owner_name:
        status += f" · owner {escape(lead.owner_name)}"
    if lead.disqualified_reason:
        status += f" · reason: {escape(lead.disqualified_reason)}"
    blocks: list[Block] = [ui.mrkdwn(_lead_facts(lead)), ui.context(status)]
    if duplicates:
        blocks.append(ui.context(duplicate_text(duplicates)))
    if note:
        blocks.append(ui.context(note))
    if lead.status in ("new", "working", "qualified"):
        buttons = [ui.button("Convert", "lead_convert", str(lead.id), style="primary")]
        if lead.status != "qualified":
            buttons.insert(0, ui.button("Qualify", "lead_qualify", str(lead.id)))
        buttons.append(ui.button("Disqualify…", "lead_disqualify", str(lead.id)))
        blocks.append(ui.actions(*buttons, block_id=f"lead:{lead.id}"))
    return blocks


def captured_blocks(captured: CapturedLead) -> list[Block]:
    lead = captured.lead
    note = f"Assigned to {escape(lead.owner_name)} ({escape(captured.assigned_because)})."
    return lead_card(lead, duplicates=captured.duplicates, note=note)


def new_lead_for_owner(captured: CapturedLead, captured_by: str) -> list[Block]:
    return [ui.mrkdwn(f":inbox_tray: New lead for you from {escape(captured_by)}."),
            *lead_card(captured.lead)]


def leads_blocks(leads: Sequence[LeadView]) -> list[Block]:
    if not leads:
        return [ui.mrkdwn("No open leads. Say `new lead: Jane Roe, CTO at Hooli, met at the "
                          "trade show` to add one.")]
    blocks: list[Block] = [ui.mrkdwn(f"*Your open leads* ({len(leads)})")]
    for lead in leads[:10]:
        blocks += [ui.mrkdwn(f"{_lead_facts(lead)} · {lead.status}"),
                   ui.actions(*(lead_card(lead)[-1]["elements"]), block_id=f"lead:{lead.id}")]
    return blocks[:50]


def account_question_blocks(question: AccountQuestion) -> list[Block]:
    # one action_id per button (Slack refuses a block with two alike); the value decides
    options = [ui.button(f"Use {name}", f"lead_account_pick_{n}",
                         f"{question.lead_id}:{account_id}")
               for n, (account_id, name) in enumerate(question.candidates)]
    options.append(ui.button(f"New account “{question.company[:40]}”",
                             "lead_account_pick_new", f"{question.lead_id}:new"))
    return [ui.mrkdwn(f"Before I convert: is *{escape(question.company)}* one of these "
                      "accounts?"), ui.actions(*options, block_id=f"lead:{question.lead_id}")]


def converted_blocks(done: Conversion) -> list[Block]:
    opp = done.opportunity
    account = (f"{'new account' if done.account_created else 'account'} "
               f"*{escape(done.account_name)}*, " if done.account_name else "")
    contact = "their existing contact" if done.contact_reused else "a new contact"
    return [ui.mrkdwn(f":white_check_mark: Converted *{escape(done.lead.name)}*: {account}"
                      f"{contact}, and the deal *{escape(opp.title)}* in "
                      f"*{escape(opp.stage.name)}* (owner {escape(opp.owner_name)}).")]


def disqualify_modal(lead: LeadView) -> View:
    return modal("lead_disqualify", "Disqualify lead", "Disqualify", [
        ui.mrkdwn(f"*{escape(lead.name)}*" + (f" ({escape(lead.company)})"
                                              if lead.company else "")),
        _text_field("reason", "Why not a fit?", multiline=True)], {"lead": lead.id})


def lead_modal() -> View:
    return modal("lead_new", "New lead", "Add lead", [
        _text_field("name", "Name"), _text_field("company", "Company", optional=True),
        _text_field("title", "Title", optional=True),
        _text_field("email", "Email", optional=True),
        _text_field("phone", "Phone", optional=True),
        _text_field("source", "Where did you meet?", optional=True)], {})


def _text_field(block_id: str, label: str, *, optional: bool = False,
                multiline: bool = False) -> Block:
    """A lead field: a line of up to 200 characters, or a paragraph of up to 1000."""
    return input_block(block_id, label, text_input(
        multiline=multiline, max_length=1000 if multiline else 200), optional=optional)
