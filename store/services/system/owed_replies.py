"""Replies the bot owes: kept when Slack refused them for now, delivered by the sweep.

A change is saved in its own transaction before the bot confirms it; if Slack then refuses
the confirmation (rate limited past the client's retries, a 5xx, a timeout), the change
stands, so the person must still hear of it, and never that "something went wrong". The
reply is kept here and the reminder sweep delivers it, with backoff, claimed the way
reminders are so that two processes never send one twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.orm import Session

from store.db import Store
from store.models import OwedReply
from store.services.system.within import within

LEASE = timedelta(minutes=5)
CLAIM_BATCH = 50  # replies a claim takes at most; a smaller batch means none are left
MAX_ATTEMPTS = 8  # with the backoff below, about four hours of trying
GIVE_UP = "failed"
KEPT_AFTER_DELIVERY = timedelta(days=7)  # for a look at what was owed; then forgotten


@dataclass(frozen=True)
class Owed:
    id: int
    method: str
    payload: dict[str, Any]
    attempts: int


@lru_cache(maxsize=4)
def _claim_statements(limit: int) -> tuple[Any, Any, Any]:
    """The claim's statements, built once (the sweep runs them every minute, mostly to find
    nothing): the batch locked alone (PostgreSQL), the UPDATE of the batch as its sub-select
    (SQLite), the UPDATE of the locked ids."""
    t = OwedReply.__table__
    due = and_(t.c.status == "pending", t.c.deliver_at <= bindparam("now"))
    batch = select(t.c.id).where(due).order_by(t.c.id).limit(limit)
    claim = update(t).values(deliver_at=bindparam("until"), attempts=t.c.attempts + 1)
    taken = (t.c.id, t.c.method, t.c.payload, t.c.attempts)
    return (batch.with_for_update(skip_locked=True),
            claim.where(t.c.id.in_(batch.scalar_subquery()), due).returning(*taken),
            claim.where(t.c.id.in_(bindparam("ids", expanding=True)), due).returning(*taken))


class OwedReplies:
    def __init__(self, store: Store) -> None:
        self.store = store

    def keep(self, method: str, payload: dict[str, Any], error: str) -> int:
        with self.store.transaction() as s:
            row = OwedReply(method=method, payload=json.dumps(payload, ensure_ascii=False),
                            status="pending", attempts=0, last_error=error[:500],
                            created_at=self.store.now(), deliver_at=self.store.now())
            s.add(row)
            s.flush()
            return row.id

    def claim(self, limit: int = CLAIM_BATCH, session: Session | None = None) -> list[Owed]:
        """Take up to `limit` due replies; a claim lasts `LEASE`, so a sweep that dies
        leaves them to the next one. In `session` when given (the sweep's one
        transaction), else in its own."""
        now = self.store.now()
        batch, by_batch, by_ids = _claim_statements(limit)
        params = {"now": now, "until": now + LEASE}
        with within(self.store, session) as s:
            conn = s.connection()
            if self.store.dialect == "postgresql":  # lock the batch alone (see reminders)
                locked = conn.execute(batch, params).scalars().all()
                if not locked:
                    return []
                rows = conn.execute(by_ids, {**params, "ids": list(locked)}).all()
            else:
                rows = conn.execute(by_batch, params).all()
            return [Owed(r.id, r.method, json.loads(r.payload), r.attempts) for r in rows]

    def delivered(self, reply_id: int) -> None:
        self._set(reply_id, status="sent", last_error=None)

    def retry(self, owed: Owed, error: str) -> None:
        """Try again later, or give up (kept, visible) after `MAX_ATTEMPTS`."""
        if owed.attempts >= MAX_ATTEMPTS:
            self._set(owed.id, status=GIVE_UP, last_error=error[:500])
            return
        delay = timedelta(minutes=2 ** owed.attempts)
        self._set(owed.id, deliver_at=self.store.now() + delay, last_error=error[:500])

    def give_up(self, reply_id: int, reason: str) -> None:
        """Slack refused it for good (the channel is gone, the URL expired): keep why."""
        self._set(reply_id, status=GIVE_UP, last_error=reason[:500])

    def _set(self, reply_id: int, **values: object) -> None:
        with self.store.transaction() as s:
            s.execute(update(OwedReply).where(OwedReply.id == reply_id).values(**values))
