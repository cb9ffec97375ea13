"""Block Kit for quotes and approvals: pure functions, user text escaped."""

from __future__ import annotations

from typing import Any

from handlers.slack.blocks import Block, actions, button, context, mrkdwn
from handlers.slack.text import clip, day, escape, money
from store.services.quotes.approval_decisions import DecisionOutcome
from store.services.quotes.approvals import PendingStep
from store.services.quotes.quotes import QuoteView

STATUS = {
    "draft": "Draft", "pending_approval": "Waiting for approval", "approved": "Approved",
    "rejected": "Rejected", "presented": "Sent to the customer", "superseded": "Superseded",
    "accepted": "Accepted", "declined": "Declined", "expired": "Expired", "canceled": "Canceled",
}


def quote_summary(quote: QuoteView) -> str:
    lines = [f"*{quote.label}* · {escape(quote.opportunity_title)} · "
             f"_{STATUS.get(quote.status, quote.status)}_"]
    for line in quote.lines[:20]:
        off = f" at {line.discount_percent:g}% off" if line.discount_percent else ""
        lines.append(f"• {line.quantity} × {escape(line.description)} @ "
                     f"{money(line.unit_price, quote.currency)}{off} = "
                     f"{money(line.total, quote.currency)}")
    if len(quote.lines) > 20:
        lines.append(f"…and {len(quote.lines) - 20} more lines")
    if quote.discount:
        lines.append(f"Quote discount {quote.quote_discount_percent:g}%: "
                     f"−{money(quote.discount, quote.currency)}")
    lines.append(f"*Total {money(quote.total, quote.currency)}* (list "
                 f"{money(quote.list_total, quote.currency)}, "
                 f"{quote.effective_discount_percent:g}% off) · valid until "
                 f"{day(quote.valid_until)}")
    return "\n".join(lines)


def quote_card(quote: QuoteView) -> list[Block]:
    """The quote and what its owner can do next."""
    blocks = [mrkdwn(quote_summary(quote))]
    if quote.synced:
        blocks.append(context("The deal's amount follows this quote (its synced quote)."))
    value = f"{quote.id}:{quote.version}"
    buttons: list[dict[str, Any]] = []
    if quote.status == "draft":  # a rejected version is revised before asking again
        buttons.append(button("Request approval", "quote_request", value, style="primary"))
    if quote.status == "pending_approval":
        buttons.append(button("Cancel request", "quote_cancel", value))
    if quote.status == "approved":
        buttons.append(button("Mark sent", "quote_sent", value, style="primary"))
        buttons.append(button("Send to customer", "quote_send", value))
    if quote.status in ("approved", "presented"):
        buttons.append(button("Customer accepted", "quote_accept", value))
    if not quote.synced and quote.status in ("approved", "presented"):
        buttons.append(button("Sync deal amount", "quote_sync", value))
    if quote.status in ("draft", "rejected", "pending_approval", "approved"):
        buttons.append(button("Revise", "quote_revise", value))
    if quote.status in ("draft", "pending_approval", "approved", "presented", "accepted",
                        "superseded"):  # a rejected version is revised, not printed
        buttons.append(button("PDF", "quote_pdf", value))
    if buttons:
        blocks.append(actions(*buttons, block_id=f"quote:{quote.id}"))
    return blocks


def approval_request(step: PendingStep, *, on_behalf_of: str | None = None,
                     block_id: str | None = None) -> list[Block]:
    """What an approver gets: the quote, the numbers that matter, the why, two buttons
    (in a block `step:<id>`, or `queue:<id>` in the approvals list)."""
    quote = step.quote
    who = f" (for {escape(on_behalf_of)}, who is away)" if on_behalf_of else ""
    blocks = [
        mrkdwn(f":memo: *{escape(step.requester_name)}* asks you to approve "
               f"*{quote.label}*{who}. Rule: {escape(step.rule)} (level {step.level})."),
        mrkdwn(quote_summary(quote)),
        mrkdwn(f"*Discount given:* {money(quote.list_total - quote.total, quote.currency)} "
               f"({quote.effective_discount_percent:g}% off list) · segment {quote.segment}"),
    ]
    if step.justification:
        blocks.append(mrkdwn(clip(f"*Why:* {escape(step.justification)}", 3000)))
    value = f"{step.step_id}:{quote.version}"
    blocks.append(actions(button("Approve", "approval_approve", value, style="primary"),
                          button("Reject", "approval_reject", value, style="danger"),
                          block_id=block_id or f"step:{step.step_id}"))
    return blocks


def step_label(outcome: DecisionOutcome) -> str:
    """"Q-2026-0001 v2 (level 1: Big discount)": the step an approver decided."""
    return f"{outcome.quote.label} (level {outcome.level}: {outcome.rule})"


def delegation_text(delegate_name: str | None) -> str:
    """What the rep is told after `delegate @someone` or `delegate off`."""
    if delegate_name is None:
        return "Your approvals come to you again."
    return f"{delegate_name} can now decide your approvals until you say `delegate off`."


def decided(step_label: str, outcome: str, by: str, comment: str | None) -> list[Block]:
    """What replaces the approver's message: the outcome, no live buttons."""
    icon = ":white_check_mark:" if outcome == "approved" else ":x:"
    text = f"{icon} {escape(step_label)}: *{outcome}* by {escape(by)}"
    if comment:
        text += f" — “{escape(comment)}”"
    return [mrkdwn(text)]


QUEUE_BLOCK = "queue:"  # the block_id prefix of an item's buttons in the approvals list


QUEUE_SHOWN = 20
"""Approvals read for one list: more than its 50 blocks hold, so the list is always full."""


def queue(steps: list[PendingStep], *, room: int = 50, waiting: int | None = None
          ) -> list[Block]:
    """The approvals waiting for someone, whole items only, within `room` blocks;
    `waiting`: how many there are in all, when `steps` holds only the first of them."""
    if not steps:
        return [mrkdwn("No approvals waiting for you. :tada:")]
    total = max(waiting or 0, len(steps))
    blocks: list[Block] = [mrkdwn(f"*{total} approval(s) waiting for you*")]
    for step in steps:
        item = [*approval_request(step, block_id=f"{QUEUE_BLOCK}{step.step_id}"),
                {"type": "divider"}]
        if len(blocks) + len(item) > room:
            break
        blocks.extend(item)
    return blocks


def decided_in_queue(decided_blocks: list[Block], remaining: list[PendingStep],
                     waiting: int | None = None) -> list[Block]:
    """The approvals list after one decision in it: that item's outcome, then what is still
    waiting, each with its own buttons (deciding one must not wipe the others)."""
    if not remaining:
        return [*decided_blocks, mrkdwn("Nothing else is waiting for you. :tada:")]
    return [*decided_blocks, *queue(remaining, room=50 - len(decided_blocks),
                                    waiting=waiting)]


def history(number: str, lines: list[str]) -> list[Block]:
    body = "\n".join(f"• {escape(line)}" for line in lines) or "Nothing recorded yet."
    return [mrkdwn(f"*History of {escape(number)}*\n{body}"),
            context("Times in UTC; every request, decision and change is kept.")]
