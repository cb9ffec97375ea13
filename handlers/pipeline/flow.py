"""Pipeline summaries, forecasts and scheduled reports in the conversation.

"pipeline", "pipeline for my team this quarter", "pipeline for dana", "forecast next
quarter", "pipeline csv", "pipeline for my team to #sales every monday 8am". This module
resolves the words (`handlers.pipeline.requests`) to a scope and a period and hands the
summary to `handlers.pipeline.delivery`; what may be seen and every figure come from the
store.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process
from slack_sdk import WebClient

from handlers.deps import Deps
from handlers.language.amounts import parse_amount
from handlers.language.intents import Intent
from handlers.pipeline import blocks as pb
from handlers.pipeline import delivery
from handlers.pipeline import requests as words
from handlers.pipeline.requests import Request, SubscriptionRequest
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape, money
from store.errors import NotAllowed, NotFound
from store.periods import find_period
from store.resolve import resolve
from store.roles import FINANCE
from store.schemas import UserView
from store.services import Services
from store.services.pipeline.figures import Scope, Summary

STUCK_ASKED = 10
"""How many deals "which deals are stuck" lists (the report shows its five longest)."""


FINANCE_REPORTS = ("Pipeline and forecast figures are for reps, their managers and admins; "
                   "finance sees every quote and approval. Say `approvals` for the ones "
                   "waiting for you, or a quote's number (like `Q-2026-0001`) to see it.")


class PipelineFlow:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.reports = deps.services.pipeline
        self.quotas = deps.services.quotas
        self.subscriptions = deps.services.report_subscriptions
        self.client: WebClient | None = None  # given by `handlers.pipeline.register`

    # -- pipeline and forecast ------------------------------------------------------------
    def pipeline(self, intent: Intent, actor: UserView) -> Answer:
        detail = " ".join((intent.detail or "").split())
        if words.LIST_SCHEDULES.match(detail):
            return Answer(text="Scheduled pipeline reports", private=True,
                          blocks=pb.subscriptions_blocks(self.subscriptions.mine(actor.id)))
        if stop := words.STOP_SCHEDULE.match(detail):
            view = self.subscriptions.unsubscribe(actor.id, int(stop["id"]))
            return say_text(f"Stopped the report to <#{view.channel_id}>.", private=True)
        if words.SCHEDULE.search(detail) or words.CHANNEL.search(detail):
            return self._subscribe(detail, actor)
        request = self.request(detail, actor)
        if isinstance(request, Answer):
            return request
        if intent.kind == "stuck" and not request.csv:
            summary = self.reports.summary(actor.id, request.scope, request.period,
                                           stuck_limit=STUCK_ASKED)
            return Answer(text=pb.stuck_text(summary), blocks=pb.stuck_blocks(summary))
        summary = self.reports.summary(actor.id, request.scope, request.period)
        if request.csv:
            return self.send_csv(actor, summary)
        note = self.send_chart(actor, request, summary) if request.chart else None
        return Answer(text=pb.summary_text(summary),
                      blocks=pb.summary_blocks(summary, request=request.to_value(), note=note))

    def forecast(self, intent: Intent, actor: UserView) -> Answer:
        if quota := words.SET_QUOTA.match(" ".join((intent.detail or "").split())):
            return self._set_quota(quota, actor)
        request = self.request(intent.detail or "", actor)
        if isinstance(request, Answer):
            return request
        if request.period is not None and request.period.kind != "quarter":
            return say_text("Forecasts are per quarter: try `forecast this quarter` or "
                            "`forecast Q1`.", private=True)
        forecast = self.reports.forecast(actor.id, request.scope, request.period)
        text = escape(f"Forecast · {forecast.scope.label} · {forecast.quarter.label}")
        return Answer(text=text, blocks=pb.forecast_blocks(forecast))

    def _set_quota(self, said: re.Match[str], actor: UserView) -> Answer:
        """"forecast quota dana 2026-Q4 120k EUR" (admins)."""
        person = self._person(said["who"])
        if isinstance(person, Answer):
            return person
        tz = actor.timezone or self.deps.default_timezone
        found = find_period(said["period"], self.reports.today(tz),
                            self.reports.fiscal_year_start)
        if found is None or found[0].code is None:
            return say_text("A quota is per quarter, like 2026-Q4.", private=True)
        view = self.quotas.set(actor.id, person, found[0].code, parse_amount(said["amount"]),
                               said["currency"])
        return say_text(f"{escape(view.user_name)}'s quota for {view.period} is "
                        f"{money(view.amount, view.currency)}.", private=True)

    def request(self, detail: str, actor: UserView) -> Request | Answer:
        """"for my team this quarter csv" → scope, period and delivery. Finance owns no
        deals and sees no one's (the roles' rule): said so, not an empty report."""
        if actor.role == FINANCE:
            return say_text(FINANCE_REPORTS, private=True)
        text = detail
        csv = bool(words.CSV.search(text))
        chart = not words.NO_CHART.search(text)
        text = words.NO_CHART.sub(" ", words.CSV.sub(" ", text))
        tz = actor.timezone or self.deps.default_timezone
        period = None
        if found := find_period(text, self.reports.today(tz), self.reports.fiscal_year_start):
            period, match = found
            text = words.cut(text, match)
        scope = self.scope(text, actor)
        if isinstance(scope, Answer):
            return scope
        return Request(scope, period, csv=csv, chart=chart)

    def scope(self, said: str, actor: UserView) -> Scope | Answer:
        """Whose pipeline the words name: everyone visible, me, my team, a team, a person."""
        said = re.sub(r"^(?:for|of|by|from)\s+", "", " ".join(said.split()).strip(" .?!,"),
                      flags=re.IGNORECASE).strip()
        lowered = said.lower()
        if not lowered or lowered in words.EVERYONE:
            return Scope()
        if lowered in words.ME:
            return Scope("owner", actor.id)
        if lowered in words.MY_TEAM:
            return Scope("team", actor.id)
        if team := words.TEAM_OF.match(said):
            name = (team["a"] or team["b"]).strip()
            for team_id, team_name in self.reports.teams():
                if fuzz.WRatio(default_process(name), default_process(team_name)) >= 90:
                    return Scope("team", team_id=team_id)
            person = self._person(name)
            return Scope("team", user_id=person) if isinstance(person, int) else person
        person = self._person(said)
        return Scope("owner", person) if isinstance(person, int) else person

    def _person(self, name: str) -> int | Answer:
        if mention := words.MENTION.match(name):
            user = self.deps.services.users.find(mention["id"])
            if user is not None:
                return user.id
        result = resolve(self.deps.directory.users().search(name, limit=5, cutoff=75))
        if result.kind == "found" and result.match is not None:
            return result.match.id
        if result.kind == "ambiguous":
            names = ", ".join(escape(m.name) for m in result.candidates)
            return say_text(f"Whose pipeline: {names}? Say the full name.", private=True)
        return say_text(f"I don't know anyone called “{escape(name)}”. Try `pipeline`, "
                        "`pipeline for my team` or `pipeline for <name>`.", private=True)

    # -- delivery -------------------------------------------------------------------------
    def share(self, actor: UserView, request: Request, channel: str) -> Summary:
        """Post the summary in `channel` for everyone there, with its chart."""
        summary = self.reports.summary(actor.id, request.scope, request.period)
        assert self.client is not None
        delivery.post_summary(self.client, actor, summary, channel)
        self.send_chart(actor, request, summary, channel=channel)
        return summary

    def send_chart(self, actor: UserView, request: Request, summary: Summary,
                   channel: str | None = None) -> str | None:
        if self.client is None:
            return None
        return delivery.send_chart(self.client, self.reports, actor, request, summary, channel)

    def send_csv(self, actor: UserView, summary: Summary) -> Answer:
        return delivery.send_csv(self.client, actor, summary)

    # -- scheduled reports ------------------------------------------------------------------
    def _subscribe(self, detail: str, actor: UserView) -> Answer:
        """"for my team to #sales every monday 8am": the slot, the scope, then the channel
        (by id when Slack gave one, by name through Slack, else a channel picker)."""
        channel = words.CHANNEL.search(detail)
        slot = words.weekly_slot(detail if channel is None else words.cut(detail, channel))
        if slot is None:
            return say_text("Reports go out on the hour: try `every monday 8am`.", private=True)
        weekday, hour, rest = slot
        scope = self.scope(words.FILLER.sub(" ", rest), actor)
        if isinstance(scope, Answer):
            return scope
        self.subscriptions.check(actor.id, scope)
        channel_id = None
        if channel is not None:
            channel_id = channel["id"] or channel["bare"] or (
                delivery.channel_named(self.client, channel["name"]) if self.client else None)
        if channel_id is None:
            return Answer(text="Which channel?", private=True, blocks=pb.channel_question(
                SubscriptionRequest(scope, weekday, hour).to_block_id(),
                f"#{channel['name']}" if channel is not None and channel["name"] else None))
        return self.subscribe(actor, SubscriptionRequest(scope, weekday, hour), channel_id)

    def subscribe(self, actor: UserView, request: SubscriptionRequest,
                  channel_id: str) -> Answer:
        view = self.subscriptions.subscribe(actor.id, channel_id, scope=request.scope,
                                            weekday=request.weekday, hour=request.hour,
                                            timezone=actor.timezone)
        return say_text(pb.subscribed(view) + " Say `pipeline subscriptions` to see or stop "
                        "them.", private=True)


def scheduled_report(services: Services, subscription_id: int) -> Answer | None:
    """The weekly post of a subscription, as its creator may see it now; None when the
    subscription was stopped or its creator may no longer see what it covers. Its quarters
    are the company's fiscal ones, as in every other summary (`services.pipeline`)."""
    view = services.report_subscriptions.get(subscription_id)
    if view is None:
        return None
    try:
        summary = services.pipeline.summary(view.created_by_id, view.report_scope)
    except (NotAllowed, NotFound):
        return None
    return Answer(text=f"Weekly {pb.summary_text(summary)}", blocks=[
        *pb.summary_blocks(summary), ui.context(f"Weekly report, {view.when}.")])
