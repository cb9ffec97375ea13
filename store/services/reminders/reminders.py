"""Reminders: the bot speaks first, once, at the right time.

The database is the source of truth. Each sweep `plan`s reminders from dates already
in the domain tables (follow-ups, contract ends, quiet deals, digest hours, scheduled
pipeline reports), each with a unique key so it is created once; `claim` takes due ones
atomically (an UPDATE only one process can win; SKIP LOCKED on PostgreSQL) under a lease,
so a process that dies between claim and send leaves it to be retried, never lost;
`sent`/`retry`/`failed` record the outcome. Nothing here talks to Slack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.db import Store
from store.models import Reminder, User
from store.services.pipeline.subscriptions import planned_reports
from store.services.reminders import plan as planner
from store.services.reminders import windows
from store.services.reminders.claims import claim_statements
from store.services.reminders.plan import Planned
from store.services.system.within import within
from store.working_time import DEFAULT_DIGEST_HOUR, DEFAULT_WORKING_HOURS, local_hour, next_delivery

INSERT_CHUNK = 500  # reminders per INSERT (10 values each: well under any bind limit)
LEASE = timedelta(minutes=5)
CLAIM_BATCH = 50  # reminders a claim takes at most; a smaller batch means none are left
MAX_BACKOFF = timedelta(hours=1)
MARK_PREFIX = "reminders:"  # the planner's marks (windows.py), one per set of settings


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(attempts, 10)), MAX_BACKOFF)


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed reminder, for `ReminderService.record`: sent (with its
    Slack ts), retry (after `delay`, else a backoff by `attempts`), failed or canceled
    (with the reason)."""

    reminder_id: int
    status: Literal["sent", "retry", "failed", "canceled"]
    slack_ts: str | None = None
    reason: str | None = None
    attempts: int = 0
    delay: timedelta | None = None


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


