"""Block Kit, built by small pure functions so tests can call them directly.

Every piece of user text passes through `escape`; every text field is clipped to
Block Kit's limits (section text 3000, button text 75, option text 75, value 2000).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from handlers.language.capabilities import help_text
from handlers.slack.parked_values import fit
from handlers.slack.text import clip, day, escape, local_time, short_money
from store.schemas import ActivityView, OpportunityView, StageView, deal_title

Block = dict[str, Any]


def mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, 3000)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, 3000)}]}


def button(text: str, action_id: str, value: str | dict[str, Any], *,
           style: str | None = None) -> dict[str, Any]:
    """A button; a value over Slack's 2,000 characters is kept in the store, never cut
    (a cut JSON value could not be read back)."""
    raw = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    element: dict[str, Any] = {
        "type": "button", "action_id": action_id,
        "text": {"type": "plain_text", "text": clip(text, 75), "emoji": True},
        "value": fit(raw),
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def confirmation(text: str, undo_token: int | None) -> list[Block]:
    """What the bot did, in one line, with Undo when it can be undone."""
    blocks = [mrkdwn(text)]
    if undo_token is not None:
        blocks.append(actions(button("Undo", "undo", str(undo_token))))
    return blocks


def _opp_fields(opp: OpportunityView, tz: str | None,
                amount_from: str | None) -> list[dict[str, str]]:
    last = local_time(opp.last_activity_at, tz) if opp.last_activity_at else "none yet"
    source = f" · from quote {escape(amount_from)}" if amount_from else ""
    fields = [
        f"*Stage*\n{escape(opp.stage.name)} ({opp.probability}%)",
        f"*Amount*\n{short_money(opp.amount, opp.currency)}{source}",
        f"*Close date*\n{day(opp.close_date)}",
        f"*Owner*\n{escape(opp.owner_name)}",
        f"*Last activity*\n{last}",
        f"*Next step*\n{escape(opp.next_step) or '—'}",
    ]
    return [{"type": "mrkdwn", "text": clip(f, 2000)} for f in fields]


def opportunity_card(
    opp: OpportunityView, stages: Sequence[StageView], tz: str | None,
    *, next_stage: StageView | None, amount_from: str | None = None,
) -> list[Block]:
    """A deal with its key facts and the buttons that move it; `amount_from` names the
    synced quote the amount comes from ("Q-2026-0002 v2"), when it does."""
    title = escape(opp.title)
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*{title}*", 3000)},
         "fields": _opp_fields(opp, tz, amount_from)},
    ]
    if opp.lost_reason:
        blocks.append(context(f"Lost: {escape(opp.lost_reason)}"))
    elements: list[dict[str, Any]] = []
    if next_stage is not None and not opp.is_closed:
        elements.append(button(f"Next: {next_stage.name}", "opp_next_stage",
                               f"{opp.id}:{opp.stage.id}",
                               style="primary"))
    options = [
        {"text": {"type": "plain_text", "text": clip(s.name, 75)},
         "value": f"{opp.id}:{opp.stage.id}:{s.id}"}
        for s in stages if s.id != opp.stage.id
    ]
    if options and not opp.is_closed:  # reopening is a manager's call, said in words
        elements.append({
            "type": "static_select", "action_id": "opp_pick_stage",
            "placeholder": {"type": "plain_text", "text": "Move to…"},
            "options": options[:100],
        })
    elements.append(button("Log activity", "opp_log_activity", str(opp.id)))
    elements.append(button("Edit", "opp_edit", str(opp.id)))
    blocks.append(actions(*elements, block_id=f"opp:{opp.id}"))
    return blocks


def opportunity_line(opp: OpportunityView) -> str:
    return (f"• *{escape(opp.title)}*: {escape(opp.stage.name)}, "
            f"{short_money(opp.amount, opp.currency)}, closes {day(opp.close_date)}")


def _about(activity: ActivityView) -> str:
    if activity.opportunity_name:
        return deal_title(activity.account_name, activity.opportunity_name)
    return activity.opportunity_name or activity.account_name or activity.contact_name or ""


def activity_line(activity: ActivityView, tz: str | None) -> str:
    about = _about(activity)
    when = local_time(activity.occurred_at, tz)
    return f"• {activity.kind} · {escape(about)} · {escape(activity.subject)} ({when})"


def follow_up_line(activity: ActivityView, tz: str | None, now: datetime) -> str:
    assert activity.follow_up_at is not None
    overdue = " *overdue*" if activity.follow_up_at < now else ""
    about = _about(activity)
    return (f"• {local_time(activity.follow_up_at, tz)}{overdue}: {escape(about)}: "
            f"{escape(activity.subject)}")


def choice(prompt: str, options: Sequence[tuple[str, dict[str, Any]]],
           action_id: str = "choose") -> list[Block]:
    """Ask which one was meant; each button carries the whole pending action."""
    elements = [button(label, f"{action_id}_{i}", value) for i, (label, value) in
                enumerate(options[:5])]
    elements.append(button("None of these", f"{action_id}_none", "{}"))
    return [mrkdwn(prompt), actions(*elements)]


HELP_TEXT = help_text()
"""Built from `handlers.language.capabilities`, the table the README's list comes from."""


def help_blocks() -> list[Block]:
    return [mrkdwn(HELP_TEXT)]
