"""Pipeline summaries, forecasts, scheduled reports and leads in the conversation.

"pipeline", "pipeline for my team this quarter", "pipeline for dana", "forecast next
quarter", "pipeline csv", "pipeline for my team to #sales every monday 8am", "new lead:
Jane Roe, CTO at Hooli, met at the trade show", "leads". This module reads the words and
delivers (the chart and CSV uploads, the new owner's DM); what may be seen and every figure
come from the store.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.deps import Deps
from handlers.language.amounts import parse_amount
from handlers.language.intents import Intent
from handlers.language.lead_text import parse_lead
from handlers.pipeline import blocks as pb
from handlers.pipeline.chart import pipeline_png
from handlers.slack import blocks as ui
from handlers.slack.answer import Answer, say_text
from handlers.slack.text import escape, money
from store.errors import NotAllowed, NotFound
from store.resolve import resolve
from store.schemas import UserView
from store.services import Services
from store.services.leads.leads import AccountQuestion, LeadRules, LeadService
from store.services.pipeline.export import summary_csv
from store.services.pipeline.figures import Scope, Summary
from store.services.pipeline.periods import Period, find_period
from store.services.pipeline.quotas import QuotaService
from store.services.pipeline.subscriptions import ReportSubscriptionService
from store.services.pipeline.summary import PipelineService

log = logging.getLogger(__name__)

_I = re.IGNORECASE
_CSV = re.compile(r"\b(?:as\s+(?:a\s+)?)?csv(?:\s+file)?\b", _I)
_NO_CHART = re.compile(r"\b(?:no|without)\s+(?:charts?|pictures?|images?)\b|\btext[\s-]only\b",
                       _I)
_SCHEDULE = re.compile(r"\b(?:every|each|weekly|subscribe)\b", _I)
_LIST_SCHEDULES = re.compile(r"^(?:subscriptions|schedules?|scheduled(?:\s+reports)?)$", _I)
_STOP_SCHEDULE = re.compile(r"^(?:unsubscribe|stop)\s+#?(?P<id>\d+)$", _I)
# Slack's `<#C…|name>`, a bare channel id, or `#name` (what `from_slack` leaves of a mention)
_CHANNEL = re.compile(r"<#(?P<id>[CG][A-Z0-9]+)(?:\|[^>]*)?>"
                      r"|(?<![\w<#])(?P<bare>[CG][A-Z0-9]{6,})\b|(?<![\w<])#(?P<name>[\w-]+)")
_WEEKDAYS = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
             "fri": 4, "sat": 5, "sun": 6, "monday": 0, "tuesday": 1, "wednesday": 2,
             "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_WEEKDAY = re.compile(r"\b(?P<day>" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
                      + r")s?\b", _I)
_HOUR = re.compile(r"\b(?:at\s+)?(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>[ap])\.?m\.?\b"
                   r"|\bat\s+(?P<h24>\d{1,2})(?::(?P<m24>\d{2}))?\b", _I)
_FILLER = re.compile(r"\b(?:post|send|share|put|please|the|pipeline|report|digest|to|into|"
                     r"in|every|each|weekly|on|subscribe|a)\b", _I)
_SET_QUOTA = re.compile(
    r"^(?:set\s+)?quota\s+(?:for\s+)?(?P<who>.+?)\s+(?:(?:for|in)\s+)?"
    r"(?P<period>\d{4}-Q[1-4]|(?:this|next)\s+quarter|Q[1-4](?:\s+\d{4})?)\s+"
    r"(?:(?:to|at|of|=)\s+)?(?P<amount>[^\s]+)(?:\s+(?P<currency>[A-Z]{3}))?$", _I)
_EVERYONE = ("everyone", "everybody", "all", "company", "whole company", "all teams")
_ME = ("me", "mine", "my", "my own", "myself", "own")
_MY_TEAM = ("my team", "team", "our team", "my teams")
_TEAM_OF = re.compile(r"^(?:team\s+(?P<a>.+)|(?P<b>.+?)(?:'s|s')?\s+team)$", _I)
_MENTION = re.compile(r"^<@(?P<id>[UW][A-Z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class Request:
    """What was asked for: whose deals, which close dates, and how to deliver."""

    scope: Scope
    period: Period | None
    csv: bool = False
    chart: bool = True

    def to_value(self) -> dict[str, Any]:
        """Compact enough for a button's value (2,000 characters)."""
        p = self.period
        return {"k": self.scope.kind, "u": self.scope.user_id, "t": self.scope.team_id,
                "p": [p.start.isoformat(), p.end.isoformat(), p.label, p.kind, p.code]
                if p else None}

    @classmethod
    def from_value(cls, value: dict[str, Any]) -> Request:
        p = value.get("p")
        period = Period(date.fromisoformat(p[0]), date.fromisoformat(p[1]), p[2], p[3],
                        p[4]) if p else None
        return cls(Scope(value.get("k") or "visible", value.get("u"), value.get("t")), period)


