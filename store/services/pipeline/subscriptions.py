"""Weekly pipeline reports posted to a channel, delivered through the reminder machinery.

A subscription names a channel, what to report (the creator's whole view, one person, a
team) and a weekly slot in a time zone. Each sweep plans the latest slot that has come
(not before the subscription existed) as a reminder keyed `report:<id>:<local date>`, so
a slot is posted once whatever restarts or how many schedulers run; the report is built
at send time, as its creator may see it then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.db import Store
from store.errors import InvalidInput, NotAllowed, NotFound
from store.models import ReportSubscription, User
from store.roles import is_admin, leads_a_team
from store.services.people.users import require_by_id
from store.services.pipeline.figures import Scope, resolve_scope
from store.services.system import audit

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    channel_id: str
    scope: str
    owner_id: int | None
    team_id: int | None
    weekday: int
    hour: int
    timezone: str
    created_by_id: int
    active: bool
    label: str  # what the report covers, as its creator sees it

    @property
    def when(self) -> str:
        return f"every {WEEKDAYS[self.weekday]} at {self.hour:02d}:00 ({self.timezone})"

    @property
    def report_scope(self) -> Scope:
        return scope_of(self.scope, self.owner_id, self.team_id)


@dataclass(frozen=True)
class PlannedReport:
    key: str
    subscription_id: int
    channel_id: str
    creator: User
    due_at: datetime


def scope_of(kind: str, owner_id: int | None, team_id: int | None) -> Scope:
    if kind == "owner":
        return Scope("owner", user_id=owner_id)
    if kind == "team":
        return Scope("team", user_id=owner_id, team_id=team_id)
    return Scope("visible")


def _stored_kind(scope: Scope) -> str:
    return {"visible": "all", "owner": "owner", "team": "team"}[scope.kind]


def latest_slot(now: datetime, weekday: int, hour: int, tz: str) -> datetime:
    """The most recent `weekday` `hour`:00 in `tz` at or before `now`, in UTC."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    slot = datetime.combine(day, time(hour), tzinfo=zone)
    if slot > local:
        slot = datetime.combine(day - timedelta(days=7), time(hour), tzinfo=zone)
    return slot.astimezone(UTC)


def planned_reports(session: Session, now: datetime) -> list[PlannedReport]:
    """The slot each active subscription is due for (if any), for `ReminderService.plan`."""
    rows = session.execute(
        select(ReportSubscription, User)
        .join(User, ReportSubscription.created_by_id == User.id)
        .where(ReportSubscription.active.is_(True), User.is_active.is_(True)))
    planned = []
    for sub, creator in rows:
        slot = latest_slot(now, sub.weekday, sub.hour, sub.timezone)
        if slot < sub.created_at:
            continue
        local_day = slot.astimezone(ZoneInfo(sub.timezone)).date()
        planned.append(PlannedReport(f"report:{sub.id}:{local_day:%Y%m%d}", sub.id,
                                     sub.channel_id, creator, slot))
    return planned


def _view(session: Session, sub: ReportSubscription) -> SubscriptionView:
    creator = require_by_id(session, sub.created_by_id)
    try:
        label = resolve_scope(session, creator, scope_of(sub.scope, sub.owner_id,
                                                         sub.team_id)).label
    except (NotAllowed, NotFound):
        label = "(no longer visible to its creator)"
    return SubscriptionView(sub.id, sub.channel_id, sub.scope, sub.owner_id, sub.team_id,
                            sub.weekday, sub.hour, sub.timezone, sub.created_by_id, sub.active,
                            label)


class ReportSubscriptionService:
    def __init__(self, store: Store, *, default_timezone: str = "UTC") -> None:
        self.store = store
        self.default_timezone = default_timezone

    def check(self, actor_id: int, scope: Scope) -> None:
        """NotAllowed (with the reason) unless the actor may schedule this report."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            if not leads_a_team(actor):
                raise NotAllowed("Scheduled pipeline reports are for managers and admins.")
            resolve_scope(s, actor, scope)

    def subscribe(self, actor_id: int, channel_id: str, *, scope: Scope, weekday: int,
                  hour: int, timezone: str | None = None) -> SubscriptionView:
        """Managers, directors and admins post reports of what they may see; subscribing
        the same report to the same slot twice changes nothing."""
        if not 0 <= weekday <= 6 or not 0 <= hour <= 23:
            raise InvalidInput("A report goes out on a weekday at a whole hour, like monday 8am.")
        if not channel_id or channel_id[:1] not in ("C", "G"):
            raise InvalidInput("Name a channel for the report, like #sales.")
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            if not leads_a_team(actor):
                raise NotAllowed("Scheduled pipeline reports are for managers and admins.")
            tz = timezone or actor.timezone or self.default_timezone
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise InvalidInput(f"{tz!r} is not a time zone.") from exc
            resolve_scope(s, actor, scope)  # NotAllowed beyond the actor's role
            kind = _stored_kind(scope)
            owner_id = scope.user_id if scope.kind != "visible" else None
            if scope.kind == "team" and scope.team_id is None and owner_id is None:
                owner_id = actor.id
            table = ReportSubscription
            same = s.scalar(select(table).where(
                table.channel_id == channel_id, table.scope == kind,
                table.owner_id.is_(None) if owner_id is None else table.owner_id == owner_id,
                table.team_id.is_(None) if scope.team_id is None
                else table.team_id == scope.team_id,
                table.weekday == weekday, table.hour == hour, table.active.is_(True)))
            if same is not None:
                return _view(s, same)
            sub = ReportSubscription(channel_id=channel_id, scope=kind, owner_id=owner_id,
                                     team_id=scope.team_id, weekday=weekday, hour=hour,
                                     timezone=tz, created_by_id=actor.id, active=True)
            s.add(sub)
            s.flush()
            audit.record(s, at=self.store.now(), actor_id=actor.id, action="report.subscribe",
                         entity_type="report_subscription", entity_id=sub.id,
                         detail={"channel": channel_id, "scope": kind, "weekday": weekday,
                                 "hour": hour, "timezone": tz})
            return _view(s, sub)

    def unsubscribe(self, actor_id: int, subscription_id: int) -> SubscriptionView:
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            sub = s.get(ReportSubscription, subscription_id)
            if sub is None or not sub.active:
                raise NotFound("That report subscription is already gone.")
            if sub.created_by_id != actor.id and not is_admin(actor):
                raise NotAllowed("Only its creator or an admin can stop a scheduled report.")
            sub.active = False
            audit.record(s, at=self.store.now(), actor_id=actor.id,
                         action="report.unsubscribe", entity_type="report_subscription",
                         entity_id=sub.id)
            return _view(s, sub)

    def mine(self, actor_id: int) -> list[SubscriptionView]:
        """Active subscriptions the actor made (an admin: all of them)."""
        with self.store.transaction() as s:
            actor = require_by_id(s, actor_id)
            query = select(ReportSubscription).where(ReportSubscription.active.is_(True))
            if not is_admin(actor):
                query = query.where(ReportSubscription.created_by_id == actor.id)
            return [_view(s, sub) for sub in s.scalars(query.order_by(ReportSubscription.id))]

    def get(self, subscription_id: int) -> SubscriptionView | None:
        """The subscription if it is still active (a report due for a stopped one is not
        sent)."""
        with self.store.transaction() as s:
            sub = s.get(ReportSubscription, subscription_id)
            return _view(s, sub) if sub is not None and sub.active else None
