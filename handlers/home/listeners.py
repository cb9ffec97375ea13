"""The App Home tab: my open deals by stage, my follow-ups due, my recent activity."""

from __future__ import annotations

from functools import partial
from itertools import groupby
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.slack import blocks as ui
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape, short_money
from store.schemas import UserView
from store.working_time import follow_up_horizon


def home_view(deps: Deps, actor: UserView) -> dict[str, Any]:
    services = deps.services
    now = deps.clock.now()
    deals = [d for d in services.opportunities.visible(actor.id) if d.owner_id == actor.id]
    horizon = follow_up_horizon(now, actor.timezone or deps.default_timezone)
    due = services.activities.due_follow_ups(actor.id, horizon)
    recent = services.activities.list_for(actor.id, owner_id=actor.id, limit=10)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "My open deals"}},
    ]
    if not deals:
        blocks.append(ui.mrkdwn("No open deals. Create one with `/sales new`."))
    for stage, group in groupby(deals, key=lambda d: d.stage.name):
        items = list(group)
        total = sum((d.amount for d in items), start=items[0].amount * 0)
        header = f"*{escape(stage)}* · {len(items)} · {short_money(total, items[0].currency)}"
        lines = [ui.opportunity_line(d) for d in items[:15]]
        if len(items) > 15:
            lines.append(f"…and {len(items) - 15} more")
        blocks.append(ui.mrkdwn(header + "\n" + "\n".join(lines)))
    waiting = services.approvals.queue(actor.id)
    if waiting:
        blocks.append({"type": "header",
                       "text": {"type": "plain_text", "text": "Approvals waiting for you"}})
        blocks.append(ui.mrkdwn("\n".join(
            f"• *{escape(step.quote.label)}* · {escape(step.quote.opportunity_title)} · "
            f"{short_money(step.quote.total, step.quote.currency)} "
            f"({step.quote.effective_discount_percent:g}% off) from "
            f"{escape(step.requester_name)}" for step in waiting[:20])
            + "\nDecide with `/sales approvals`."))
    blocks.append({"type": "header", "text": {"type": "plain_text", "text": "Follow-ups due"}})
    blocks.append(ui.mrkdwn("\n".join(ui.follow_up_line(a, actor.timezone, now)
                                      for a in due[:20]) or "Nothing due this week."))
    blocks.append({"type": "header", "text": {"type": "plain_text", "text": "Recent activity"}})
    blocks.append(ui.mrkdwn("\n".join(ui.activity_line(a, actor.timezone) for a in recent)
                            or "Nothing logged yet."))
    return {"type": "home", "blocks": blocks[:100]}


def show_home(deps: Deps, event: dict[str, Any], client: WebClient,
              context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    actor = actor_of(context)
    client.views_publish(user_id=actor.slack_user_id, view=home_view(deps, actor))


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(partial(show_home, deps))
