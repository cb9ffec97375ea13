"""One transaction for several services' steps, when their caller wants them to commit
(or roll back) together: the reminder sweep runs its housekeeping, planning and claims as
one, so a sweep with nothing due is one round trip of transaction bookkeeping, and a crash
anywhere in it leaves nothing half-done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from store.db import Store


@contextmanager
def within(store: Store, session: Session | None) -> Iterator[Session]:
    """`session` when the caller's transaction is to carry the work, else a new one."""
    if session is not None:
        yield session
        return
    with store.transaction() as s:
        yield s
