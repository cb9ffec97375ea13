"""The App Home tab: my open deals by stage, my follow-ups due, my recent activity."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.slack import blocks as ui
from handlers.slack.middleware import actor_of
from handlers.slack.text import escape, short_money
from store.schemas import UserView
from store.services.home.home import HomeService
from store.working_time import follow_up_horizon

SHOWN_APPROVALS = 20


def home_view(deps: Deps, actor: UserView) -> dict[str, Any]:
    """Home in a fixed number of statements however many deals, follow-ups or approvals
    there are (store/services/home): a few lines of each, and how many more."""
    services = deps.services
    now = deps.clock.now()
    horizon = follow_up_horizon(now, actor.timezone or deps.default_timezone)
    figures = HomeService(services.store).figures(actor.id, horizon)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "My open deals"}},
    ]
    if not figures.stages:
        blocks.append(ui.mrkdwn("No open deals. Create one with `/sales new`."))
    for group in figures.stages:
        header = (f"*{escape(group.stage.name)}* · {group.count} · "
                  f"{short_money(group.total, group.currency)}")
        lines = [ui.opportunity_line(d) for d in group.deals]
        if group.count > len(group.deals):
            lines.append(f"…and {group.count - len(group.deals)} more")
        blocks.append(ui.mrkdwn(header + "\n" + "\n".join(lines)))
    waiting, waiting_count = services.approvals.waiting(actor.id, limit=SHOWN_APPROVALS)
    if waiting:
        more = waiting_count - len(waiting)
        blocks.append({"type": "header",
                       "text": {"type": "plain_text", "text": "Approvals waiting for you"}})
        blocks.append(ui.mrkdwn("\n".join(
            f"• *{escape(step.quote.label)}* · {escape(step.quote.opportunity_title)} · "
            f"{short_money(step.quote.total, step.quote.currency)} "
            f"({step.quote.effective_discount_percent:g}% off) from "
            f"{escape(step.requester_name)}" for step in waiting)
            + (f"\n…and {more} more" if more > 0 else "")
            + "\nDecide with `/sales approvals`."))
    due = figures.follow_ups
    more_due = figures.follow_ups_due - len(due)
    blocks.append({"type": "header", "text": {"type": "plain_text", "text": "Follow-ups due"}})
    blocks.append(ui.mrkdwn("\n".join([*(ui.follow_up_line(a, actor.timezone, now) for a in due),
                                        *([f"…and {more_due} more"] if more_due > 0 else [])])
                            or "Nothing due this week."))
    blocks.append({"type": "header", "text": {"type": "plain_text", "text": "Recent activity"}})
    blocks.append(ui.mrkdwn("\n".join(ui.activity_line(a, actor.timezone)
                                      for a in figures.recent)
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
