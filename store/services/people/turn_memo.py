"""What one request reads again and again, read once: the actor's visibility (their user
row, the owners and accounts they may see), the names' version, the stage list, the open
deals of a query.

A message is answered in a dozen small read transactions, and each `Directory` method used
to load the actor's row and work out their visibility afresh (issue 14: the user row ~3
times a request, the visible accounts twice, the names' version twice). A memo lives for
one request only (`Directory.turn`, a context variable, so one thread's request never sees
another's), and it is dropped whenever any transaction commits, so what the request itself
writes (an account created, a deal moved) is seen by its next read exactly as before; a
change made elsewhere between two requests is always seen by the second, which starts
with an empty memo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from store.access import Person

T = TypeVar("T")

_memo: ContextVar[dict[Any, Any] | None] = ContextVar("directory_turn_memo", default=None)


@contextmanager
def turn(actor: Person | None = None) -> Iterator[None]:
    """Memoise the directory's repeated reads until the block ends; nested blocks share
    the outer one's memo (a turn that answers a read intent runs inside the message's).
    `actor`: the request's user, loaded by it already, so their row is not read again."""
    if _memo.get() is not None:
        if actor is not None:
            keep(("actor", actor.id), actor)
        yield
        return
    token = _memo.set({} if actor is None else {("actor", actor.id): actor})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: Any, read: Callable[[], T]) -> T:
    """`read()`, once per request for `key`; outside a request, every time."""
    memo = _memo.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    value: T = memo[key]
    return value


def peek(key: Any) -> Any:
    """The remembered value of `key`, or None (outside a request, or not read yet)."""
    memo = _memo.get()
    return None if memo is None else memo.get(key)


def keep(key: Any, value: Any) -> None:
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


def forget() -> None:
    """Drop what this request remembered: something was written."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


@event.listens_for(Session, "after_commit")
def _committed(_session: Session) -> None:
    """Any commit in this request's context may have changed what was remembered."""
    forget()
