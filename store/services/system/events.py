"""Slack events, received durably: an event acknowledged to Slack is in the store, and its
work is done once, whatever Slack retries and whatever crashes.

Slack does not resend an event it got a 200 for, so the 200 may only go out once the
event is stored: `receive` records the id and keeps the body in one transaction, before
the acknowledgement. Its work then runs from there; the first transaction of that work
that writes also marks the event done (`record_done`, hooked in through
`store.db.begin_work`), so the effect and the mark commit together: at-least-once
processing, exactly-once effect. An event whose work writes nothing is marked done when
its listener returns (`done`). What a crash leaves `received` is claimed again, when its
lease has run out or its process is gone, and replayed (handlers/slack/resume.py), at
most `MAX_ATTEMPTS` times; then it is marked failed and its id (never its body) logged.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.db import Store
from store.models import SlackEvent

log = logging.getLogger(__name__)

DEDUP_WINDOW = timedelta(hours=24)
"""How long an event id is kept, so a retry of it is still recognised. Slack retries an
event it got no timely answer for up to three times, all within about an hour; a day is
a wide margin (a retry delayed by an outage still dedupes) while `slack_events` stays
small. The reminder sweep prunes older ids (bot/reminders.py)."""

LEASE = timedelta(minutes=2)
"""How long a process has an event to itself. A listener finishes in well under a second,
and waits in the listener pool's queue for seconds at the worst of a burst; two minutes is
far past that, yet short enough that another process's sweep resumes a crashed process's
events soon. A process restarting on the same host does not wait: it takes over the events
of its predecessor at once (`stranded_here`)."""

MAX_ATTEMPTS = 3
"""Deliveries of one event to a listener (the first one and replays): an event whose
listener keeps killing the process is not replayed for ever."""

MAX_KEPT_BODY_CHARS = 1024 * 1024
"""The most of an event's JSON kept for a replay. Slack's events are far smaller (the HTTP
gate refuses bodies over 1 MiB before reading them); the bound holds for Socket Mode too."""


class Receipt(Enum):
    NEW = "new"  # first delivery, kept: process it, and mark it done with its work
    DUPLICATE = "duplicate"  # a retry, or a resend of a replayed event: acknowledge only
    NEW_NOT_KEPT = "new, not kept"  # first delivery, too large to keep: process from memory


class EventAlreadyHandled(Exception):
    """The work of this event was committed already (by a replay, or by the original
    delivery that outlived its lease): this transaction rolls back, so it acts once."""


@dataclass(frozen=True)
class PendingEvent:
    event_id: str
    body: dict[str, Any]
    attempt: int


_INCARNATION: dict[int, str] = {}


def this_worker() -> str:
    """host:pid:incarnation of this process, as kept in `slack_events.worker`. The random
    part tells a process from its predecessor when a restarted container has the same host
    name and pid."""
    pid = os.getpid()
    incarnation = _INCARNATION.setdefault(pid, secrets.token_hex(3))
    return f"{socket.gethostname()[:40]}:{pid}:{incarnation}"


def _gone(worker: str) -> bool:
    """Is `worker` a process of this host that no longer runs? (One with this process's
    pid but another incarnation is a predecessor: this process has its pid now.)"""
    host, pid_text = [*worker.split(":"), ""][:2]
    if host != socket.gethostname()[:40] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return worker != this_worker()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # it runs, as someone else
        return False
    return False


def _kept_body(body: dict[str, Any]) -> str | None:
    """The body as JSON without Slack's legacy verification `token`, or None above the
    bound. ASCII-escaped, so any text (NUL, lone surrogates) fits either database."""
    text = json.dumps({k: v for k, v in body.items() if k != "token"}, separators=(",", ":"))
    return text if len(text) <= MAX_KEPT_BODY_CHARS else None


class EventLog:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _insert(self, **values: Any) -> bool:
        insert = pg_insert if self.store.dialect == "postgresql" else sqlite_insert
        with self.store.transaction() as s:
            inserted = s.scalar(
                insert(SlackEvent)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["event_id"])
                .returning(SlackEvent.event_id)
            )
            return inserted is not None

    def first_time(self, event_id: str) -> bool:
        """Record `event_id` with nothing to resume; True only for the first delivery."""
        return self._insert(event_id=event_id, received_at=self.store.now(), state="done",
                            done_at=self.store.now())

    def receive(self, event_id: str, body: dict[str, Any]) -> Receipt:
        """Record `event_id` and keep `body`, leased to this process, in one transaction
        (INSERT … ON CONFLICT DO NOTHING): call before acknowledging."""
        now = self.store.now()
        kept = _kept_body(body)
        if kept is None:
            log.warning("event %s is too large to keep; processed from memory only", event_id)
            return Receipt.NEW_NOT_KEPT if self.first_time(event_id) else Receipt.DUPLICATE
        new = self._insert(event_id=event_id, received_at=now, state="received", body=kept,
                           attempts=1, worker=this_worker(), lease_until=now + LEASE)
        return Receipt.NEW if new else Receipt.DUPLICATE

    def record_done(self, session: Session, event_id: str) -> None:
        """Inside the transaction that does the event's work: mark it done, or raise
        `EventAlreadyHandled` (rolling that work back) when it is done already."""
        result = cast(CursorResult[Any], session.execute(
            update(SlackEvent)
            .where(SlackEvent.event_id == event_id, SlackEvent.state != "done")
            .values(state="done", done_at=self.store.now(), body=None, lease_until=None)
            .execution_options(synchronize_session=False)
        ))
        if result.rowcount != 1:
            raise EventAlreadyHandled(event_id)

    def done(self, event_id: str) -> None:
        """The event's listener returned without writing (or failed and told the person):
        nothing is left to resume."""
        with self.store.transaction() as s:
            s.execute(
                update(SlackEvent)
                .where(SlackEvent.event_id == event_id, SlackEvent.state != "done")
                .values(state="done", done_at=self.store.now(), body=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )

    def state_of(self, event_id: str) -> str | None:
        with self.store.transaction() as s:
            return s.scalar(select(SlackEvent.state).where(SlackEvent.event_id == event_id))

    def stranded_here(self) -> list[str]:
        """Workers of this host, gone now, that left events unfinished: a process starting
        up takes their events over without waiting for the lease."""
        with self.store.transaction() as s:
            workers = s.scalars(select(SlackEvent.worker).distinct().where(
                SlackEvent.state == "received", SlackEvent.worker.is_not(None)))
            return [w for w in workers if w is not None and _gone(w)]

    def claim_unfinished(self, limit: int = 20,
                         stranded: list[str] | tuple[str, ...] = ()) -> list[PendingEvent]:
        """Events received and not done whose lease ran out (or whose worker is in
        `stranded`), leased anew to this process, up to `limit`. Those past
        `MAX_ATTEMPTS` are marked failed instead, and their ids logged."""
        now = self.store.now()
        free = or_(SlackEvent.lease_until.is_(None), SlackEvent.lease_until <= now,
                   SlackEvent.worker.in_(list(stranded)))
        with self.store.transaction() as s:
            rows = s.execute(
                select(SlackEvent.event_id, SlackEvent.attempts, SlackEvent.body)
                .where(SlackEvent.state == "received", free)
                .order_by(SlackEvent.received_at).limit(limit)
            ).all()
        claimed: list[PendingEvent] = []
        for event_id, attempts, body in rows:
            if attempts >= MAX_ATTEMPTS or body is None:
                self._fail(event_id, attempts, free)
                continue
            with self.store.transaction() as s:
                # compare-and-set: another process sweeping the same database takes it once
                result = cast(CursorResult[Any], s.execute(
                    update(SlackEvent)
                    .where(SlackEvent.event_id == event_id, SlackEvent.state == "received",
                           SlackEvent.attempts == attempts, free)
                    .values(attempts=attempts + 1, worker=this_worker(),
                            lease_until=now + LEASE)
                    .execution_options(synchronize_session=False)
                ))
            if result.rowcount == 1:
                claimed.append(PendingEvent(event_id, json.loads(body), attempts + 1))
        return claimed

    def _fail(self, event_id: str, attempts: int, free: Any) -> None:
        with self.store.transaction() as s:
            result = cast(CursorResult[Any], s.execute(
                update(SlackEvent)
                .where(SlackEvent.event_id == event_id, SlackEvent.state == "received", free)
                .values(state="failed", body=None, lease_until=None)
                .execution_options(synchronize_session=False)
            ))
        if result.rowcount == 1:
            log.error("event %s failed after %d deliveries; it will not be tried again",
                      event_id, attempts)
