"""Reminders: the bot speaks first, once, at the right time.

The database is the source of truth. Each sweep `plan`s reminders from dates already
in the domain tables (follow-ups, contract ends, quiet deals, digest hours, scheduled
pipeline reports), each with a unique key so it is created once; `claim` takes due ones
atomically (an UPDATE only one process can win; SKIP LOCKED on PostgreSQL) under a lease,
so a process that dies between claim and send leaves it to be retried, never lost;
`sent`/`retry`/`failed` record the outcome. Nothing here talks to Slack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.db import Store
from store.models import Activity, Contract, Opportunity, Reminder, Stage, User
from store.services.pipeline.subscriptions import planned_reports
from store.working_time import DEFAULT_DIGEST_HOUR, DEFAULT_WORKING_HOURS, local_hour, next_delivery

RENEWAL_MARKS = (90, 60, 30)
FOLLOW_UP_LOOKBACK = timedelta(days=14)  # older open follow-ups go to the digest, not a DM
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class DueReminder:
    id: int
    key: str
    kind: str
    subject_type: str
    subject_id: int
    user_id: int | None
    user_slack_id: str | None
    user_timezone: str | None
    channel_id: str | None
    due_at: datetime
    attempts: int


@dataclass(frozen=True)
class Planned:
    key: str
    kind: str
    subject_type: str
    subject_id: int
    user: User
    due_at: datetime
    channel_id: str | None = None  # a channel post (scheduled report) rather than a DM


class ReminderService:
    def __init__(self, store: Store, *, working_hours: str = DEFAULT_WORKING_HOURS,
                 default_timezone: str = "UTC", renewal_alert_minor: int | None = None) -> None:
        self.store = store
        self.working_hours = working_hours
        self.default_timezone = default_timezone
        self.renewal_alert_minor = renewal_alert_minor

    # -- planning ----------------------------------------------------------------------
    def plan(self) -> int:
        """Create every reminder that is due by now (or soon); returns how many are new."""
        now = self.store.now()
        with self.store.transaction() as s:
            planned = [*self._follow_ups(s, now), *self._renewals(s, now),
                       *self._stale_deals(s, now), *self._digests(s, now),
                       *self._reports(s, now)]
            return sum(self._insert(s, p, now) for p in planned)

    def _tz(self, user: User) -> str:
        return user.timezone or self.default_timezone

    def _deliver_at(self, user: User, due: datetime) -> datetime:
        return next_delivery(due, self._tz(user), self.working_hours,
                             weekends=user.weekend_reminders,
                             muted_until=user.reminders_muted_until)

    def _insert(self, s: Session, p: Planned, now: datetime) -> int:
        insert = pg_insert if self.store.dialect == "postgresql" else sqlite_insert
        created = s.scalar(
            insert(Reminder).values(
                key=p.key, kind=p.kind, subject_type=p.subject_type, subject_id=p.subject_id,
                user_id=p.user.id, channel_id=p.channel_id, due_at=p.due_at,
                # planned late (a sweep missed, a clock jump): still only in working hours;
                # a channel report keeps the hour its subscriber chose
                deliver_at=max(p.due_at, now) if p.channel_id
                else self._deliver_at(p.user, max(p.due_at, now)),
                status="pending", attempts=0, created_at=now,
            ).on_conflict_do_nothing(index_elements=["key"]).returning(Reminder.id))
        return 1 if created is not None else 0

    def _follow_ups(self, s: Session, now: datetime) -> list[Planned]:
        rows = s.execute(
            select(Activity.id, Activity.follow_up_at, User)
            .join(User, Activity.owner_id == User.id)
            .where(Activity.done.is_(False), Activity.follow_up_at.is_not(None),
                   Activity.follow_up_at <= now + timedelta(days=1),
                   Activity.follow_up_at >= now - FOLLOW_UP_LOOKBACK, User.is_active.is_(True)))
        return [Planned(f"follow_up:{activity_id}:{due:%Y%m%dT%H%M}",
                        "follow_up", "activity", activity_id, user, due)
                for activity_id, due, user in rows
                if due is not None]  # always, by the query; this tells the type checker

    def _renewals(self, s: Session, now: datetime) -> list[Planned]:
        today = now.date()
        rows = s.execute(
            select(Contract, User)
            .join(User, Contract.owner_id == User.id)
            .where(Contract.status == "active", Contract.end_date >= today,
                   Contract.end_date <= today + timedelta(days=max(RENEWAL_MARKS)),
                   User.is_active.is_(True)))
        planned = []
        for contract, owner in rows:
            passed = [n for n in RENEWAL_MARKS if contract.end_date - timedelta(days=n) <= today]
            if not passed:
                continue
            mark = min(passed)  # a contract entered late gets the latest mark, not the missed
            day = contract.end_date - timedelta(days=mark)
            due = datetime.combine(day, time(0), tzinfo=ZoneInfo(self._tz(owner))).astimezone(UTC)
            planned.append(Planned(f"renewal:{contract.id}:d{mark}", "renewal", "contract",
                                   contract.id, owner, due))
            manager = s.get(User, owner.manager_id) if owner.manager_id else None
            if (manager is not None and manager.is_active and self.renewal_alert_minor is not None
                    and contract.value_minor > self.renewal_alert_minor):
                planned.append(Planned(f"renewal:{contract.id}:d{mark}:manager", "renewal",
                                       "contract", contract.id, manager, due))
        return planned

    def _stale_deals(self, s: Session, now: datetime) -> list[Planned]:
        shortest = s.scalar(select(func.min(Stage.quiet_days)).where(Stage.kind == "open")) or 0
        quiet_since = now - timedelta(days=shortest)
        rows = s.execute(
            select(Opportunity.id, Opportunity.last_activity_at, Opportunity.stage_changed_at,
                   Opportunity.close_date, Stage.quiet_days, User)
            .join(Stage, Opportunity.stage_id == Stage.id)
            .join(User, Opportunity.owner_id == User.id)
            .where(Stage.kind == "open", Opportunity.archived_at.is_(None),
                   User.is_active.is_(True),
                   or_(Opportunity.close_date < now.date(),
                       and_(Opportunity.stage_changed_at < quiet_since,
                            or_(Opportunity.last_activity_at.is_(None),
                                Opportunity.last_activity_at < quiet_since)))))
        planned = []
        for opp_id, last_activity, stage_changed, close_date, quiet_days, owner in rows:
            spell = max(d for d in (last_activity, stage_changed) if d is not None)
            if quiet_days and spell + timedelta(days=quiet_days) <= now:
                planned.append(Planned(f"stale:{opp_id}:{spell:%Y%m%dT%H%M%S}", "stale_deal",
                                       "opportunity", opp_id, owner,
                                       spell + timedelta(days=quiet_days)))
            elif close_date < now.date():
                due = datetime.combine(close_date + timedelta(days=1), time(0), tzinfo=UTC)
                planned.append(Planned(f"overdue:{opp_id}:{close_date:%Y%m%d}", "stale_deal",
                                       "opportunity", opp_id, owner, due))
        return planned

    def _digests(self, s: Session, now: datetime) -> list[Planned]:
        users = s.scalars(select(User).where(User.digest_hour.is_not(None),
                                             User.is_active.is_(True)))
        planned = []
        for user in users:
            due = local_hour(now, user.digest_hour or DEFAULT_DIGEST_HOUR, self._tz(user))
            local_day = now.astimezone(ZoneInfo(self._tz(user))).date()
            planned.append(Planned(f"digest:{user.id}:{local_day:%Y%m%d}", "digest", "user",
                                   user.id, user, due))
        return planned

    def _reports(self, s: Session, now: datetime) -> list[Planned]:
        return [Planned(r.key, "report", "report_subscription", r.subscription_id, r.creator,
                        r.due_at, channel_id=r.channel_id) for r in planned_reports(s, now)]

    # -- delivering ----------------------------------------------------------------------
    def claim(self, worker: str, limit: int = 50) -> list[DueReminder]:
        """Take up to `limit` due reminders for `worker`; no two workers get the same one."""
        now = self.store.now()
        claimable = or_(
            and_(Reminder.status == "pending", Reminder.deliver_at <= now),
            and_(Reminder.status == "claimed", Reminder.claimed_at < now - LEASE),
        )
        with self.store.transaction() as s:
            candidates = (select(Reminder.id).where(claimable)
                          .order_by(Reminder.deliver_at, Reminder.id).limit(limit))
            picked: ColumnElement[bool]
            if self.store.dialect == "postgresql":
                # Lock the batch in its own statement: as a sub-select of the UPDATE, the
                # planner may run `LIMIT … FOR UPDATE SKIP LOCKED` as a join and claim every
                # due row at once (one dead worker would then strand them all).
                locked = s.scalars(candidates.with_for_update(skip_locked=True)).all()
                picked = Reminder.id.in_(locked)
            else:  # SQLite runs one writer at a time: the sub-select is the batch
                picked = Reminder.id.in_(candidates.scalar_subquery())
            ids = s.scalars(
                update(Reminder)
                .where(picked, claimable)
                .values(status="claimed", claimed_by=worker, claimed_at=now,
                        attempts=Reminder.attempts + 1)
                .returning(Reminder.id)).all()
            rows = s.execute(select(Reminder, User).outerjoin(User, Reminder.user_id == User.id)
                             .where(Reminder.id.in_(ids)).order_by(Reminder.deliver_at))
            return [DueReminder(r.id, r.key, r.kind, r.subject_type, r.subject_id, r.user_id,
                                u.slack_user_id if u else None, u.timezone if u else None,
                                r.channel_id, r.due_at, r.attempts) for r, u in rows]

    def _finish(self, reminder_id: int, worker: str, **values: object) -> bool:
        with self.store.transaction() as s:
            done = s.scalar(update(Reminder).where(
                Reminder.id == reminder_id, Reminder.status == "claimed",
                Reminder.claimed_by == worker).values(**values).returning(Reminder.id))
            return done is not None

    def sent(self, reminder_id: int, worker: str, slack_ts: str | None) -> bool:
        return self._finish(reminder_id, worker, status="sent", sent_at=self.store.now(),
                            slack_ts=slack_ts, last_error=None)

    def retry(self, reminder_id: int, worker: str, error: str, attempts: int,
              delay: timedelta | None = None) -> bool:
        """Put it back with backoff (or Slack's Retry-After); a failed send is never dropped."""
        backoff = delay or min(timedelta(minutes=2 ** min(attempts, 10)), MAX_BACKOFF)
        return self._finish(reminder_id, worker, status="pending",
                            deliver_at=self.store.now() + backoff, last_error=error[:500],
                            claimed_by=None, claimed_at=None)

    def failed(self, reminder_id: int, worker: str, reason: str) -> bool:
        """Slack refused for good (user deactivated, channel gone): keep it, visibly."""
        return self._finish(reminder_id, worker, status="failed", last_error=reason[:500])

    def cancel(self, reminder_id: int, worker: str, reason: str) -> bool:
        """No longer relevant (follow-up done, deal moved): nothing to send."""
        return self._finish(reminder_id, worker, status="canceled", last_error=reason[:500])

    # -- what people control -------------------------------------------------------------
    def upcoming(self, user_id: int, limit: int = 20) -> list[tuple[datetime, str, str]]:
        """(deliver_at, kind, key) of the user's pending reminders, soonest first."""
        with self.store.transaction() as s:
            rows = s.execute(select(Reminder.deliver_at, Reminder.kind, Reminder.key).where(
                Reminder.user_id == user_id, Reminder.status.in_(("pending", "claimed"))
            ).order_by(Reminder.deliver_at).limit(limit))
            return [tuple(r) for r in rows]  # type: ignore[misc]

    def mute(self, user_id: int, until: datetime | None) -> None:
        """Hold reminders until `until` (None: unmute); pending ones move too."""
        with self.store.transaction() as s:
            user = s.get(User, user_id)
            assert user is not None
            user.reminders_muted_until = until
            for reminder in s.scalars(select(Reminder).where(
                    Reminder.user_id == user_id, Reminder.status == "pending",
                    Reminder.channel_id.is_(None))):  # a channel's report is not muted
                reminder.deliver_at = self._deliver_at(user, reminder.due_at)

    def set_digest_hour(self, user_id: int, hour: int | None) -> None:
        with self.store.transaction() as s:
            user = s.get(User, user_id)
            assert user is not None
            user.digest_hour = hour

    def failures(self, limit: int = 50) -> list[tuple[str, str, str | None]]:
        """(key, reason, user) of deliveries Slack refused for good, for admins."""
        with self.store.transaction() as s:
            rows = s.execute(select(Reminder.key, Reminder.last_error, User.name)
                             .outerjoin(User, Reminder.user_id == User.id)
                             .where(Reminder.status == "failed")
                             .order_by(Reminder.id.desc()).limit(limit))
            return [(k, e or "", n) for k, e, n in rows]