@dataclass(frozen=True)
class SubscriptionRequest:
    """A weekly report waiting for its channel; kept in the picker's block id."""

    scope: Scope
    weekday: int
    hour: int

    def to_block_id(self) -> str:
        return "pipesub:" + json.dumps([self.scope.kind, self.scope.user_id,
                                        self.scope.team_id, self.weekday, self.hour])

    @classmethod
    def from_block_id(cls, block_id: str) -> SubscriptionRequest:
        kind, user_id, team_id, weekday, hour = json.loads(block_id.removeprefix("pipesub:"))
        return cls(Scope(kind, user_id, team_id), int(weekday), int(hour))


def planning_settings(deps: Deps) -> tuple[int, LeadRules]:
    """SALESBOT_FISCAL_YEAR_START and the lead assignment rules, once the app factory hands
    them to `Deps` (`fiscal_year_start`, `lead_rules`); until then their defaults (January,
    round-robin within the team)."""
    return getattr(deps, "fiscal_year_start", 1), getattr(deps, "lead_rules", None) or LeadRules()


class PipelineFlow:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        store = deps.services.store
        fiscal_year_start, rules = planning_settings(deps)
        self.reports = PipelineService(store, fiscal_year_start=fiscal_year_start,
                                       default_timezone=deps.default_timezone)
        self.lead_service = LeadService(
            store, rules=rules, default_currency=deps.services.opportunities.default_currency)
        self.quotas = QuotaService(
            store, default_currency=deps.services.opportunities.default_currency)
        self.subscriptions = ReportSubscriptionService(store,
                                                       default_timezone=deps.default_timezone)
        self.client: WebClient | None = None  # given by `handlers.pipeline.register`

    # -- pipeline and forecast ------------------------------------------------------------
    def pipeline(self, intent: Intent, actor: UserView) -> Answer:
        detail = " ".join((intent.detail or "").split())
        if _LIST_SCHEDULES.match(detail):
            return Answer(text="Scheduled pipeline reports", private=True,
                          blocks=pb.subscriptions_blocks(self.subscriptions.mine(actor.id)))
        if stop := _STOP_SCHEDULE.match(detail):
            view = self.subscriptions.unsubscribe(actor.id, int(stop["id"]))
            return say_text(f"Stopped the report to <#{view.channel_id}>.", private=True)
        if _SCHEDULE.search(detail) or _CHANNEL.search(detail):
            return self._subscribe(detail, actor)
        request = self.request(detail, actor)
        if isinstance(request, Answer):
            return request
        summary = self.reports.summary(actor.id, request.scope, request.period)
        if request.csv:
            return self.send_csv(actor, summary)
        note = self.send_chart(actor, request, summary) if request.chart else None
        return Answer(text=pb.summary_text(summary),
                      blocks=pb.summary_blocks(summary, request=request.to_value(), note=note))

    def forecast(self, intent: Intent, actor: UserView) -> Answer:
        if quota := _SET_QUOTA.match(" ".join((intent.detail or "").split())):
            return self._set_quota(quota, actor)
        request = self.request(intent.detail or "", actor)
        if isinstance(request, Answer):
            return request
        if request.period is not None and request.period.kind != "quarter":
            return say_text("Forecasts are per quarter: try `forecast this quarter` or "
                            "`forecast Q1`.", private=True)
        forecast = self.reports.forecast(actor.id, request.scope, request.period)
        return Answer(text=f"Forecast · {forecast.scope.label} · {forecast.quarter.label}",
                      blocks=pb.forecast_blocks(forecast))

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
        """"for my team this quarter csv" → scope, period and delivery."""
        text = detail
        csv = bool(_CSV.search(text))
        chart = not _NO_CHART.search(text)
        text = _NO_CHART.sub(" ", _CSV.sub(" ", text))
        tz = actor.timezone or self.deps.default_timezone
        period = None
        if found := find_period(text, self.reports.today(tz), self.reports.fiscal_year_start):
            period, match = found
            text = text[:match.start()] + " " + text[match.end():]
        scope = self.scope(text, actor)
        if isinstance(scope, Answer):
            return scope
        return Request(scope, period, csv=csv, chart=chart)

    def scope(self, words: str, actor: UserView) -> Scope | Answer:
        """Whose pipeline the words name: everyone visible, me, my team, a team, a person."""
        words = re.sub(r"^(?:for|of|by|from)\s+", "", " ".join(words.split()).strip(" .?!,"),
                       flags=_I).strip()
        lowered = words.lower()
        if not lowered or lowered in _EVERYONE:
            return Scope()
        if lowered in _ME:
            return Scope("owner", actor.id)
        if lowered in _MY_TEAM:
            return Scope("team", actor.id)
        if team := _TEAM_OF.match(words):
            name = (team["a"] or team["b"]).strip()
            for team_id, team_name in self.reports.teams():
                if fuzz.WRatio(default_process(name), default_process(team_name)) >= 90:
                    return Scope("team", team_id=team_id)
            person = self._person(name)
            return Scope("team", user_id=person) if isinstance(person, int) else person
        person = self._person(words)
        return Scope("owner", person) if isinstance(person, int) else person

    def _person(self, name: str) -> int | Answer:
        if mention := _MENTION.match(name):
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
        note = f"Shared by <@{actor.slack_user_id}>."
        self.client.chat_postMessage(channel=channel, text=pb.summary_text(summary),
                                     blocks=pb.summary_blocks(summary, note=note))
        self.send_chart(actor, request, summary, channel=channel)
        return summary

    def send_chart(self, actor: UserView, request: Request, summary: Summary,
                   channel: str | None = None) -> str | None:
        """Upload the chart (to the asker's DM unless a channel is given); a note when it
        could not be sent, since the text already holds every figure."""
        if self.client is None or not summary.totals:
            return None
        try:
            cells = self.reports.by_stage_and_owner(actor.id, request.scope, request.period)
            png = pipeline_png(cells, [s.name for s in summary.stages],
                               f"Open pipeline by stage and owner · {summary.scope.label}")
            if png is None:
                return None
            self.client.files_upload_v2(
                channel=channel or self._dm(actor), file=png, filename="pipeline.png",
                title=f"Pipeline · {summary.scope.label}",
                alt_txt="Open pipeline by stage, stacked by owner")
        except SlackApiError as exc:
            log.warning("pipeline chart not uploaded: %s", exc.response.get("error"))
            return "The chart couldn't be sent; every figure is in the text above."
        except Exception:
            log.exception("pipeline chart failed")
            return "The chart couldn't be drawn; every figure is in the text above."
        return None

    def send_csv(self, actor: UserView, summary: Summary) -> Answer:
        content = summary_csv(summary)
        period = "open"
        if summary.open_period is not None:
            period = summary.open_period.code or summary.open_period.label
        filename = f"pipeline-{re.sub(r'[^A-Za-z0-9-]+', '-', period)}.csv"
        if self.client is None:
            return say_text(f"```{content[:2900]}```", private=True)
        self.client.files_upload_v2(channel=self._dm(actor), content=content,
                                    filename=filename, title=f"Pipeline · {summary.scope.label}")
        return say_text(f"The pipeline of {escape(summary.scope.label)} as CSV is in our DM: "
                        f"`{filename}`.", private=True)

    def _dm(self, actor: UserView) -> str:
        assert self.client is not None
        return self.client.conversations_open(users=actor.slack_user_id)["channel"]["id"]

    # -- scheduled reports ------------------------------------------------------------------
    def _subscribe(self, detail: str, actor: UserView) -> Answer:
        """"for my team to #sales every monday 8am": the slot, the scope, then the channel
        (by id when Slack gave one, by name through Slack, else a channel picker)."""
        channel = _CHANNEL.search(detail)
        rest = detail if channel is None else (
            detail[:channel.start()] + " " + detail[channel.end():])
        weekday, hour = 0, 8
        if day := _WEEKDAY.search(rest):
            weekday = _WEEKDAYS[day["day"].lower()]
            rest = rest[:day.start()] + " " + rest[day.end():]
        if at := _HOUR.search(rest):
            hour = int(at["h"] or at["h24"])
            if at["ampm"]:
                hour = hour % 12 + (12 if at["ampm"].lower() == "p" else 0)
            if (at["m"] or at["m24"] or "00") != "00" or not 0 <= hour <= 23:
                return say_text("Reports go out on the hour: try `every monday 8am`.",
                                private=True)
            rest = rest[:at.start()] + " " + rest[at.end():]
        scope = self.scope(_FILLER.sub(" ", rest), actor)
        if isinstance(scope, Answer):
            return scope
        self.subscriptions.check(actor.id, scope)
        channel_id = None
        if channel is not None:
            channel_id = (channel["id"] or channel["bare"]
                          or self._channel_named(channel["name"]))
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

    def _channel_named(self, name: str) -> str | None:
        if self.client is None:
            return None
        try:
            for page in self.client.conversations_list(
                    types="public_channel,private_channel", exclude_archived=True, limit=500):
                for channel in page.get("channels", []):
                    if channel.get("name") == name.lower():
                        return channel["id"]
        except SlackApiError as exc:
            log.warning("conversations.list failed: %s", exc.response.get("error"))
        return None

    # -- leads ----------------------------------------------------------------------------
    def lead(self, intent: Intent, actor: UserView) -> Answer:
        fields = parse_lead(intent.detail or "")
        if fields is None:
            return Answer(text="New lead", private=True, blocks=[
                ui.mrkdwn("Who is the lead? Say `new lead: Jane Roe, CTO at Hooli, met at the "
                          "trade show`, or use the form."),
                ui.actions(ui.button("New lead form", "lead_form", "new"))])
        return self.capture(actor, **vars(fields))

    def capture(self, actor: UserView, **fields: str | None) -> Answer:
        captured = self.lead_service.capture(actor.id, **fields)  # type: ignore[arg-type]
        if captured.notify_slack_id and self.client is not None:
            try:
                self.client.chat_postMessage(
                    channel=captured.notify_slack_id, text=f"New lead: {captured.lead.name}",
                    blocks=pb.new_lead_for_owner(captured, actor.name))
            except SlackApiError as exc:  # the lead is saved; they see it under `leads`
                log.warning("new owner not told: %s", exc.response.get("error"))
        return Answer(text=f"Lead {captured.lead.name} added",
                      blocks=pb.captured_blocks(captured))

    def leads(self, intent: Intent, actor: UserView) -> Answer:
        mine = self.lead_service.mine(actor.id)
        return Answer(text=f"{len(mine)} open lead(s)", blocks=pb.leads_blocks(mine))

    def convert(self, actor: UserView, lead_id: int, choice: str | None = None) -> Answer:
        outcome = self.lead_service.convert(
            actor.id, lead_id, account_id=int(choice) if choice and choice.isdigit() else None,
            new_account=choice == "new")
        if isinstance(outcome, AccountQuestion):
            return Answer(text="Which account?", blocks=pb.account_question_blocks(outcome))
        return Answer(text=f"Converted {outcome.lead.name}", blocks=pb.converted_blocks(outcome))


def scheduled_report(services: Services, subscription_id: int, *,
                     fiscal_year_start: int = 1) -> Answer | None:
    """The weekly post of a subscription, as its creator may see it now; None when the
    subscription was stopped or its creator may no longer see what it covers."""
    view = ReportSubscriptionService(services.store).get(subscription_id)
    if view is None:
        return None
    try:
        summary = PipelineService(services.store, fiscal_year_start=fiscal_year_start).summary(
            view.created_by_id, view.report_scope)
    except (NotAllowed, NotFound):
        return None
    return Answer(text=f"Weekly {pb.summary_text(summary)}", blocks=[
        *pb.summary_blocks(summary), ui.context(f"Weekly report, {view.when}.")])