class ReminderService:
    def __init__(self, store: Store, *, working_hours: str = DEFAULT_WORKING_HOURS,
                 default_timezone: str = "UTC", renewal_alert_minor: int | None = None) -> None:
        self.store = store
        self.working_hours = working_hours
        self.default_timezone = default_timezone
        self.renewal_alert_minor = renewal_alert_minor

    # -- planning ----------------------------------------------------------------------
    def plan(self, session: Session | None = None) -> int:
        """Create every reminder that is due by now (or soon); returns how many are new.

        Reads only what became due or was written since the last sweep (plan.py). In
        `session` when given (the sweep's one transaction), else in its own."""
        now = self.store.now()
        with within(self.store, session) as s:
            marks = windows.stages_and_marks(s, MARK_PREFIX,
                                             lock=self.store.dialect == "postgresql")
            mark = self._mark_name(marks.stages)
            w = windows.window(s, marks, mark, now, self.default_timezone)
            planned = [*planner.follow_ups(s, w),
                       *planner.renewals(s, w, self._tz, self.renewal_alert_minor),
                       *planner.stale_deals(s, w, marks.stages), *self._digests(s, w),
                       *self._reports(s, w)]
            created = self._insert(s, planned, now) if planned else 0
            windows.set_mark(s, marks, mark, w)
            return created

    def _mark_name(self, stages: list[windows.OpenStage]) -> str:
        """The settings and stages that change what is planned are part of the mark's
        name: changing one plans everything once."""
        return (f"{MARK_PREFIX}{self.renewal_alert_minor}:{self.default_timezone}:"
                f"{windows.stages_mark(stages)}")

    def _tz(self, user: User) -> str:
        return user.timezone or self.default_timezone

    def _deliver_at(self, user: User, due: datetime) -> datetime:
        return next_delivery(due, self._tz(user), self.working_hours,
                             weekends=user.weekend_reminders,
                             muted_until=user.reminders_muted_until)

    def _insert(self, s: Session, planned: list[Planned], now: datetime) -> int:
        """Insert the ones not there yet, many to a statement; returns how many are new.
        Keys already there are left out first (a look-up by the unique index), so a sweep
        re-reading rows it planned before writes nothing; the conflict clause still settles
        a race with another sweep."""
        insert = pg_insert if self.store.dialect == "postgresql" else sqlite_insert
        rows = [dict(
            key=p.key, kind=p.kind, subject_type=p.subject_type, subject_id=p.subject_id,
            user_id=p.user.id, channel_id=p.channel_id, due_at=p.due_at,
            # planned late (a sweep missed, a clock jump): still only in working hours;
            # a channel report keeps the hour its subscriber chose
            deliver_at=max(p.due_at, now) if p.channel_id
            else self._deliver_at(p.user, max(p.due_at, now)),
            status="pending", attempts=0, created_at=now) for p in planned]
        created = 0
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start:start + INSERT_CHUNK]
            there = set(s.scalars(select(Reminder.key).where(
                Reminder.key.in_([r["key"] for r in chunk]))))
            chunk = [r for r in chunk if r["key"] not in there]  # most, in a full sweep
            if not chunk:
                continue
            created += len(s.scalars(
                insert(Reminder).values(chunk)
                .on_conflict_do_nothing(index_elements=["key"]).returning(Reminder.id)).all())
        return created

    def _digests(self, s: Session, w: windows.Window) -> list[Planned]:
        now = w.now
        planned = []
        for user in planner.digest_users(s, w):
            due = local_hour(now, user.digest_hour or DEFAULT_DIGEST_HOUR, self._tz(user))
            local_day = now.astimezone(ZoneInfo(self._tz(user))).date()
            planned.append(Planned(f"digest:{user.id}:{local_day:%Y%m%d}", "digest", "user",
                                   user.id, user, due))
        return planned

    def _reports(self, s: Session, w: windows.Window) -> list[Planned]:
        """Every active subscription's latest slot (its key makes it once); in an
        incremental sweep only when the windows found any active subscription."""
        if not (w.full or w.found("r")):
            return []
        return [Planned(r.key, "report", "report_subscription", r.subscription_id, r.creator,
                        r.due_at, channel_id=r.channel_id) for r in planned_reports(s, w.now)]

    # -- delivering ----------------------------------------------------------------------
    def claim(self, worker: str, limit: int = CLAIM_BATCH,
              session: Session | None = None) -> list[DueReminder]:
        """Take up to `limit` due reminders for `worker`; no two workers get the same one.
        In `session` when given (the sweep's one transaction), else in its own."""
        now = self.store.now()
        candidates, by_batch, by_ids = claim_statements(limit)
        params = {"now": now, "expired": now - LEASE, "worker": worker}
        with within(self.store, session) as s:
            conn = s.connection()
            if self.store.dialect == "postgresql":
                # Lock the batch in its own statement: as a sub-select of the UPDATE, the
                # planner may run `LIMIT … FOR UPDATE SKIP LOCKED` as a join and claim every
                # due row at once (one dead worker would then strand them all).
                locked = conn.execute(candidates, params).scalars().all()
                if not locked:
                    return []
                ids = conn.execute(by_ids, {**params, "ids": list(locked)}).scalars().all()
            else:  # SQLite runs one writer at a time: the sub-select is the batch
                ids = conn.execute(by_batch, params).scalars().all()
            if not ids:
                return []
            rows = s.execute(select(Reminder, User).outerjoin(User, Reminder.user_id == User.id)
                             .where(Reminder.id.in_(ids)).order_by(Reminder.deliver_at))
            return [DueReminder(r.id, r.key, r.kind, r.subject_type, r.subject_id, r.user_id,
                                u.slack_user_id if u else None, u.timezone if u else None,
                                r.channel_id, r.due_at, r.attempts) for r, u in rows]

    def record(self, worker: str, outcomes: Sequence[Outcome]) -> None:
        """What became of a batch's reminders, in one transaction: one UPDATE per kind of
        outcome, each row only while `worker` still holds its claim (a claim whose lease
        ran out may have been taken, and sent, by another sweep)."""
        if not outcomes:
            return
        now = self.store.now()
        t = Reminder.__table__
        mine = (t.c.id == bindparam("b_id"), t.c.status == "claimed",
                t.c.claimed_by == worker)
        groups: dict[str, list[dict[str, object]]] = {}
        for o in outcomes:
            row: dict[str, object] = {"b_id": o.reminder_id}
            if o.status == "sent":
                row["b_ts"] = o.slack_ts
            elif o.status == "retry":
                row["b_at"] = now + (o.delay or _backoff(o.attempts))
                row["b_error"] = (o.reason or "")[:500]
            else:
                row["b_error"] = (o.reason or "")[:500]
            groups.setdefault(o.status, []).append(row)
        statements = {
            "sent": update(t).where(*mine).values(status="sent", sent_at=now,
                                                  slack_ts=bindparam("b_ts"), last_error=None),
            "retry": update(t).where(*mine).values(
                status="pending", deliver_at=bindparam("b_at"),
                last_error=bindparam("b_error"), claimed_by=None, claimed_at=None),
            "failed": update(t).where(*mine).values(status="failed",
                                                    last_error=bindparam("b_error")),
            "canceled": update(t).where(*mine).values(status="canceled",
                                                      last_error=bindparam("b_error")),
        }
        with self.store.transaction() as s:
            connection = s.connection()
            for status, rows in groups.items():
                connection.execute(statements[status], rows)

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
        backoff = delay or _backoff(attempts)
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

