"""The reminder claim's statements, built once: a sweep a minute runs them, mostly to find
nothing, so building and compiling them each time was most of their cost."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update

from store.models import Reminder


@lru_cache(maxsize=4)
def claim_statements(limit: int) -> tuple[Any, Any, Any]:
    """For a batch of `limit`: the batch locked alone (PostgreSQL), the UPDATE of the batch
    as its sub-select (SQLite), the UPDATE of the locked ids. Claimable: pending and due
    (`now`), or claimed under a lease that ran out (before `expired`)."""
    t = Reminder.__table__
    claimable = or_(and_(t.c.status == "pending", t.c.deliver_at <= bindparam("now")),
                    and_(t.c.status == "claimed", t.c.claimed_at < bindparam("expired")))
    batch = (select(t.c.id).where(claimable).order_by(t.c.deliver_at, t.c.id).limit(limit))
    claim = update(t).values(status="claimed", claimed_by=bindparam("worker"),
                             claimed_at=bindparam("now"), attempts=t.c.attempts + 1)
    return (batch.with_for_update(skip_locked=True),
            claim.where(t.c.id.in_(batch.scalar_subquery()), claimable).returning(t.c.id),
            claim.where(t.c.id.in_(bindparam("ids", expanding=True)), claimable)
            .returning(t.c.id))
