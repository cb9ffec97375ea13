"""Block Kit for pipeline summaries, forecasts and scheduled reports.

Pure functions of the store's views. Every name a person typed (deals, accounts, owners)
goes through `escape`; amounts are shown exactly (`money`), each currency on its own, never
added together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.slack import blocks as ui
from handlers.slack.delivery import share_button
from handlers.slack.text import clip, day, escape, money
from store.services.pipeline.figures import Figures, Summary
from store.services.pipeline.forecast import Forecast, ForecastFigures
from store.services.pipeline.subscriptions import SubscriptionView

Block = dict[str, Any]
MAX_OWNERS = 15
CHANGE_NAMES = {"new": "new", "forward": "moved forward", "back": "moved back",
                "slipped": "slipped", "won": "won", "lost": "lost"}


def deals(count: int) -> str:
    return f"{count} deal" if count == 1 else f"{count} deals"


def figures_text(figures: Sequence[Figures], *, weighted: bool = True) -> str:
    """`3 deals · $1,200.00 (weighted $600.00) | 1 deal · ¥5,000 (weighted ¥2,500)`."""
    if not figures:
        return "nothing"
    parts = []
    for f in figures:
        part = f"{deals(f.count)} · {money(f.amount, f.currency)}"
        if weighted:
            part += f" (weighted {money(f.weighted, f.currency)})"
        parts.append(part)
    return " | ".join(parts)


def _period_text(summary: Summary) -> str:
    if summary.open_period is None:
        return "all close dates"
    p = summary.open_period
    return f"closing in {p.label} ({day(p.start)} – {day(p.last_day)})"


def summary_blocks(summary: Summary, *, request: dict[str, Any] | None = None,
                   note: str | None = None) -> list[Block]:
    """The whole summary; with `request` (what was asked), Share and CSV buttons too."""
    title = f"Pipeline · {summary.scope.label} · {_period_text(summary)}"
    blocks: list[Block] = [{"type": "header",
                            "text": {"type": "plain_text", "text": clip(title, 150)}}]
    if summary.is_empty:
        blocks.append(ui.mrkdwn("No open deals here, and nothing closed or changed."))
    stage_lines = [f"• {escape(row.name)} ({row.probability}%): {figures_text(row.figures)}"
                   for row in summary.stages]
    blocks.append(ui.mrkdwn("*Open by stage*\n" + "\n".join(stage_lines)))
    blocks.append(ui.mrkdwn(f"*Total open:* {figures_text(summary.totals)}"))
    if summary.owners:
        owner_lines = [f"• {escape(o.name)}: {figures_text(o.figures)}"
                       for o in summary.owners[:MAX_OWNERS]]
        if len(summary.owners) > MAX_OWNERS:
            owner_lines.append(f"…and {len(summary.owners) - MAX_OWNERS} more "
                               "(the CSV has everyone)")
        blocks.append(ui.mrkdwn("*By owner*\n" + "\n".join(owner_lines)))
    if summary.months and len(summary.months) <= 6:
        lines = [f"• {m.key}: {figures_text(m.figures)}" for m in summary.months]
        blocks.append(ui.mrkdwn("*By close month*\n" + "\n".join(lines)))
    elif summary.quarters:
        lines = [f"• {q.code}: {figures_text(q.figures)}" for q in summary.quarters]
        blocks.append(ui.mrkdwn("*By close quarter*\n" + "\n".join(lines)))
    blocks.append(ui.mrkdwn(_changes_text(summary)))
    blocks.append(ui.mrkdwn(_closed_text(summary)))
    if summary.stuck:
        blocks.append(ui.mrkdwn("*Longest in their stage*\n" + _stuck_lines(summary)))
    if note:
        blocks.append(ui.context(note))
    if request is not None:
        blocks.append(ui.actions(
            share_button("pipeline_share", request),
            ui.button("CSV", "pipeline_csv", request), block_id="pipeline"))
    return blocks


def _changes_text(summary: Summary) -> str:
    parts = []
    for change in summary.changes:
        if not change.figures:
            continue
        amounts = " | ".join(money(f.amount, f.currency) for f in change.figures)
        parts.append(f"{CHANGE_NAMES[change.kind]} {change.count} ({amounts})")
    since = day(summary.changes_since.date())
    return f"*Since {since}:* " + ("; ".join(parts) if parts else "no changes")


def _closed_text(summary: Summary) -> str:
    closed = summary.closed
    label = summary.closed_period.label
    if not closed.won_count and not closed.lost_count:
        return f"*Closed in {label}:* nothing yet"
    text = (f"*Closed in {label}:* won {figures_text(closed.won, weighted=False)}; "
            f"lost {deals(closed.lost_count)}; win rate {closed.win_rate}%")
    if closed.average_cycle_days is not None:
        text += f"; average cycle {closed.average_cycle_days:.1f} days"
    return text


def _stuck_lines(summary: Summary) -> str:
    return "\n".join(f"• *{escape(d.title)}* ({escape(d.stage_name)}, {d.days_in_stage} days, "
                     f"{money(d.amount, d.currency)}, {escape(d.owner_name)})"
                     for d in summary.stuck)


def stuck_text(summary: Summary) -> str:
    """The answer to "which deals are stuck": who it covers, and how many are listed."""
    return (f"Stuck · {escape(summary.scope.label)}: the {deals(len(summary.stuck))} "
            "longest in their stage" if summary.stuck
            else f"Stuck · {escape(summary.scope.label)}: no open deals")


def stuck_blocks(summary: Summary) -> list[dict[str, Any]]:
    """The open deals longest in their stage, longest first, and only that."""
    if not summary.stuck:
        return [ui.mrkdwn(stuck_text(summary) + ".")]
    return [ui.mrkdwn(f"*{stuck_text(summary)}*\n" + _stuck_lines(summary)),
            ui.context("`pipeline` shows the whole report.")]


def summary_text(summary: Summary) -> str:
    """The notification text (what a phone shows) for a summary."""
    return f"Pipeline · {escape(summary.scope.label)}: {figures_text(summary.totals)}"


# -- forecast ------------------------------------------------------------------------------

def _forecast_line(f: ForecastFigures) -> str:
    text = (f"commit {money(f.commit, f.currency)} · best case {money(f.best_case, f.currency)}"
            f" · pipeline {money(f.pipeline, f.currency)} · won {money(f.won, f.currency)}")
    if f.quota is not None:
        text += f" of quota {money(f.quota, f.currency)} ({f.attainment}%)"
    return text


def forecast_lines(figures: Sequence[ForecastFigures]) -> str:
    return " | ".join(_forecast_line(f) for f in figures) or "nothing this quarter"


def forecast_blocks(forecast: Forecast) -> list[Block]:
    q = forecast.quarter
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(
            f"Forecast · {forecast.scope.label} · {q.label}", 150)}},
        ui.context(f"Deals closing {day(q.start)} – {day(q.last_day)}. Commit: stages at 90% "
                   "or more; best case: 50% or more (commit included); pipeline: all open."),
    ]
    for team in forecast.teams:
        people = [o for o in forecast.owners if o.team_id == team.team_id]
        lines = [f"*{escape(team.name)}*: {forecast_lines(team.figures)}"]
        lines += [f"• {escape(o.name)}: {forecast_lines(o.figures)}" for o in people[:20]]
        blocks.append(ui.mrkdwn("\n".join(lines)))
    blocks.append(ui.mrkdwn(f"*Total*: {forecast_lines(forecast.totals)}"))
    if all(f.quota is None for f in forecast.totals):  # "how am i doing vs quota"
        blocks.append(ui.context(
            f"No quota is set for {escape(forecast.scope.label)} in {q.label}, so there is no "
            f"attainment to show; an admin sets one with `forecast quota <person> {q.code or ''} "
            "<amount>`."))
    return blocks[:50]


# -- scheduled reports ---------------------------------------------------------------------

def subscribed(view: SubscriptionView) -> str:
    """The confirmation, saying up front what a private channel needs: the bot posts in
    public channels without joining (chat:write.public), but only members see private ones."""
    return (f"I'll post the pipeline of {escape(view.label)} to <#{view.channel_id}> "
            f"{view.when}. If it's a private channel, invite me there first "
            "(`/invite @salesbot`), or the report can't be posted.")


def channel_question(block_id: str, named: str | None) -> list[Block]:
    """Ask for the report's channel with Slack's own picker (it knows every channel)."""
    ask = (f"I can't find {escape(named)}; pick the channel for the report:" if named
           else "Which channel should get the report?")
    return [ui.mrkdwn(ask), {"type": "actions", "block_id": block_id[:255], "elements": [{
        "type": "conversations_select", "action_id": "pipeline_subscribe_channel",
        "placeholder": {"type": "plain_text", "text": "Pick a channel"},
        "filter": {"include": ["public", "private"], "exclude_bot_users": True}}]}]


def subscriptions_blocks(views: Sequence[SubscriptionView]) -> list[Block]:
    if not views:
        return [ui.mrkdwn("No scheduled pipeline reports. Try `pipeline for my team to "
                          "#sales every monday 8am`.")]
    blocks: list[Block] = [ui.mrkdwn("*Scheduled pipeline reports*")]
    for v in views[:20]:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(
            f"{escape(v.label)} → <#{v.channel_id}>, {v.when}", 3000)},
            "accessory": ui.button("Stop", "pipeline_unsubscribe", str(v.id))})
    return blocks
